import 'reflect-metadata';
import { Type, plainToInstance } from 'class-transformer';
import {
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  type ValidationError,
  validate,
} from 'class-validator';
import { ApiError } from './api-error';
import {
  constraintCode,
  createValidationPipe,
  flattenValidationErrors,
  validationExceptionFactory,
} from './validation';

class Address {
  @IsString()
  @IsNotEmpty()
  city!: string;

  @Matches(/^\d{5}$/, { message: 'postalCode must be 5 digits', context: { code: 'POSTAL_CODE_FORMAT' } })
  postalCode!: string;
}

class Member {
  @Matches(/^\d{16}$/, { message: 'nik must be 16 digits' })
  nik!: string;
}

class Household {
  @IsString()
  name!: string;

  @IsInt()
  @Min(1)
  @Max(20)
  size!: number;

  @ValidateNested()
  @Type(() => Address)
  address!: Address;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Member)
  members?: Member[];
}

async function errorsOf(plain: unknown): Promise<ValidationError[]> {
  const instance = plainToInstance(Household, plain);
  return validate(instance as object, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true });
}

const valid = { name: 'Sari', size: 3, address: { city: 'Bandung', postalCode: '40111' } };

describe('flattenValidationErrors', () => {
  it('returns nothing for a valid object', async () => {
    expect(flattenValidationErrors(await errorsOf(valid))).toEqual([]);
  });

  it('names every bad field once, with a code from its first broken rule', async () => {
    const errors = flattenValidationErrors(await errorsOf({ ...valid, name: 42, size: 'many' }));
    expect(errors.map((e) => e.field)).toEqual(['name', 'size']);
    expect(errors[0]).toEqual({ field: 'name', code: 'IS_STRING', message: 'name must be a string' });
    expect(errors[1]?.field).toBe('size');
    expect(['IS_INT', 'MIN', 'MAX']).toContain(errors[1]?.code);
  });

  it('uses dotted paths into nested objects and brackets for array items', async () => {
    const errors = flattenValidationErrors(
      await errorsOf({
        ...valid,
        address: { city: '', postalCode: '4011' },
        members: [{ nik: '3201010101010001' }, { nik: '12' }, { nik: 'x' }],
      }),
    );
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ['address.city', 'IS_NOT_EMPTY'],
      ['address.postalCode', 'POSTAL_CODE_FORMAT'],
      ['members[1].nik', 'MATCHES'],
      ['members[2].nik', 'MATCHES'],
    ]);
  });

  it('reports a nested value that is not an object, and unknown properties', async () => {
    const errors = flattenValidationErrors(
      await errorsOf({ name: 'Sari', size: 3, address: 'Jalan Merdeka 1', colour: 'red' }),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'address', code: 'INVALID_NESTED_VALUE' }),
        { field: 'colour', code: 'UNKNOWN_FIELD', message: 'property colour should not exist' },
      ]),
    );
    expect(errors).toHaveLength(2);
    expect(JSON.stringify(errors)).not.toContain('Merdeka');
  });

  it('never copies the submitted value', async () => {
    const secret = '3201019999999999-secret';
    const errors = flattenValidationErrors(await errorsOf({ ...valid, name: 7, members: [{ nik: secret }] }));
    expect(JSON.stringify(errors)).not.toContain(secret);
  });

  it('prefixes a parent path and handles hand-made trees', () => {
    const tree: ValidationError[] = [
      {
        property: 'items',
        value: [{}, {}],
        children: [
          {
            property: '1',
            value: {},
            children: [{ property: 'qty', value: -1, constraints: { min: 'qty must not be less than 1' } }],
          },
        ],
      },
    ];
    expect(flattenValidationErrors(tree, 'body')).toEqual([
      { field: 'body.items[1].qty', code: 'MIN', message: 'qty must not be less than 1' },
    ]);
  });
});

describe('constraintCode', () => {
  it.each([
    ['isNotEmpty', 'IS_NOT_EMPTY'],
    ['isUUID', 'IS_UUID'],
    ['maxLength', 'MAX_LENGTH'],
    ['isISO8601', 'IS_ISO8601'],
    ['whitelistValidation', 'UNKNOWN_FIELD'],
    ['nestedValidation', 'INVALID_NESTED_VALUE'],
    ['unknownValue', 'INVALID_BODY'],
    ['is-nik', 'IS_NIK'],
  ])('%s -> %s', (name, code) => {
    expect(constraintCode(name)).toBe(code);
  });
});

describe('validationExceptionFactory and the global pipe', () => {
  it('makes a 400 VALIDATION_FAILED ApiError listing the fields', async () => {
    const error = validationExceptionFactory(await errorsOf({ ...valid, name: 1, size: 0 }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe('The request has 2 invalid fields.');
    expect(error.errors?.map((e) => e.field)).toEqual(['name', 'size']);
  });

  it('the pipe rejects a body naming every bad field and passes a good one through as an instance', async () => {
    const pipe = createValidationPipe();
    const metadata = { type: 'body' as const, metatype: Household, data: undefined };
    await expect(pipe.transform({ ...valid, size: 99, extra: true }, metadata)).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: expect.arrayContaining([
        expect.objectContaining({ field: 'size', code: 'MAX' }),
        expect.objectContaining({ field: 'extra', code: 'UNKNOWN_FIELD' }),
      ]),
    });
    await expect(pipe.transform(valid, metadata)).resolves.toBeInstanceOf(Household);
  });

  it('the pipe names the body itself when it is not an object', async () => {
    const pipe = createValidationPipe();
    const metadata = { type: 'body' as const, metatype: Household, data: undefined };
    for (const body of [[valid], 'text', 42, null]) {
      await expect(pipe.transform(body, metadata)).rejects.toMatchObject({
        status: 400,
        errors: [{ field: '', code: 'INVALID_BODY', message: 'The request body must be a JSON object.' }],
      });
    }
    // Parameters that are not DTOs pass untouched.
    await expect(pipe.transform([1, 2], { type: 'body', metatype: Array, data: undefined })).resolves.toEqual([1, 2]);
    await expect(pipe.transform('7', { type: 'param', metatype: String, data: 'id' })).resolves.toBe('7');
  });
});
