import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Public on purpose, like the local JWT secret: only for laptops and tests. */
const LOCAL_DEV_KEY = createHash('sha256').update('kkb-local-dev-webhook-secret-key').digest();

/** Reads WEBHOOK_SECRET_KEY (32 bytes, base64 or hex); '' gives the local development key. */
export function secretKeyFrom(value: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (!value) {
    if (env.NODE_ENV === 'production') {
      throw new Error('WEBHOOK_SECRET_KEY must be set when NODE_ENV=production (32 bytes, base64 or hex)');
    }
    return LOCAL_DEV_KEY;
  }
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('WEBHOOK_SECRET_KEY must decode to 32 bytes');
  return key;
}

/**
 * Encrypts webhook signing secrets at rest with AES-256-GCM. The service must read them back to
 * sign, so they cannot be hashed; a database dump without WEBHOOK_SECRET_KEY does not reveal
 * them. Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts; the subscription id is the
 * associated data, so a ciphertext copied to another row does not decrypt.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {}

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string, context: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/** A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
