import { Webhook } from 'standardwebhooks';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks headers for one message. With several secrets (during a rotation's grace
 * period) the signature header carries one `v1,<sig>` per secret, space-separated; a receiver
 * holding either secret verifies it.
 */
export function signWebhook(
  secrets: readonly string[],
  msgId: string,
  body: string,
  at = new Date(),
): SignedHeaders {
  if (!secrets.length) throw new Error('no signing secret');
  const signatures = secrets.map((s) => new Webhook(s).sign(msgId, at, body));
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
