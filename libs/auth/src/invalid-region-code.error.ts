import { BadRequestException } from '@nestjs/common';

/** A malformed region code is the caller's mistake (400), never a scope decision (403). */
export class InvalidRegionCodeError extends BadRequestException {
  /** The field a problem answer names (the query's `region` unless the caller knows better). */
  constructor(
    readonly code: unknown,
    readonly field = 'region',
  ) {
    super(
      `invalid region code '${String(code)}': expected 2, 4, 6 or 10 digits, compact (1610052041) or dotted (16.10.05.2041)`,
    );
  }
}
