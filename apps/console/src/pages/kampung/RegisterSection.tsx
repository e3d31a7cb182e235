import { useTranslation } from 'react-i18next';
import { formatDate, formatNumber } from '../../format';
import type { KampungDetail } from './views';

function YesNo({ value }: { value: boolean }) {
  const { t } = useTranslation('kampung');
  return <>{value ? t('yes') : t('no')}</>;
}

/** Register data: the village, launch, model flags, selection criteria, Pokja (SK, members) and PLKB. */
export default function RegisterSection({ kampung }: { kampung: KampungDetail }) {
  const { t } = useTranslation('kampung');
  const k = kampung;
  return (
    <div className="grid grid--2">
      <section className="card" aria-labelledby="register-heading">
        <h2 id="register-heading">{t('register.title')}</h2>
        <dl className="facts" data-testid="register-data">
          <dt>{t('register.village')}</dt>
          <dd>
            {k.villageName} <span className="muted">({k.villageCode})</span>
            {' · '}
            {t(`villageKind.${k.villageKind}`, { defaultValue: k.villageKind })}
          </dd>
          {k.rw && (
            <>
              <dt>{t('register.rw')}</dt>
              <dd>{k.rw}</dd>
            </>
          )}
          <dt>{t('register.launchDate')}</dt>
          <dd>{formatDate(k.launchDate)}</dd>
          <dt>{t('register.status')}</dt>
          <dd>
            {k.active ? t('register.active') : t('register.inactive')}
            {k.statusReason && <span className="muted"> · {k.statusReason}</span>}
          </dd>
          <dt>{t('register.model')}</dt>
          <dd>
            {k.modelProvince || k.modelRegency ? (
              <>
                {k.modelProvince && <span className="tag">{t('common:model.province')}</span>}
                {k.modelRegency && <span className="tag">{t('common:model.regency')}</span>}
              </>
            ) : (
              t('register.notModel')
            )}
          </dd>
          <dt>{t('register.criteria')}</dt>
          <dd>
            {k.selectionCriteria.length === 0 ? (
              t('none')
            ) : (
              <ul className="plain-list">
                {k.selectionCriteria.map((c) => (
                  <li key={c}>{t(`criteria.${c}`, { defaultValue: c })}</li>
                ))}
              </ul>
            )}
          </dd>
          {k.latitude != null && k.longitude != null && (
            <>
              <dt>{t('register.coordinates')}</dt>
              <dd>
                {formatNumber(k.latitude, 5)}, {formatNumber(k.longitude, 5)}
              </dd>
            </>
          )}
          {k.description && (
            <>
              <dt>{t('register.description')}</dt>
              <dd>{k.description}</dd>
            </>
          )}
          <dt>{t('register.updated')}</dt>
          <dd>
            {formatDate(k.updatedAt, { time: true })}{' '}
            <span className="muted">{t('register.version', { version: k.version })}</span>
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="pokja-heading">
        <h2 id="pokja-heading">{t('pokja.title')}</h2>
        <dl className="facts" data-testid="pokja">
          <dt>{t('pokja.sk')}</dt>
          <dd>
            {k.pokja.skNumber ? (
              <>
                {k.pokja.skNumber}
                {k.pokja.skDate && <> · {formatDate(k.pokja.skDate)}</>}
                {k.pokja.skIssuer && (
                  <> · {t(`skIssuer.${k.pokja.skIssuer}`, { defaultValue: k.pokja.skIssuer })}</>
                )}
              </>
            ) : (
              t('pokja.noSk')
            )}
          </dd>
          <dt>{t('pokja.trained')}</dt>
          <dd>
            <YesNo value={k.pokja.trained} />
          </dd>
          <dt>{t('plkb.title')}</dt>
          <dd data-testid="plkb">
            {k.fieldOfficer ? (
              <>
                {k.fieldOfficer.name}
                {k.fieldOfficer.nip && (
                  <span className="muted">
                    {' · '}
                    {t('plkb.nip')} {k.fieldOfficer.nip}
                  </span>
                )}
                {k.fieldOfficer.contact && <span className="muted"> · {k.fieldOfficer.contact}</span>}
              </>
            ) : (
              t('plkb.none')
            )}
          </dd>
        </dl>
        <div className="table-wrap">
          <table className="data" data-testid="pokja-members">
            <caption>{t('pokja.members', { count: k.pokja.members.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('pokja.name')}</th>
                <th scope="col">{t('pokja.position')}</th>
                <th scope="col">{t('pokja.seksi')}</th>
              </tr>
            </thead>
            <tbody>
              {k.pokja.members.length === 0 ? (
                <tr>
                  <td colSpan={3} className="muted">
                    {t('pokja.noMembers')}
                  </td>
                </tr>
              ) : (
                k.pokja.members.map((m, i) => (
                  <tr key={`${m.name}-${i}`}>
                    <th scope="row">{m.name}</th>
                    <td>{m.position}</td>
                    <td>{m.seksi ? t(`seksi.${m.seksi}`, { defaultValue: m.seksi }) : '–'}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
