// Kotak masuk (/kotak-masuk): the officer's notifications (their region's and their own), newest
// first, with the unread count; mark one or all read; the e-mail digest preference. The unread
// count in the navigation shares the ['inbox'] query key prefix, so it follows every change.
import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import type { components } from '../../api/generated/notifications';
import { Empty, ErrorMessage, Loading } from '../../components/Status';
import { formatNumber } from '../../format';
import InboxItem from './InboxItem';
import PreferencesForm from './PreferencesForm';
import '../kampung/pages.css';

type InboxPageView = components['schemas']['InboxPage'];

export default function InboxPage() {
  const { t } = useTranslation('inbox');
  const queryClient = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);

  const inbox = useInfiniteQuery({
    queryKey: ['inbox', 'list', { unreadOnly }],
    refetchInterval: 30_000,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: InboxPageView) => last.nextCursor ?? undefined,
    queryFn: async ({ pageParam }) =>
      data<InboxPageView>(
        await api.notifications.GET('/api/v1/inbox', {
          params: {
            query: {
              limit: 50,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(unreadOnly ? { unread: true } : {}),
            },
          },
        }),
      ),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['inbox'] });

  const markRead = useMutation({
    mutationFn: async (id: string) =>
      data(await api.notifications.POST('/api/v1/inbox/{id}/read', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const markAll = useMutation({
    mutationFn: async () => data(await api.notifications.POST('/api/v1/inbox/read-all')),
    onSuccess: refresh,
  });

  const pages = inbox.data?.pages ?? [];
  const items = pages.flatMap((p) => p.items);
  const unread = pages[0]?.unread ?? 0;

  return (
    <div className="page" data-testid="inbox-page">
      <header className="page-header">
        <div>
          <h1>{t('title')}</h1>
          <p className="muted" aria-live="polite">
            {inbox.isSuccess && (
              <>
                <span className="unread-count" data-testid="unread-count" data-count={unread}>
                  {formatNumber(unread)}
                </span>{' '}
                {t('unreadSuffix', { count: unread })}
              </>
            )}
          </p>
        </div>
        <div className="page-header__actions">
          <button
            type="button"
            className="button button--secondary"
            onClick={() => markAll.mutate()}
            disabled={markAll.isPending || unread === 0}
            data-testid="mark-all-read"
          >
            {t('markAllRead')}
          </button>
        </div>
      </header>

      <section className="card" aria-labelledby="inbox-heading">
        <div className="card__header">
          <h2 id="inbox-heading">{t('listTitle')}</h2>
          <label className="check">
            <input
              type="checkbox"
              checked={unreadOnly}
              onChange={(e) => setUnreadOnly(e.target.checked)}
              data-testid="unread-only"
            />
            {t('unreadOnly')}
          </label>
        </div>
        {(markRead.error ?? markAll.error) && <ErrorMessage error={markRead.error ?? markAll.error} />}
        {inbox.error ? (
          <ErrorMessage error={inbox.error} onRetry={() => void inbox.refetch()} />
        ) : inbox.isPending ? (
          <Loading />
        ) : items.length === 0 ? (
          <Empty>{unreadOnly ? t('emptyUnread') : t('empty')}</Empty>
        ) : (
          <ul className="inbox-list" aria-label={t('listTitle')}>
            {items.map((item) => (
              <InboxItem
                key={item.id}
                item={item}
                onRead={(id) => markRead.mutate(id)}
                pending={markRead.isPending && markRead.variables === item.id}
              />
            ))}
          </ul>
        )}
        {inbox.hasNextPage && (
          <p>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => void inbox.fetchNextPage()}
              disabled={inbox.isFetchingNextPage}
            >
              {t('more')}
            </button>
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="prefs-heading">
        <h2 id="prefs-heading">{t('prefs.title')}</h2>
        <p className="muted">{t('prefs.intro')}</p>
        <PreferencesForm />
      </section>
    </div>
  );
}
