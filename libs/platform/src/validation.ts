import { Injectable, ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { INT32_MAX } from '@kkb/contracts';
import { ProblemException, validationErrorsToFields } from './problem';

/**
 * The one ValidationPipe of every service: unknown fields are refused (not silently dropped),
 * every failing field is reported with its reason in a single problem+json response.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ProblemException.validation(validationErrorsToFields(errors)),
  });
}

/**
 * The field may be left out, but not sent as `null`: class-validator's `@IsOptional()` skips
 * every check for null as well, so `{"name": null}` passed validation and failed in the database
 * (NOT NULL) as a 500. Use `@IsOptional()` only where null means something (clearing a field).
 */
export const Omittable = (options?: ValidationOptions): PropertyDecorator =>
  ValidateIf((_obj, value) => value !== undefined, options);

/** A finite number with at most `decimals` decimal places (1e-7 included, which crashed class-validator's check). */
export function HasAtMostDecimals(decimals: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasAtMostDecimals',
      constraints: [decimals],
      validator: {
        validate: (v) => typeof v === 'number' && Number.isFinite(v) && Number(v.toFixed(decimals)) === v,
        defaultMessage: (a) => `${a?.property} must be a number with at most ${decimals} decimal places`,
      },
    },
    options,
  );
}

/** The largest value of a Postgres `integer`: ids and versions in paths and bodies stay below it. */
export { INT32_MAX };

/**
 * A positive Postgres `integer` from a path parameter (a rule set version, an id): digits only,
 * 1..2^31-1, else a 400 naming the parameter (Nest's ParseIntPipe let 1e19 through to the
 * database, which answered 500).
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, meta: ArgumentMetadata): number {
    const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (n >= 1 && n <= INT32_MAX) return n;
    throw ProblemException.validation([
      { field: meta.data ?? 'path', reason: `must be a whole number from 1 to ${INT32_MAX}` },
    ]);
  }
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its canonical lower-case form, or undefined when `v` is not one (any case taken). */
export function canonicalUuid(v: unknown): string | undefined {
  return typeof v === 'string' && UUID_TEXT.test(v) ? v.toLowerCase() : undefined;
}

/**
 * A UUID from a path parameter, in its canonical lower-case form (devices send upper-case ones,
 * and anything keyed by the text of an id, a secret's associated data among them, must see one
 * form), else a 400 naming the parameter. In place of Nest's ParseUUIDPipe, whose 400 named no
 * field.
 */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, meta: ArgumentMetadata): string {
    const id = canonicalUuid(value);
    if (id) return id;
    throw ProblemException.validation([{ field: meta.data ?? 'path', reason: 'must be a UUID' }]);
  }
}
