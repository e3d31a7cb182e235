import { ValidationPipe } from '@nestjs/common';
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
