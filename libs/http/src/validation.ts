import { type ArgumentMetadata, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { ApiError, type FieldError } from './api-error';

export const VALIDATION_FAILED = 'VALIDATION_FAILED';

/** Codes for class-validator's own pseudo-constraints; every other constraint name is UPPER_SNAKE-cased. */
const SPECIAL_CODES: Readonly<Record<string, string>> = {
  whitelistValidation: 'UNKNOWN_FIELD',
  unknownValue: 'INVALID_BODY',
  nestedValidation: 'INVALID_NESTED_VALUE',
};

/** `isNotEmpty` -> `IS_NOT_EMPTY`, `isUUID` -> `IS_UUID`, `maxLength` -> `MAX_LENGTH`. */
export function constraintCode(name: string): string {
  const special = SPECIAL_CODES[name];
  if (special) return special;
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

function childPath(parent: string, parentValue: unknown, property: string): string {
  if (Array.isArray(parentValue) && /^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent === '' ? property : `${parent}.${property}`;
}

/** A code given by the DTO (`@IsNotEmpty({ context: { code: 'NIK_REQUIRED' } })`) wins over the derived one. */
function codeOf(error: ValidationError, constraint: string): string {
  const context: unknown = error.contexts?.[constraint];
  if (typeof context === 'object' && context !== null && 'code' in context) {
    const { code } = context;
    if (typeof code === 'string' && code !== '') return code;
  }
  return constraintCode(constraint);
}

/**
 * Turns class-validator's tree of `ValidationError`s into one `FieldError` per bad field (in class-validator's order), with
 * dotted paths (`address.city`; array items in brackets: `members[1].nik`). A field that breaks several rules is
 * reported once, with the first rule class-validator lists. Submitted values are never copied.
 */
export function flattenValidationErrors(errors: readonly ValidationError[], parentPath = ''): FieldError[] {
  const result: FieldError[] = [];
  const visit = (error: ValidationError, parent: string, parentValue: unknown, isRoot: boolean): void => {
    const property = typeof error.property === 'string' ? error.property : '';
    // The root object itself (e.g. an array or a primitive where an object was expected) has no property name.
    const field = isRoot && property === '' ? parent : childPath(parent, parentValue, property);
    const constraints = Object.entries(error.constraints ?? {});
    const first = constraints[0];
    if (first) {
      const [constraint, message] = first;
      result.push({ field, code: codeOf(error, constraint), message });
    }
    for (const child of error.children ?? []) visit(child, field, error.value, false);
  };
  for (const error of errors) visit(error, parentPath, undefined, true);
  return result;
}

/** The `ApiError` a failed validation becomes: 400 `VALIDATION_FAILED`, naming every bad field. */
export function validationFailed(errors: readonly FieldError[]): ApiError {
  const count = errors.length;
  return new ApiError(
    400,
    VALIDATION_FAILED,
    count === 0 ? 'The request is invalid.' : `The request has ${count} invalid field${count === 1 ? '' : 's'}.`,
    { errors },
  );
}

/** `exceptionFactory` of the global `ValidationPipe`. */
export function validationExceptionFactory(errors: ValidationError[]): ApiError {
  return validationFailed(flattenValidationErrors(errors));
}

/**
 * class-validator validates a class, not a list: a JSON array (or a primitive) sent where a DTO is expected would be
 * reported as unknown properties `0`, `1`...; this pipe names the body itself instead.
 */
export class ProblemValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      value !== undefined &&
      (typeof value !== 'object' || value === null || Array.isArray(value)) &&
      this.toValidate(metadata)
    ) {
      throw validationFailed([{ field: '', code: 'INVALID_BODY', message: 'The request body must be a JSON object.' }]);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/**
 * The pipe `configureHttpApp` installs globally: DTOs are transformed into their classes, unknown properties are
 * rejected (so a misspelt field is named instead of silently dropped), every rule of every field is checked, and a
 * failure is a 400 `VALIDATION_FAILED` problem. Submitted values never appear in the answer: `value` stays on the
 * `ValidationError`s only to tell array items from object properties, and `target` is off.
 */
export function createValidationPipe(overrides: ValidationPipeOptions = {}): ValidationPipe {
  return new ProblemValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    validationError: { target: false, value: true },
    exceptionFactory: validationExceptionFactory,
    ...overrides,
  });
}
