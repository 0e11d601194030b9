import { DomainError } from './domain-error';

describe('DomainError', () => {
  it('carries kind, code, message and details, and is an Error', () => {
    const error = new DomainError('conflict', 'USER_ALREADY_EXISTS', 'A user with this id already exists.', {
      field: 'userId',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.name).toBe('DomainError');
    expect([error.kind, error.code, error.message, error.details]).toEqual([
      'conflict',
      'USER_ALREADY_EXISTS',
      'A user with this id already exists.',
      { field: 'userId' },
    ]);
  });

  it('details are optional', () => {
    expect(new DomainError('not_found', 'USER_NOT_FOUND', 'No user with this id exists.').details).toBeUndefined();
  });
});
