import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { FeedRepository } from './feed.repository';

/** How often the head is looked at while a long poll waits (any replica may take the event in). */
export const FEED_WATCH_MS = 200;
/** How often events are numbered when no reader does it (keeps the unnumbered backlog short). */
export const FEED_SEQUENCE_MS = 5000;

/**
 * The feed's head, shared by every long poll of this process: while one waits, it numbers the
 * events committed since (on any replica) and reads the highest position every FEED_WATCH_MS,
 * waking the waiters when it moved. One look serves every waiter, so waiting costs one or two
 * small queries a tick, not one per waiting client. Also numbers events now and then when no
 * one reads, so the first read after a quiet spell has little to number.
 */
@Injectable()
export class FeedHead implements OnModuleInit, OnModuleDestroy {
  /** Each waiter, with the head it saw. */
  private readonly waiters = new Map<() => void, bigint>();
  private watching: NodeJS.Timeout | undefined;
  private sequencing: NodeJS.Timeout | undefined;
  private head = '0';
  private looking = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly feed: FeedRepository,
  ) {}

  onModuleInit(): void {
    this.sequencing = setInterval(() => void this.sequence().catch(() => undefined), FEED_SEQUENCE_MS);
    this.sequencing.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sequencing);
    clearInterval(this.watching);
    this.watching = undefined;
    for (const wake of [...this.waiters.keys()]) wake();
  }

  /** Numbers what committed since the last run (its own short transaction; nothing when none). */
  async sequence(): Promise<void> {
    if (await this.feed.hasUnsequenced(this.ds.manager)) {
      await this.ds.transaction((m) => this.feed.sequence(m));
    }
  }

  /** Resolves when the head moves past `seen`, or after `ms`: the caller reads again either way. */
  changed(seen: string, ms: number): Promise<void> {
    const after = BigInt(seen);
    // Another waiter's look may have seen it move already (between this caller's read and now).
    if (BigInt(this.head) > after) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        if (this.waiters.size === 0) {
          clearInterval(this.watching);
          this.watching = undefined;
        }
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.set(done, after);
      this.watching ??= setInterval(() => void this.look(), FEED_WATCH_MS);
    });
  }

  private async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      await this.sequence();
      const head = await this.feed.head(this.ds.manager);
      if (BigInt(head) > BigInt(this.head)) this.head = head;
      for (const [wake, seen] of [...this.waiters]) if (BigInt(this.head) > seen) wake();
    } catch {
      // The next tick looks again; a waiter's own timeout bounds its wait.
    } finally {
      this.looking = false;
    }
  }
}
