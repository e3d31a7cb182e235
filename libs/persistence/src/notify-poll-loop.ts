import { Client, type ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';
import { assertIdentifier } from './identifiers';

/** What one drain tells the loop about the work left. Returning nothing means "idle". */
export interface DrainResult {
  /** More work is ready now (e.g. a full batch was taken): drain again at once. */
  more?: boolean;
  /** Known work falls due in this many ms (e.g. a scheduled retry): drain then, if before the poll. */
  dueInMs?: number;
}

/** The part of a `pg` Client the loop uses; a test passes a fake. */
export interface ListenerClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<unknown>;
  on(event: 'notification', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  on(event: 'end', fn: () => void): unknown;
}

/** Matches Nest's `Logger` (`warn(details, message)`) without depending on Nest. */
export interface LoopLogger {
  warn(details: object, message: string): void;
}

export interface NotifyPollLoopOptions {
  /** For log lines: `outbox relay`, `delivery worker`. */
  name: string;
  /** Finds and handles the work; throwing starts (or lengthens) a failure backoff. */
  drain: () => Promise<DrainResult | void>;
  /** The NOTIFY channel to LISTEN on (a plain identifier). */
  channel: string;
  /**
   * Connection of the dedicated listener session (LISTEN needs one session of its own, not a
   * pooled one); `false` polls only. Use `listenerConnectionOf(dataSource)` for a service's DB.
   */
  listen: ClientConfig | false;
  /** The safety-net poll: drain at least this often when idle, NOTIFY or not. */
  pollMs: number;
  /** Backoff after failed drains: doubles from `minMs` up to `maxMs`, reset by a successful drain. */
  backoff?: { minMs: number; maxMs: number };
  /** Backoff between attempts to (re)connect the listener. Default 1 s doubling up to 30 s. */
  reconnect?: { minMs: number; maxMs: number };
  /** Called once per failed drain, with the backoff it starts (for logs and metrics). */
  onError?: (err: unknown, retryInMs: number) => void;
  logger?: LoopLogger;
  /** Creates the listener client; tests replace it. Default: a `pg` Client. */
  createClient?: (config: ClientConfig) => ListenerClient;
}

/** The listener connection of a TypeORM data source: its URL and session options (role, search path). */
export function listenerConnectionOf(ds: DataSource): ClientConfig {
  const opts = ds.options as { url?: string; extra?: { options?: string } };
  return { connectionString: opts.url, options: opts.extra?.options };
}

/**
 * Runs `drain` over and over, one at a time: the loop shared by the outbox relay and the webhook
 * delivery worker. A drain runs
 *  - when a NOTIFY arrives on `channel` (a dedicated `pg` session LISTENs; when that connection
 *    drops, it is reconnected with a bounded backoff and the loop polls meanwhile, and one drain
 *    follows each reconnect, since NOTIFYs sent while it was down are lost);
 *  - when `wake()` is called in-process (e.g. a worker slot was freed);
 *  - at once when the last drain said `more`, at `dueInMs` when it said so, and otherwise every
 *    `pollMs` as a safety net;
 *  - after a failure backoff, when the last drain threw.
 * Wakes that arrive while a drain runs are coalesced: one more drain follows, not one per wake.
 *
 * The rule for wakes and backoff: a NOTIFY or `wake()` ends an idle wait, never a failure
 * backoff. It is remembered, and the drain that ends the backoff serves it. Otherwise a failing
 * dependency (NATS down, Postgres refusing) plus a busy writer would turn every write into another
 * failing attempt, a hot loop against the thing that is already failing. Only `stop()` ends a
 * backoff early.
 *
 * `stop()` ends any wait, awaits the drain in progress, and closes the listener.
 */
export class NotifyPollLoop {
  private running = false;
  private loop?: Promise<void>;
  /** A wake arrived since the current drain started. */
  private wakeRequested = false;
  /** What the loop waits on now, and how to end that wait early. */
  private waiting?: { kind: 'idle' | 'backoff'; end: () => void };
  private failureDelay = 0;
  private listener?: ListenerClient;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = 0;
  private readonly backoff: { minMs: number; maxMs: number };
  private readonly reconnect: { minMs: number; maxMs: number };

  constructor(private readonly options: NotifyPollLoopOptions) {
    assertIdentifier(options.channel, 'channel');
    this.backoff = options.backoff ?? { minMs: 200, maxMs: 5000 };
    this.reconnect = options.reconnect ?? { minMs: 1000, maxMs: 30_000 };
  }

  /** True while a listener session is connected and LISTENing. */
  get listening(): boolean {
    return !!this.listener;
  }

  /**
   * Connects the listener (a failure is logged and retried in the background: the loop polls
   * meanwhile), then starts draining.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connectListener(false);
    if (!this.running) return; // stopped while connecting
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.waiting?.end();
    await this.loop;
    this.loop = undefined;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Asks for a drain: ends an idle wait at once; during a drain, one more follows; see the class comment on backoff. */
  wake(): void {
    this.wakeRequested = true;
    if (this.waiting?.kind === 'idle') this.waiting.end();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      let waitMs: number;
      let kind: 'idle' | 'backoff';
      try {
        const result = (await this.options.drain()) ?? {};
        this.failureDelay = 0;
        if (result.more) continue;
        kind = 'idle';
        waitMs =
          result.dueInMs === undefined
            ? this.options.pollMs
            : Math.max(0, Math.min(this.options.pollMs, result.dueInMs));
      } catch (err) {
        this.failureDelay = Math.min(Math.max(this.failureDelay * 2, this.backoff.minMs), this.backoff.maxMs);
        kind = 'backoff';
        waitMs = this.failureDelay;
        try {
          this.options.onError?.(err, waitMs);
        } catch {
          // a failing error handler must not stop the loop
        }
      }
      if (!this.running) break;
      if (kind === 'idle' && this.wakeRequested) continue;
      await this.wait(kind, waitMs);
    }
  }

  private wait(kind: 'idle' | 'backoff', ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => end(), ms);
      const end = () => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve();
      };
      this.waiting = { kind, end };
    });
  }

  private async connectListener(isReconnect: boolean): Promise<void> {
    if (!this.running || this.options.listen === false) return;
    const config = this.options.listen;
    const client = (this.options.createClient ?? ((c: ClientConfig) => new Client(c)))(config);
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = undefined;
      void client.end().catch(() => undefined);
      if (!this.running) return;
      this.scheduleReconnect();
      this.options.logger?.warn(
        { err: err instanceof Error ? err.message : err, retryInMs: this.reconnectDelay },
        `${this.options.name} listener lost its connection; polling until it is back`,
      );
    };
    client.on('notification', () => this.wake());
    client.on('error', (err: Error) => onLost(err));
    client.on('end', () => onLost(new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (err) {
      onLost(err);
      return;
    }
    if (lost) return;
    if (!this.running) {
      lost = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.reconnectDelay = 0;
    if (isReconnect) this.wake(); // NOTIFYs sent while it was down are lost
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer) return;
    this.reconnectDelay = Math.min(
      Math.max(this.reconnectDelay * 2, this.reconnect.minMs),
      this.reconnect.maxMs,
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connectListener(true);
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
  }
}
