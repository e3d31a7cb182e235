import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '@kkb/auth';
import { decodeCursor, ProblemException, toPage, type Page } from '@kkb/platform';
import { InboxRepository, type InboxItemView } from './inbox.repository';
import type { ListInboxQuery } from './list-inbox.query';
import type { NotificationPreferencesDto } from './notification-preferences.dto';

@Injectable()
export class InboxService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly inbox: InboxRepository,
  ) {}

  async list(user: Principal, q: ListInboxQuery): Promise<Page<InboxItemView> & { unread: number }> {
    const before = decodeCursor(q.cursor, ['seq']);
    const m = this.ds.manager;
    // Items committed since the last read get their place in the order first (see `sequence`).
    if (await this.inbox.hasUnsequenced(m)) await this.ds.transaction((tx) => this.inbox.sequence(tx));
    await this.inbox.touchRecipient(m, user);
    const rows = await this.inbox.list(m, user, {
      unreadOnly: q.unread === true,
      limit: q.limit + 1,
      before: before?.[0] ?? null,
    });
    const page = toPage(rows, q.limit, (r) => [r.seq]);
    return {
      items: page.items.map(({ seq: _seq, ...item }) => item),
      nextCursor: page.nextCursor,
      unread: await this.inbox.countUnread(m, user),
    };
  }

  async markRead(user: Principal, id: string): Promise<void> {
    if (!(await this.inbox.markRead(this.ds.manager, user, id)))
      throw ProblemException.notFound(`inbox item ${id}`);
  }

  async markAllRead(user: Principal): Promise<void> {
    await this.ds.transaction(async (m) => {
      await this.inbox.sequence(m);
      await this.inbox.markAllRead(m, user);
    });
  }

  async preferences(user: Principal): Promise<{ email: string | null; digest: boolean }> {
    return this.inbox.preferences(this.ds.manager, user.sub);
  }

  async setPreferences(
    user: Principal,
    dto: NotificationPreferencesDto,
  ): Promise<{ email: string | null; digest: boolean }> {
    if (dto.digest && !dto.email) {
      throw ProblemException.validation([{ field: 'email', reason: 'email is needed to receive digests' }]);
    }
    return this.ds.transaction(async (m) => {
      await this.inbox.sequence(m);
      await this.inbox.setPreferences(m, user, dto.email ?? null, dto.digest);
      return this.inbox.preferences(m, user.sub);
    });
  }
}
