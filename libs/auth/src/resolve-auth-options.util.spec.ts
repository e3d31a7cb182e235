import { generateKeyPairSync } from 'node:crypto';
import { LOCAL_DEV_JWT_SECRET } from './auth.constants';
import { resolveAuthOptions } from './resolve-auth-options.util';

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();
const ecPem = (curve: string): string =>
  generateKeyPairSync('ec', { namedCurve: curve })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

describe(resolveAuthOptions.name, () => {
  it('should use HS256 and the default issuer and audience for a secret', () => {
    expect(resolveAuthOptions({ secret: 's3cret' }, {})).toEqual({
      key: { secret: 's3cret' },
      algorithm: 'HS256',
      issuer: 'kkb',
      audience: 'kkb',
    });
  });

  it('should fall back to the JWT_* variables', () => {
    expect(
      resolveAuthOptions({}, { JWT_SECRET: 'from-env', JWT_ISSUER: 'idp', JWT_AUDIENCE: 'api' }),
    ).toEqual({ key: { secret: 'from-env' }, algorithm: 'HS256', issuer: 'idp', audience: 'api' });
  });

  it('should pick RS256 for an RSA key and ES256 for a P-256 key', () => {
    expect(resolveAuthOptions({ publicKey: rsaPem }, {}).algorithm).toBe('RS256');
    expect(resolveAuthOptions({}, { JWT_PUBLIC_KEY: ecPem('prime256v1') }).algorithm).toBe('ES256');
  });

  it('should read a PEM whose newlines are escaped on one line', () => {
    const resolved = resolveAuthOptions({}, { JWT_PUBLIC_KEY: rsaPem.replace(/\n/g, '\\n') });
    expect(resolved.key).toEqual({ publicKey: rsaPem });
  });

  it('should refuse an EC key on another curve', () => {
    expect(() => resolveAuthOptions({ publicKey: ecPem('secp384r1') }, {})).toThrow(
      'JWT_PUBLIC_KEY must be an RSA key (RS256) or an EC P-256 key (ES256), got ec secp384r1',
    );
  });

  it('should refuse a public key that is not PEM', () => {
    expect(() => resolveAuthOptions({ publicKey: 'not a key' }, {})).toThrow(
      'JWT_PUBLIC_KEY is not a readable PEM public key',
    );
  });

  it('should refuse to start without a key, naming the variables', () => {
    expect(() => resolveAuthOptions({}, {})).toThrow('JWT_SECRET or JWT_PUBLIC_KEY is required');
  });

  it('should refuse both a secret and a public key', () => {
    expect(() => resolveAuthOptions({}, { JWT_SECRET: 's', JWT_PUBLIC_KEY: rsaPem })).toThrow('not both');
  });

  it('should refuse the local development secret in production', () => {
    expect(() =>
      resolveAuthOptions({}, { JWT_SECRET: LOCAL_DEV_JWT_SECRET, NODE_ENV: 'production' }),
    ).toThrow('JWT_SECRET is the public local development secret');
    expect(resolveAuthOptions({}, { JWT_SECRET: LOCAL_DEV_JWT_SECRET }).algorithm).toBe('HS256');
  });
});
