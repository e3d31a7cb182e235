import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { dottedRegion, useSession } from '../auth/session';
import { useAncestors, useRegion } from '../region';

/**
 * Nation › province › regency › … up to the region shown, each a link to `to(code)`. Regions
 * above the officer's scope are shown as text: they cannot be opened.
 */
export default function Breadcrumbs({ region, to }: { region: string; to: (code: string) => string }) {
  const { t } = useTranslation();
  const { scope } = useSession();
  const ancestors = useAncestors(region);
  const current = useRegion(region);
  const dotted = dottedRegion(region);
  const scopeDotted = dottedRegion(scope);
  const reachable = (code: string) => scopeDotted === '' || code.startsWith(scopeDotted);
  const trail: { code: string; name: string }[] = [
    { code: '', name: t('region.nation') },
    ...(ancestors.data ?? []).filter((r) => r.code !== dotted).map((r) => ({ code: r.code, name: r.name })),
  ];
  if (dotted) trail.push({ code: dotted, name: current.data?.name ?? dotted });
  return (
    <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
      <ol>
        {trail.map((r, i) => {
          const last = i === trail.length - 1;
          return (
            <li key={r.code || 'nation'}>
              {last ? (
                <span aria-current="page">{r.name}</span>
              ) : reachable(r.code) ? (
                <Link to={to(r.code)}>{r.name}</Link>
              ) : (
                <span>{r.name}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
