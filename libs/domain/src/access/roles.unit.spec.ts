import fc from 'fast-check';
import { DomainError } from '../domain-error';
import { NATIONAL, ROLES, isRole, parseRole, parseScope, scopeContains, scopeCovers, type Role } from './roles';

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

describe('roles', () => {
  it('lists the four roles', () => {
    expect(ROLES).toEqual(['VILLAGE_OPERATOR', 'VERIFIER', 'AUDITOR', 'ADMIN']);
  });

  it('parseRole accepts the roles and rejects anything else', () => {
    for (const role of ROLES) expect(parseRole(role)).toBe(role);
    expect(isRole('SYSTEM')).toBe(false);
    const error = rejection(() => parseRole('admin'));
    expect([error.kind, error.code]).toEqual(['invalid', 'INVALID_ROLE']);
  });
});

describe('parseScope', () => {
  it.each<[Role, string, string]>([
    ['VILLAGE_OPERATOR', '1872011001', '1872011001'],
    ['VILLAGE_OPERATOR', '18.72.01.1001', '1872011001'],
    ['VERIFIER', '3515', '3515'],
    ['VERIFIER', '35.15', '3515'],
    ['AUDITOR', 'NATIONAL', NATIONAL],
    ['AUDITOR', '35', '35'],
    ['AUDITOR', '3515', '3515'],
    ['ADMIN', 'NATIONAL', NATIONAL],
    ['ADMIN', '18', '18'],
    ['ADMIN', '1872', '1872'],
  ])('%s over %j is %j', (role, input, scope) => {
    expect(parseScope(role, input)).toBe(scope);
  });

  it.each<[Role, string, string]>([
    ['VILLAGE_OPERATOR', 'NATIONAL', 'not NATIONAL'],
    ['VILLAGE_OPERATOR', '1872', 'got a regency code'],
    ['VILLAGE_OPERATOR', '187201', 'got a district code'],
    ['VILLAGE_OPERATOR', '1872013001', 'Village digit 7'],
    ['VERIFIER', 'NATIONAL', 'not NATIONAL'],
    ['VERIFIER', '18', 'got a province code'],
    ['VERIFIER', '1872011001', 'got a village code'],
    ['VERIFIER', '1870', 'Regency digits'],
    ['AUDITOR', '187201', 'got a district code'],
    ['AUDITOR', '1872011001', 'got a village code'],
    ['AUDITOR', 'national', 'A region code has'],
    ['ADMIN', '187201', 'got a district code'],
    ['ADMIN', '', 'A region code has'],
  ])('%s over %j is rejected (%s)', (role, input, why) => {
    const error = rejection(() => parseScope(role, input));
    expect([error.kind, error.code, error.details]).toEqual(['invalid', 'INVALID_SCOPE', { role }]);
    expect(error.message).toContain(why);
  });

  it('rejects an unknown role given at run time', () => {
    expect(rejection(() => parseScope('SYSTEM' as Role, 'NATIONAL')).code).toBe('INVALID_ROLE');
  });
});

describe('scopeContains and scopeCovers', () => {
  it.each([
    [NATIONAL, NATIONAL, true],
    [NATIONAL, '18', true],
    [NATIONAL, '1872011001', true],
    ['18', NATIONAL, false],
    ['18', '18', true],
    ['18', '1872', true],
    ['18', '1872011001', true],
    ['1872', '18', false],
    ['1872', '1871', false],
    ['1872', '1872011001', true],
    ['1872', '18.72.01.1001', false],
    ['', '1872', false],
    ['1', '1872', false],
    [NATIONAL, '', false],
    [NATIONAL, 'garbage', false],
    ['national', '18', false],
  ])('%j contains %j: %s', (outer, inner, expected) => {
    expect(scopeContains(outer, inner)).toBe(expected);
    expect(scopeCovers(outer, inner)).toBe(expected);
  });

  it('property: containment is a partial order on NATIONAL and region codes', () => {
    const scope = fc.oneof(
      fc.constant(NATIONAL),
      fc.constantFrom('18', '1871', '1872', '187201', '1872011001', '1872012002', '35', '3515', '351514'),
    );
    fc.assert(
      fc.property(scope, scope, scope, (a, b, c) => {
        expect(scopeContains(a, a)).toBe(true);
        expect(scopeContains(NATIONAL, a)).toBe(true);
        if (scopeContains(a, b) && scopeContains(b, a)) expect(a).toBe(b);
        if (scopeContains(a, b) && scopeContains(b, c)) expect(scopeContains(a, c)).toBe(true);
      }),
    );
  });
});
