import { Webhook } from 'standardwebhooks';
import { newSigningSecret, SecretBox, secretKeyFrom } from './secret-box';
import { signWebhook } from './webhook-signer';

describe(SecretBox.name, () => {
  const box = new SecretBox(secretKeyFrom(Buffer.alloc(32, 1).toString('base64')));

  it('should give back what it sealed, for the same subscription only', () => {
    const secret = newSigningSecret();
    const sealed = box.seal(secret, 'sub-1');
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed, 'sub-1')).toBe(secret);
    expect(() => box.open(sealed, 'sub-2')).toThrow();
    expect(() => new SecretBox(secretKeyFrom('ab'.repeat(32))).open(sealed, 'sub-1')).toThrow();
  });

  it('should refuse to run in production without a key', () => {
    expect(() => secretKeyFrom('', { NODE_ENV: 'production' })).toThrow(/WEBHOOK_SECRET_KEY/);
    expect(secretKeyFrom('', {})).toHaveLength(32);
  });

  it('should make Standard Webhooks secrets that the standardwebhooks library accepts, one signature per secret', () => {
    const [a, b] = [newSigningSecret(), newSigningSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ hello: 'world' });
    const headers = signWebhook([a, b], 'msg_1', body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify(body, { ...headers })).toEqual({ hello: 'world' });
    expect(new Webhook(b).verify(body, { ...headers })).toEqual({ hello: 'world' });
  });
});
