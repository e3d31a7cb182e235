import type { KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from './auth-options.interface';

/** The one asymmetric algorithm a key may be used with, so a token cannot pick its own. */
export function asymmetricAlgorithmFor(key: KeyObject, label: string): JwtAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(
    `${label} must be an RSA key (RS256) or an EC P-256 key (ES256), got ${key.asymmetricKeyType ?? 'unknown'}` +
      (key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''),
  );
}

/** Env files often carry a PEM on one line with literal '\n'. */
export function pemFromEnv(value: string): string {
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
}
