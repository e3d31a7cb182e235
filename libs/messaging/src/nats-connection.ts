import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';

/** The service's one NATS connection; reconnects forever, drains on shutdown. */
@Injectable()
export class NatsConnectionService implements OnApplicationShutdown {
  private readonly logger = new Logger(NatsConnectionService.name);
  private conn?: NatsConnection;
  private jsClient?: JetStreamClient;
  private jsManager?: JetStreamManager;

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {}

  async connect(): Promise<void> {
    if (this.conn) return;
    const conn = await connect({
      servers: this.options.natsUrl.split(','),
      name: `kkb-${this.options.service}`,
      ...(this.options.natsUser ? { user: this.options.natsUser, pass: this.options.natsPassword } : {}),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: true,
      timeout: 10000,
    });
    this.conn = conn;
    void (async () => {
      for await (const s of conn.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
          this.logger.warn({ status: s.type, server: (s as { server?: string }).server }, `nats ${s.type}`);
        }
      }
    })();
    this.jsClient = jetstream(conn, { timeout: 10000 });
    this.jsManager = await jetstreamManager(conn, { timeout: 10000 });
  }

  get nc(): NatsConnection {
    if (!this.conn) throw new Error('NATS is not connected yet');
    return this.conn;
  }

  get js(): JetStreamClient {
    if (!this.jsClient) throw new Error('NATS is not connected yet');
    return this.jsClient;
  }

  get jsm(): JetStreamManager {
    if (!this.jsManager) throw new Error('NATS is not connected yet');
    return this.jsManager;
  }

  /** For readiness: the connection is open and JetStream answers. */
  async check(): Promise<void> {
    if (!this.conn || this.conn.isClosed()) throw new Error('NATS connection is closed');
    await this.jsm.getAccountInfo();
  }

  async onApplicationShutdown(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    if (c && !c.isClosed()) await c.drain().catch(() => c.close());
  }
}
