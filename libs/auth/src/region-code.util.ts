import { InvalidRegionCodeError } from './invalid-region-code.error';

/** Kemendagri code lengths: province, regency, district, village. */
export const REGION_CODE_LENGTHS: readonly number[] = [2, 4, 6, 10];

const COMPACT = /^\d+$/;
// Dots only between the official segments, so '1.6' or '16..10' is not quietly accepted.
const DOTTED = /^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/;

/**
 * Normalises a region code to compact digits ('16.10.05.2041' → '1610052041').
 * Throws InvalidRegionCodeError (400) for anything that is not a province, regency, district
 * or village code.
 */
export function compactRegionCode(code: string): string {
  if (typeof code !== 'string') throw new InvalidRegionCodeError(code);
  if (code.includes('.')) {
    if (!DOTTED.test(code)) throw new InvalidRegionCodeError(code);
    return code.replace(/\./g, '');
  }
  if (!COMPACT.test(code) || !REGION_CODE_LENGTHS.includes(code.length)) {
    throw new InvalidRegionCodeError(code);
  }
  return code;
}

/** Whether `code` is a region code (dotted or compact); never throws. */
export function isRegionCode(code: unknown): code is string {
  if (typeof code !== 'string') return false;
  try {
    compactRegionCode(code);
    return true;
  } catch {
    return false;
  }
}
