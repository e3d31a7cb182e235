import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { components } from '../../api/generated/notifications';
import { formatDate, formatMonth } from '../../format';
import { levelKey } from '../../levels';

export type InboxItemView = components['schemas']['InboxItemView'];

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function periodText(p: unknown): string | null {
  const { year, month } = (p ?? {}) as { year?: number; month?: number };
  return year && month ? formatMonth(`${year}-${String(month).padStart(2, '0')}`, { long: true }) : null;
}

/**
 * The item's title and text in the console's language, from its kind and data; the service's
 * own (English) title and body when the data lacks what the sentence needs.
 */
export function describe(t: TFunction, item: InboxItemView): { title: string; body: string } {
  const d = item.data ?? {};
  const village = str(d.villageCode) ?? '–';
  const fallback = { title: item.title, body: item.body };
  switch (item.kind) {
    case 'kampung-registered': {
      const name = str(d.name);
      if (!name) return fallback;
      return {
        title: t('inbox:kind.kampung-registered.title', { name }),
        body: t('inbox:kind.kampung-registered.body', { name, village }),
      };
    }
    case 'level-changed': {
      const level = str(d.level);
      if (!level) return fallback;
      const to = t(levelKey(level));
      const from = t(levelKey(str(d.previousLevel)));
      return {
        title: t('inbox:kind.level-changed.title', { from, to }),
        body: t('inbox:kind.level-changed.body', { village, to, from }),
      };
    }
    case 'submission-rejected': {
      const period = periodText(d.period);
      const reason = str(d.reason);
      if (!period || !reason) return fallback;
      return {
        title: t('inbox:kind.submission-rejected.title', { period }),
        body: t('inbox:kind.submission-rejected.body', { village, period, reason }),
      };
    }
    case 'report-overdue': {
      const period = periodText(d.period);
      if (!period) return fallback;
      return {
        title: t('inbox:kind.report-overdue.title', { period }),
        body: t('inbox:kind.report-overdue.body', {
          village,
          period,
          due: formatDate(str(d.dueDate)),
        }),
      };
    }
    case 'subscription-paused':
      return fallback;
  }
}

export default function InboxItem({
  item,
  onRead,
  pending,
}: {
  item: InboxItemView;
  onRead: (id: string) => void;
  pending: boolean;
}) {
  const { t } = useTranslation('inbox');
  const { title, body } = describe(t, item);
  const kampungId = str(item.data?.kampungId);
  return (
    <li
      className={`inbox-item${item.read ? '' : ' inbox-item--unread'}`}
      data-testid="inbox-item"
      data-kind={item.kind}
      data-read={item.read ? 'true' : 'false'}
    >
      <div>
        <h3>
          {!item.read && <span className="visually-hidden">{t('unreadMark')} </span>}
          {title}
        </h3>
        <p>{body}</p>
        <p className="inbox-item__meta">
          {t(`kindLabel.${item.kind}`)} · {formatDate(item.occurredAt, { time: true })}
          {kampungId && (
            <>
              {' · '}
              <Link to={`/kampung/${kampungId}`}>{t('openKampung')}</Link>
            </>
          )}
        </p>
      </div>
      <div>
        {item.read ? (
          <span className="muted">{t('read')}</span>
        ) : (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => onRead(item.id)}
            disabled={pending}
            aria-label={t('markReadLabel', { title })}
            data-testid="mark-read"
          >
            {t('markRead')}
          </button>
        )}
      </div>
    </li>
  );
}
