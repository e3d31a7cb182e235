// Kampung (/kampung/:id): the register data (registry), the submissions (survey), the level with
// every indicator, the way to the next level and the level history (classification), and the
// audit trail (registry). Four services for one kampung, each asked directly; each section says
// on its own when its service refuses or fails.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, data } from '../../api/client';
import { Empty, ErrorMessage, Loading } from '../../components/Status';
import { formatDate } from '../../format';
import { useAncestors } from '../../region';
import AuditSection from './AuditSection';
import { ClassificationSection, LiftSection } from './ClassificationSection';
import HistorySection from './HistorySection';
import LevelBadge from './LevelBadge';
import RegisterSection from './RegisterSection';
import SubmissionsSection from './SubmissionsSection';
import {
  itemsOf,
  type AuditPage,
  type Classification,
  type EvaluationPage,
  type KampungDetail,
  type Submission,
} from './views';
import './pages.css';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Breadcrumbs({ villageCode }: { villageCode: string }) {
  const { t } = useTranslation('kampung');
  const ancestors = useAncestors(villageCode);
  if (!ancestors.data?.length) return <p className="muted">{villageCode}</p>;
  return (
    <p className="muted region-path" aria-label={t('page.regionPath')}>
      {ancestors.data.map((r) => r.name).join(' › ')}
    </p>
  );
}

function Section({
  query,
  children,
}: {
  query: { isPending: boolean; error: unknown; refetch: () => unknown };
  children: () => React.ReactNode;
}) {
  if (query.error) return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  if (query.isPending) return <Loading />;
  return <>{children()}</>;
}

export default function KampungPage() {
  const { t } = useTranslation('kampung');
  const { id = '' } = useParams();
  const valid = UUID.test(id);

  const kampung = useQuery({
    queryKey: ['kampung', id],
    enabled: valid,
    queryFn: async () =>
      data<KampungDetail>(await api.registry.GET('/api/v1/kampung/{id}', { params: { path: { id } } })),
  });
  const classification = useQuery({
    queryKey: ['kampung', id, 'classification'],
    enabled: valid,
    queryFn: async () =>
      data<Classification>(
        await api.classification.GET('/api/v1/kampung/{id}/classification', { params: { path: { id } } }),
      ),
  });
  const history = useQuery({
    queryKey: ['kampung', id, 'classification', 'history'],
    enabled: valid,
    queryFn: async () =>
      data<EvaluationPage>(
        await api.classification.GET('/api/v1/kampung/{id}/classification/history', {
          params: { path: { id }, query: { limit: 200 } },
        }),
      ),
  });
  const submissions = useQuery({
    queryKey: ['submissions', { kampungId: id }],
    enabled: valid,
    queryFn: async () =>
      // Latest period first; within a period, the latest submission first.
      itemsOf(
        data<Submission[]>(
          await api.survey.GET('/api/v1/submissions', { params: { query: { kampungId: id, limit: 200 } } }),
        ),
      ).sort(
        (a, b) =>
          b.period.year - a.period.year ||
          b.period.month - a.period.month ||
          b.submittedAt.localeCompare(a.submittedAt),
      ),
  });
  const audit = useInfiniteQuery({
    queryKey: ['kampung', id, 'audit'],
    enabled: valid,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: AuditPage) => last.nextCursor ?? undefined,
    queryFn: async ({ pageParam }) =>
      data<AuditPage>(
        await api.registry.GET('/api/v1/kampung/{id}/history', {
          params: { path: { id }, query: { limit: 200, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
  });

  if (!valid) {
    return (
      <div className="page">
        <h1>{t('page.title')}</h1>
        <Empty>{t('page.invalidId')}</Empty>
      </div>
    );
  }
  if (kampung.error) {
    return (
      <div className="page">
        <h1>{t('page.title')}</h1>
        <ErrorMessage error={kampung.error} onRetry={() => void kampung.refetch()} />
        <p>
          <Link to="/kampung">{t('page.backToList')}</Link>
        </p>
      </div>
    );
  }
  if (kampung.isPending) return <Loading />;

  const k = kampung.data;
  const level = classification.data?.level ?? null;
  return (
    <div className="page kampung-page" data-testid="kampung-page">
      <header className="page-header">
        <div>
          <Breadcrumbs villageCode={k.villageCode} />
          <h1 data-testid="kampung-name">{k.name}</h1>
          <p className="muted">
            {t('page.subtitle', {
              village: k.villageName,
              code: k.villageCode,
              date: formatDate(k.launchDate),
            })}
          </p>
        </div>
        <div className="page-header__actions">
          {classification.isSuccess && <LevelBadge level={level} large />}
          {!k.active && <span className="state state--rejected">{t('register.inactive')}</span>}
        </div>
      </header>

      <RegisterSection kampung={k} />

      <Section query={classification}>
        {() =>
          classification.data && (
            <>
              <ClassificationSection c={classification.data} />
              <LiftSection c={classification.data} />
            </>
          )
        }
      </Section>

      <Section query={history}>{() => <HistorySection items={history.data?.items ?? []} />}</Section>

      <Section query={submissions}>{() => <SubmissionsSection items={submissions.data ?? []} />}</Section>

      <Section query={audit}>
        {() => (
          <AuditSection
            items={audit.data?.pages.flatMap((p) => p.items) ?? []}
            hasMore={audit.hasNextPage}
            loadingMore={audit.isFetchingNextPage}
            onMore={() => void audit.fetchNextPage()}
          />
        )}
      </Section>
    </div>
  );
}
