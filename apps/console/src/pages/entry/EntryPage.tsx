// Isi laporan: start a report for a kampung and period (from what is kept on the device, so this
// works offline), continue a draft, or correct a report the verifier sent back.
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { useLiveQuery } from 'dexie-react-hooks';
import { api, data } from '../../api/client';
import { db, type FieldReport } from '../../field/db';
import { checkForm, progress } from '../../field/answers';
import { compiledOf, instrumentVersion, newDraft, useOwner } from '../../field/store';
import { periodKey, reportSubject, useOnline } from '../../field/hooks';
import { formatDate } from '../../format';
import { ErrorMessage, Loading } from '../../components/Status';
import './entry.css';

interface RejectedSubmission {
  id: string;
  kampungId: string;
  kampungName?: string | null;
  instrumentCode: string;
  instrumentVersion: number;
  kind: 'profile' | 'monthly-report';
  period: { year: number; month: number };
  answers: Record<string, unknown>;
  rejectionReason?: string | null;
}

/** The month before this one: a monthly report is about the month just ended. */
function lastMonth(now = new Date()): { year: number; month: number } {
  const m = now.getMonth(); // 0-based: the previous month's 1-based number
  return m === 0 ? { year: now.getFullYear() - 1, month: 12 } : { year: now.getFullYear(), month: m };
}

/** Answers as stored, back into what a form holds (numbers as typed text). */
function valuesOf(answers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(answers).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]),
  );
}

export default function EntryPage() {
  const { t, i18n } = useTranslation('entry');
  const navigate = useNavigate();
  const online = useOnline();
  const kampung = useLiveQuery(() => db.kampung.orderBy('name').toArray(), []);
  const instruments = useLiveQuery(
    () => db.instruments.filter((i) => i.key.endsWith('@latest')).toArray(),
    [],
  );
  const owner = useOwner();
  const drafts = useLiveQuery(
    () =>
      db.reports
        .where('state')
        .equals('draft')
        .and((r) => r.owner === owner)
        .reverse()
        .sortBy('updatedAt'),
    [owner],
  );
  const correcting = useLiveQuery(
    async () =>
      new Set(
        (await db.reports.filter((r) => r.owner === owner).toArray()).flatMap((r) =>
          r.corrects ? [r.corrects.id] : [],
        ),
      ),
    [owner],
  );
  const rejected = useQuery({
    queryKey: ['submissions', 'rejected', 'mine'],
    // Always asked again on opening the page: a rejection may have come in a moment ago.
    staleTime: 0,
    enabled: online,
    refetchInterval: 30_000,
    queryFn: async () =>
      data<RejectedSubmission[]>(
        await api.survey.GET('/api/v1/submissions', {
          params: { query: { status: 'rejected', current: true, limit: 100 } },
        }),
      ),
  });

  const initial = lastMonth();
  const [kampungId, setKampungId] = useState('');
  const [code, setCode] = useState('monthly-report');
  const [year, setYear] = useState(initial.year);
  const [month, setMonth] = useState(initial.month);
  const [note, setNote] = useState('');
  const years = useMemo(() => {
    const y = new Date().getFullYear();
    return [y, y - 1, y - 2];
  }, []);
  const months = useMemo(
    () =>
      Array.from({ length: 12 }, (_, i) => ({
        value: i + 1,
        label: new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'id-ID', { month: 'long' }).format(
          new Date(2020, i, 1),
        ),
      })),
    [i18n.language],
  );

  if (kampung === undefined || instruments === undefined || drafts === undefined) return <Loading />;
  const chosenKampung = kampung.find((k) => k.id === (kampungId || kampung[0]?.id));
  const chosenInstrument = instruments.find((i) => i.code === code) ?? instruments[0];

  const start = async () => {
    if (!chosenKampung || !chosenInstrument) return;
    const period = { year, month };
    const existing = drafts.find(
      (d) =>
        d.kampungId === chosenKampung.id &&
        d.instrumentCode === chosenInstrument.code &&
        periodKey(d.period) === periodKey(period),
    );
    if (existing) {
      setNote(t('new.existing'));
      void navigate(`/isi/${existing.id}`);
      return;
    }
    const draft = await newDraft({
      kampungId: chosenKampung.id,
      kampungName: chosenKampung.name,
      instrument: chosenInstrument,
      period,
    });
    void navigate(`/isi/${draft.id}`);
  };

  const fix = async (s: RejectedSubmission) => {
    const instrument = await instrumentVersion(s.instrumentCode, s.instrumentVersion);
    const draft = await newDraft({
      kampungId: s.kampungId,
      kampungName: s.kampungName ?? kampung.find((k) => k.id === s.kampungId)?.name ?? s.kampungId,
      instrument,
      period: s.period,
      values: valuesOf(s.answers),
      corrects: { id: s.id, reason: s.rejectionReason ?? '' },
    });
    void navigate(`/isi/${draft.id}`);
  };

  const progressOf = (d: FieldReport) => {
    const cached = instruments.find((i) => i.code === d.instrumentCode && i.version === d.instrumentVersion);
    if (!cached) return '';
    const c = compiledOf(cached);
    return t('drafts.progressValue', progress(c, checkForm(c, d.values).answers));
  };

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('title')}</h1>
          <p>{t('intro')}</p>
        </div>
      </div>

      <section className="card" aria-labelledby="new-title">
        <h2 id="new-title">{t('new.title')}</h2>
        {instruments.length === 0 ? (
          <p role="alert">{t('notReady')}</p>
        ) : kampung.length === 0 ? (
          <p role="alert">{t('new.noKampung')}</p>
        ) : (
          <form
            className="filters"
            onSubmit={(e) => {
              e.preventDefault();
              void start();
            }}
          >
            <div className="field">
              <label htmlFor="new-kampung">{t('new.kampung')}</label>
              <select
                id="new-kampung"
                value={chosenKampung?.id}
                onChange={(e) => setKampungId(e.target.value)}
              >
                {kampung.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="new-form">{t('new.form')}</label>
              <select id="new-form" value={chosenInstrument?.code} onChange={(e) => setCode(e.target.value)}>
                {instruments.map((i) => (
                  <option key={i.code} value={i.code}>
                    {t(`kind.${i.kind}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="new-month">{t('new.month')}</label>
              <select id="new-month" value={month} onChange={(e) => setMonth(Number(e.target.value))}>
                {months.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="new-year">{t('new.year')}</label>
              <select id="new-year" value={year} onChange={(e) => setYear(Number(e.target.value))}>
                {years.map((y) => (
                  <option key={y} value={y}>
                    {y}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button button--primary">
              {t('new.start')}
            </button>
          </form>
        )}
        {note && <p role="status">{note}</p>}
      </section>

      <section className="card" aria-labelledby="drafts-title">
        <h2 id="drafts-title">{t('drafts.title')}</h2>
        {drafts.length === 0 ? (
          <p className="muted">{t('drafts.empty')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">{t('drafts.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('drafts.subject')}</th>
                  <th scope="col">{t('drafts.progress')}</th>
                  <th scope="col">{t('drafts.updated')}</th>
                  <th scope="col">{t('drafts.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {drafts.map((d) => {
                  const subject = reportSubject(t, d, i18n.language);
                  return (
                    <tr key={d.id}>
                      <td>{subject}</td>
                      <td>{progressOf(d)}</td>
                      <td>{formatDate(new Date(d.updatedAt).toISOString(), { time: true })}</td>
                      <td>
                        <button
                          type="button"
                          className="button button--secondary button--small"
                          aria-label={t('drafts.openLabel', { subject })}
                          onClick={() => void navigate(`/isi/${d.id}`)}
                        >
                          {t('drafts.open')}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="rejected-title">
        <h2 id="rejected-title">{t('rejected.title')}</h2>
        <p className="muted">{t('rejected.intro')}</p>
        {!online && !rejected.data ? (
          <p className="muted">{t('rejected.offline')}</p>
        ) : rejected.isPending ? (
          <Loading />
        ) : rejected.isError ? (
          <ErrorMessage error={rejected.error} onRetry={() => void rejected.refetch()} />
        ) : rejected.data.length === 0 ? (
          <p className="muted">{t('rejected.empty')}</p>
        ) : (
          <ul className="rejected-list">
            {rejected.data.map((s) => {
              const subject = reportSubject(
                t,
                { kind: s.kind, period: s.period, kampungName: s.kampungName ?? s.kampungId },
                i18n.language,
              );
              return (
                <li key={s.id} className="rejected">
                  <div>
                    <strong>{subject}</strong>
                    <p>
                      {t('rejected.reason')}: {s.rejectionReason}
                    </p>
                  </div>
                  {correcting?.has(s.id) ? (
                    <span className="muted">{t('rejected.fixing')}</span>
                  ) : (
                    <button
                      type="button"
                      className="button button--primary button--small"
                      aria-label={t('rejected.fixLabel', { subject })}
                      onClick={() => void fix(s)}
                    >
                      {t('rejected.fix')}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
