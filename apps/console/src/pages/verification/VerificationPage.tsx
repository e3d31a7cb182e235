// Verifikasi (/verifikasi): the queue of submitted profiles and monthly reports in the verifier's
// region (the survey API scopes it), the answers with the instrument's question labels, and
// verify / reject with a reason. The queue polls every 5 s and refreshes after each decision, so
// what another verifier decided leaves the queue on its own.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ApiError, data } from '../../api/client';
import { useSession } from '../../auth/session';
import { Empty, ErrorMessage, Loading } from '../../components/Status';
import { formatDate, formatMonth, formatNumber } from '../../format';
import { periodOf, type Submission } from '../kampung/views';
import AnswersPanel from './AnswersPanel';
import RejectDialog from './RejectDialog';
import '../kampung/pages.css';

const QUEUE_KEY = ['submissions', { status: 'submitted' }] as const;

function useQueue() {
  return useQuery({
    queryKey: QUEUE_KEY,
    refetchInterval: 5_000,
    staleTime: 0,
    queryFn: async () => {
      const items = data<Submission[]>(
        await api.survey.GET('/api/v1/submissions', {
          params: { query: { status: 'submitted', limit: 500 } },
        }),
      );
      // Oldest first: a queue is worked through in the order it came in.
      return [...items].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
    },
  });
}

export default function VerificationPage() {
  const { t } = useTranslation('verification');
  const { role } = useSession();
  const canDecide = role === 'verifier';
  const queryClient = useQueryClient();
  const queue = useQueue();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [flash, setFlash] = useState<{ kind: 'ok' | 'gone'; text: string } | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const rejectButton = useRef<HTMLButtonElement>(null);
  // The selected submission as last seen, so that it stays readable while a decision is sent.
  const [selected, setSelected] = useState<Submission | null>(null);

  const [busy, setBusy] = useState(false);
  const items = useMemo(() => queue.data ?? [], [queue.data]);
  useEffect(() => {
    if (!selectedId) return;
    const current = items.find((s) => s.id === selectedId);
    if (current) setSelected(current);
    else if (queue.isSuccess && !queue.isFetching && selected && !rejecting && !busy) {
      // Someone else decided while this one was open.
      setFlash({
        kind: 'gone',
        text: t('flash.gone', { name: selected.kampungName ?? selected.villageCode }),
      });
      setSelectedId(null);
      setSelected(null);
    }
  }, [items, selectedId, queue.isSuccess, queue.isFetching, selected, rejecting, busy, t]);

  const label = (s: Submission) =>
    t('subject', {
      kind: t(`kampung:kind.${s.kind}`),
      period: formatMonth(periodOf(s.period), { long: true }),
      name: s.kampungName ?? s.villageCode,
    });

  const done = async (s: Submission, text: string) => {
    setFlash({ kind: 'ok', text });
    setSelectedId(null);
    setSelected(null);
    setRejecting(false);
    await queryClient.invalidateQueries({ queryKey: ['submissions'] });
    void queryClient.invalidateQueries({ queryKey: ['kampung', s.kampungId] });
    headingRef.current?.focus();
  };

  const verify = useMutation({
    onMutate: () => setBusy(true),
    onSettled: () => setBusy(false),
    mutationFn: async (s: Submission) =>
      data(await api.survey.POST('/api/v1/submissions/{id}/verify', { params: { path: { id: s.id } } })),
    onSuccess: (_r, s) => done(s, t('flash.verified', { subject: label(s) })),
  });
  const reject = useMutation({
    onMutate: () => setBusy(true),
    onSettled: () => setBusy(false),
    mutationFn: async ({ s, reason }: { s: Submission; reason: string }) =>
      data(
        await api.survey.POST('/api/v1/submissions/{id}/reject', {
          params: { path: { id: s.id } },
          body: { reason },
        }),
      ),
    onSuccess: (_r, { s }) => done(s, t('flash.rejected', { subject: label(s) })),
  });

  const open = (s: Submission) => {
    verify.reset();
    reject.reset();
    setFlash(null);
    setSelectedId(s.id);
    setSelected(s);
  };

  const conflictText = (e: unknown) =>
    e instanceof ApiError && e.status === 409 ? t('flash.conflict') : null;

  return (
    <div className="page" data-testid="verification-page">
      <header className="page-header">
        <div>
          <h1 ref={headingRef} tabIndex={-1}>
            {t('title')}
          </h1>
          <p className="muted">{t('intro')}</p>
        </div>
      </header>

      {!canDecide && (
        <div className="notice" role="note">
          <p>{t('readOnly')}</p>
        </div>
      )}

      <div role="status" aria-live="polite" aria-atomic="true">
        {flash && (
          <p className={flash.kind === 'ok' ? 'flash' : 'notice'} data-testid="verification-flash">
            {flash.text}
          </p>
        )}
      </div>

      <div className="queue-layout">
        <section className="card" aria-labelledby="queue-heading">
          <div className="card__header">
            <h2 id="queue-heading">{t('queue.title')}</h2>
            {queue.isSuccess && (
              <span className="muted" data-testid="queue-count">
                {t('queue.count', { count: items.length, formatted: formatNumber(items.length) })}
              </span>
            )}
          </div>
          {queue.error ? (
            <ErrorMessage error={queue.error} onRetry={() => void queue.refetch()} />
          ) : queue.isPending ? (
            <Loading />
          ) : items.length === 0 ? (
            <Empty>{t('queue.empty')}</Empty>
          ) : (
            <div className="table-wrap">
              <table className="data" data-testid="queue">
                <caption className="visually-hidden">{t('queue.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('queue.kampung')}</th>
                    <th scope="col">{t('queue.kind')}</th>
                    <th scope="col">{t('queue.submitted')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('queue.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((s) => (
                    <tr
                      key={s.id}
                      className={s.id === selectedId ? 'is-selected' : undefined}
                      data-testid="queue-row"
                      data-submission-id={s.id}
                      data-kampung-id={s.kampungId}
                      data-kind={s.kind}
                    >
                      <th scope="row">
                        {s.kampungName ?? t('queue.unnamed')}
                        <br />
                        <span className="muted">{s.villageCode}</span>
                      </th>
                      <td>
                        {t(`kampung:kind.${s.kind}`)}
                        <br />
                        <span className="muted">{formatMonth(periodOf(s.period), { long: true })}</span>
                      </td>
                      <td className="nowrap">{formatDate(s.submittedAt)}</td>
                      <td>
                        <button
                          type="button"
                          className="button button--secondary button--small"
                          aria-pressed={s.id === selectedId}
                          aria-label={t('queue.readLabel', { subject: label(s) })}
                          onClick={() => open(s)}
                          data-testid="open-submission"
                        >
                          {t('queue.read')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="detail-heading" data-testid="submission-detail">
          {!selected ? (
            <>
              <h2 id="detail-heading">{t('detail.title')}</h2>
              <p className="muted">{t('detail.pick')}</p>
            </>
          ) : (
            <>
              <h2 id="detail-heading">{label(selected)}</h2>
              <p>
                <Link to={`/kampung/${selected.kampungId}`}>{t('detail.openKampung')}</Link>
              </p>
              <dl className="facts">
                <dt>{t('queue.submitted')}</dt>
                <dd>
                  {formatDate(selected.submittedAt, { time: true })} · {selected.submittedBy}
                </dd>
                <dt>{t('detail.via')}</dt>
                <dd>{t(`detail.viaValue.${selected.via}`)}</dd>
                {selected.supersedes && (
                  <>
                    <dt>{t('detail.replaces')}</dt>
                    <dd>{t('detail.replacesText')}</dd>
                  </>
                )}
              </dl>
              {canDecide && (
                <div className="actions">
                  <button
                    type="button"
                    className="button button--primary"
                    disabled={verify.isPending || reject.isPending}
                    onClick={() => verify.mutate(selected)}
                    data-testid="verify-button"
                  >
                    {verify.isPending ? t('action.verifying') : t('action.verify')}
                  </button>
                  <button
                    type="button"
                    ref={rejectButton}
                    className="button button--danger"
                    disabled={verify.isPending || reject.isPending}
                    onClick={() => {
                      reject.reset();
                      setRejecting(true);
                    }}
                    data-testid="reject-button"
                  >
                    {t('action.reject')}
                  </button>
                </div>
              )}
              {verify.error && (
                <div className="answers-error">
                  {conflictText(verify.error) ? (
                    <p className="notice" role="alert">
                      {conflictText(verify.error)}
                    </p>
                  ) : (
                    <ErrorMessage error={verify.error} />
                  )}
                </div>
              )}
              <AnswersPanel submission={selected} />
              <RejectDialog
                open={rejecting}
                subject={label(selected)}
                pending={reject.isPending}
                error={
                  reject.error
                    ? conflictText(reject.error)
                      ? new ApiError(409, t('flash.conflict'))
                      : reject.error
                    : null
                }
                onConfirm={(reason) => reject.mutate({ s: selected, reason })}
                onClose={() => {
                  setRejecting(false);
                  rejectButton.current?.focus();
                }}
              />
            </>
          )}
        </section>
      </div>
    </div>
  );
}
