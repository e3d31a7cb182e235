import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { RefusedUrlError, type UrlGuard } from './url-guard';

export interface SendResult {
  /** HTTP status, or null when no response came (refused, connection error, timeout). */
  status: number | null;
  latencyMs: number;
  /** Set when no response came, or for a non-2xx one: never contains a secret. */
  error: string | null;
  /** The address was refused by the SSRF guard. */
  refused: boolean;
}

const MAX_ERROR_BODY = 200;

/**
 * POSTs one webhook: the connection goes to an address the guard checked at connect time
 * (literal IPs are checked here, host names in the guard's `lookup`), redirects are not
 * followed, and the whole exchange has one deadline. Keep-alive agents per scheme.
 */
export class WebhookSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly guard: UrlGuard,
    maxSockets = 256,
  ) {
    const opts = { keepAlive: true, maxSockets, lookup: guard.lookup, scheduling: 'lifo' as const };
    this.httpAgent = new http.Agent(opts);
    this.httpsAgent = new https.Agent(opts);
  }

  async send(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<SendResult> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    let target: URL;
    try {
      target = this.guard.parse(url);
      // net.connect skips `lookup` for a literal IP, so those are checked here.
      const host = target.hostname.replace(/^\[|\]$/g, '');
      if (/^[\d.]+$|:/.test(host)) await this.guard.addressesOf(host);
    } catch (err) {
      return {
        status: null,
        latencyMs: latency(),
        error: (err as Error).message,
        refused: err instanceof RefusedUrlError,
      };
    }
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const done = (r: Omit<SendResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...r, latencyMs: latency() });
      };
      const lib = target.protocol === 'https:' ? https : http;
      const req = lib.request(
        target,
        {
          method: 'POST',
          lookup: this.guard.lookup,
          agent: target.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'kkb-webhooks/1',
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < MAX_ERROR_BODY) chunks.push(c);
            size += c.length;
          });
          res.on('end', () => {
            const ok = status >= 200 && status < 300;
            const text = Buffer.concat(chunks)
              .toString('utf8')
              .slice(0, MAX_ERROR_BODY)
              .replace(/\s+/g, ' ')
              .trim();
            done({
              status,
              error: ok ? null : `HTTP ${status}${text ? `: ${text}` : ''}`,
              refused: false,
            });
          });
          res.on('error', (err) =>
            done({ status, error: `response failed: ${err.message}`, refused: false }),
          );
        },
      );
      const timer = setTimeout(() => {
        done({ status: null, error: `timed out after ${timeoutMs} ms`, refused: false });
        req.destroy(new Error('timeout'));
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        const refused = err instanceof RefusedUrlError || err.code === 'EREFUSED_ADDRESS';
        done({
          status: null,
          error: refused ? err.message : `${err.code ?? 'error'}: ${err.message}`,
          refused,
        });
      });
      req.end(body);
    });
  }

  onApplicationShutdown(): void {
    this.close();
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
