import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** The CloudEvent envelope a platform webhook carries. */
export interface WebhookEvent {
  id: string;
  type: string;
  province: string;
  subject: string;
  data: Record<string, unknown>;
}

export interface Acknowledged {
  webhookId: string;
  event: WebhookEvent;
}

export interface Refused {
  headers: http.IncomingHttpHeaders;
  body: string;
  error: string;
}

/**
 * An integrator's endpoint as it should be written: every request is verified with the
 * `standardwebhooks` package against the subscription's secret before it is believed (401
 * otherwise), and deliveries are de-duplicated by `webhook-id`, since retries carry the same id.
 */
export class VerifyingReceiver {
  /** Verified and acknowledged (2xx) requests, the first per webhook-id. */
  readonly acknowledged = new Map<string, Acknowledged>();
  /** webhook-ids acknowledged again after a first 2xx: the sender should never need to. */
  readonly duplicates: string[] = [];
  /** Requests whose signature did not verify. */
  readonly refused: Refused[] = [];
  /** webhook-ids answered 503 on purpose. */
  readonly failedOnPurpose: string[] = [];
  private secret?: string;
  private failOnce?: (e: WebhookEvent) => boolean;
  private server?: http.Server;
  private port = 0;

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const { status, text } = this.handle(req.headers, body);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/kkb`;
  }

  /** The signing secret, known once the subscription exists (the URL had to come first). */
  useSecret(secret: string): void {
    this.secret = secret;
  }

  /** Answers 503 to the first verified event `matches` takes, once, to make the sender retry. */
  failOnceFor(matches: (e: WebhookEvent) => boolean): void {
    this.failOnce = matches;
  }

  /** Acknowledged events of one type. */
  events(type: string): Acknowledged[] {
    return [...this.acknowledged.values()].filter((a) => a.event.type === type);
  }

  private handle(headers: http.IncomingHttpHeaders, body: string): { status: number; text: string } {
    let event: WebhookEvent;
    try {
      if (!this.secret) throw new Error('no secret yet');
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') flat[k] = v;
      event = new Webhook(this.secret).verify(body, flat) as WebhookEvent;
    } catch (err) {
      this.refused.push({ headers, body, error: String(err) });
      return { status: 401, text: 'signature does not verify' };
    }
    const webhookId = String(headers['webhook-id']);
    if (this.failOnce?.(event)) {
      this.failOnce = undefined;
      this.failedOnPurpose.push(webhookId);
      return { status: 503, text: 'try again later' };
    }
    if (this.acknowledged.has(webhookId)) this.duplicates.push(webhookId);
    else this.acknowledged.set(webhookId, { webhookId, event });
    return { status: 200, text: 'ok' };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
