import fc from 'fast-check';
import { NATIONAL, parseScope, type Actor, type Role } from '../access/roles';
import { DomainError, type DomainErrorKind } from '../domain-error';
import type { CredentialChange, UserCommand } from './user.commands';
import { decide, evolve, initialState, userDecider, type UserState } from './user.decider';
import { USER_EVENT_TYPES, isUserEventType, userStreamName, type UserEvent } from './user.events';
import { activeGrants, grantsCovering, isActive } from './user.queries';

const AT = '2025-03-01T09:00:00+07:00';
const USER = '0b5c5a3e-8f1d-4c2a-9e57-3a1f2b4c5d6e';

const nationalAdmin: Actor = { userId: 'admin-national', role: 'ADMIN', scope: NATIONAL };
const lampungAdmin: Actor = { userId: 'admin-lampung', role: 'ADMIN', scope: '18' };
const metroAdmin: Actor = { userId: 'admin-metro', role: 'ADMIN', scope: '1872' };
const system: Actor = { userId: 'cli', role: 'SYSTEM', scope: NATIONAL };
const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: '1872' };
const auditor: Actor = { userId: 'u-auditor', role: 'AUDITOR', scope: NATIONAL };
const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: '1872011001' };

// Commands --------------------------------------------------------------------------------------------------------

const meta = (actor: Actor) => ({ actor, occurredAt: AT });
const register = (
  actor: Actor,
  data: Partial<{ userId: string; username: string; displayName: string; homeRegion: string }> = {},
): UserCommand => ({
  type: 'RegisterUser',
  data: { userId: USER, username: 'siti.rahma', displayName: 'Siti Rahma', homeRegion: '1872', ...data },
  metadata: meta(actor),
});
const grant = (actor: Actor, grantId: string, role: Role, scope: string, userId = USER): UserCommand => ({
  type: 'GrantRole',
  data: { userId, grantId, role, scope },
  metadata: meta(actor),
});
const revoke = (actor: Actor, grantId: string, reason = 'Moved to another office', userId = USER): UserCommand => ({
  type: 'RevokeRole',
  data: { userId, grantId, reason },
  metadata: meta(actor),
});
const disable = (actor: Actor, reason = 'On leave', userId = USER): UserCommand => ({
  type: 'DisableUser',
  data: { userId, reason },
  metadata: meta(actor),
});
const enable = (actor: Actor, userId = USER): UserCommand => ({
  type: 'EnableUser',
  data: { userId },
  metadata: meta(actor),
});
const credential = (actor: Actor, change: CredentialChange, userId = USER): UserCommand => ({
  type: 'RecordCredentialChange',
  data: { userId, change },
  metadata: meta(actor),
});

// Events ----------------------------------------------------------------------------------------------------------

const registered = (homeRegion = '1872', userId = USER): UserEvent => ({
  type: 'UserRegistered',
  data: { userId, username: 'siti.rahma', displayName: 'Siti Rahma', homeRegion },
});
const granted = (grantId: string, role: Role, scope: string): UserEvent => ({
  type: 'RoleGranted',
  data: { grantId, role, scope },
});
const revoked = (grantId: string, role: Role, scope: string): UserEvent => ({
  type: 'RoleRevoked',
  data: { grantId, role, scope, reason: 'Moved' },
});
const disabled: UserEvent = { type: 'UserDisabled', data: { reason: 'On leave' } };
const enabled: UserEvent = { type: 'UserEnabled', data: {} };
const credentialChanged = (change: CredentialChange): UserEvent => ({ type: 'CredentialChanged', data: { change } });

// Given / when / then ---------------------------------------------------------------------------------------------

const given = (...events: UserEvent[]): UserState => events.reduce(evolve, initialState());

function rejection(state: UserState, command: UserCommand): DomainError {
  try {
    decide(command, state);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error(`expected ${command.type} to be rejected`);
}

function expectRejection(state: UserState, command: UserCommand, kind: DomainErrorKind, code: string): DomainError {
  const error = rejection(state, command);
  expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
  return error;
}

describe('userDecider', () => {
  it('exposes decide, evolve and initialState', () => {
    expect(userDecider.decide).toBe(decide);
    expect(userDecider.evolve).toBe(evolve);
    expect(userDecider.initialState()).toEqual({
      status: 'none',
      grants: [],
      revokedGrantIds: [],
      credentialSet: false,
    });
  });
});

describe('RegisterUser', () => {
  it('given no user, when an admin registers one inside their scope, then UserRegistered (normalised)', () => {
    const events = decide(
      register(lampungAdmin, { homeRegion: '18.72.01.1001', displayName: '  Siti Rahma ' }),
      given(),
    );
    expect(events).toEqual([
      {
        type: 'UserRegistered',
        data: { userId: USER, username: 'siti.rahma', displayName: 'Siti Rahma', homeRegion: '1872011001' },
      },
    ]);
  });

  it('the SYSTEM operator registers a national user', () => {
    expect(decide(register(system, { homeRegion: 'NATIONAL' }), given())[0]?.data).toMatchObject({
      homeRegion: NATIONAL,
    });
  });

  it('an admin registers a user in their own region', () => {
    expect(decide(register(metroAdmin, { homeRegion: '1872' }), given())).toHaveLength(1);
  });

  it.each([verifier, auditor, operator])('a $role may not register users: ADMIN_REQUIRED', (actor) => {
    expectRejection(given(), register(actor), 'forbidden', 'ADMIN_REQUIRED');
  });

  it.each([
    [lampungAdmin, '3515'],
    [lampungAdmin, NATIONAL],
    [metroAdmin, '18'],
    [metroAdmin, '1871011001'],
  ])('admin over %j may not register a user homed in %j: OUTSIDE_ADMIN_SCOPE', (actor, homeRegion) => {
    expectRejection(given(), register(actor, { homeRegion }), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
  });

  it('given a registered user, registering the id again is USER_ALREADY_EXISTS', () => {
    expectRejection(given(registered()), register(nationalAdmin), 'conflict', 'USER_ALREADY_EXISTS');
  });

  it.each(['ab', 'Siti', 'siti rahma', 'siti@desa', 'a'.repeat(65), '', 'sïti'])(
    'username %j is INVALID_USERNAME',
    (username) => {
      expectRejection(given(), register(nationalAdmin, { username }), 'invalid', 'INVALID_USERNAME');
    },
  );

  it.each(['abc', 'siti.rahma_01-x', 'a'.repeat(64)])('username %j is accepted', (username) => {
    expect(decide(register(nationalAdmin, { username }), given())[0]?.data).toMatchObject({ username });
  });

  it.each(['', '   ', 'x'.repeat(121), 'Siti\nRahma', 'Siti\u0000', 'Siti\u202Eamhar', 'Siti\u2028Rahma'])(
    'display name %j is INVALID_DISPLAY_NAME',
    (displayName) => {
      expectRejection(given(), register(nationalAdmin, { displayName }), 'invalid', 'INVALID_DISPLAY_NAME');
    },
  );

  it('a display name counts characters, not UTF-16 units', () => {
    const displayName = '😀'.repeat(120);
    expect(decide(register(nationalAdmin, { displayName }), given())[0]?.data).toMatchObject({ displayName });
  });

  it.each(['', '1870', 'national', '18.72.1'])('home region %j is INVALID_HOME_REGION', (homeRegion) => {
    expectRejection(given(), register(nationalAdmin, { homeRegion }), 'invalid', 'INVALID_HOME_REGION');
  });

  it.each(['', 'user:1', 'a b', '-x', 'x'.repeat(101)])('user id %j is INVALID_ID', (userId) => {
    expectRejection(given(), register(nationalAdmin, { userId }), 'invalid', 'INVALID_ID');
  });

  it('rejection messages carry no personal data', () => {
    const error = rejection(given(), register(nationalAdmin, { displayName: 'Siti\nRahma' }));
    expect(error.message).not.toContain('Siti');
  });
});

describe('GrantRole', () => {
  it('given an active user, when an admin grants a role inside their scope, then RoleGranted (normalised scope)', () => {
    expect(decide(grant(lampungAdmin, 'g1', 'VILLAGE_OPERATOR', '18.72.01.1001'), given(registered()))).toEqual([
      { type: 'RoleGranted', data: { grantId: 'g1', role: 'VILLAGE_OPERATOR', scope: '1872011001' } },
    ]);
  });

  it('a user may hold several grants, and the same role and scope again after a revocation', () => {
    const state = given(registered(), granted('g1', 'VERIFIER', '1872'), revoked('g1', 'VERIFIER', '1872'));
    expect(decide(grant(lampungAdmin, 'g2', 'VERIFIER', '1872'), state)).toHaveLength(1);
    const two = given(registered(), granted('g1', 'VERIFIER', '1872'));
    expect(decide(grant(lampungAdmin, 'g2', 'VERIFIER', '1871'), two)).toHaveLength(1);
    expect(decide(grant(lampungAdmin, 'g3', 'AUDITOR', '1872'), two)).toHaveLength(1);
  });

  it('the SYSTEM operator grants the first national ADMIN', () => {
    expect(decide(grant(system, 'g1', 'ADMIN', 'NATIONAL'), given(registered(NATIONAL)))).toHaveLength(1);
  });

  it.each([verifier, auditor, operator])('a $role may not grant roles: ADMIN_REQUIRED', (actor) => {
    expectRejection(given(registered()), grant(actor, 'g1', 'VERIFIER', '1872'), 'forbidden', 'ADMIN_REQUIRED');
  });

  it('given no user, USER_NOT_FOUND', () => {
    expectRejection(given(), grant(nationalAdmin, 'g1', 'VERIFIER', '1872'), 'not_found', 'USER_NOT_FOUND');
  });

  it.each<[Role, string]>([
    ['VILLAGE_OPERATOR', '1872'],
    ['VERIFIER', '18'],
    ['VERIFIER', NATIONAL],
    ['AUDITOR', '187201'],
    ['ADMIN', '1872011001'],
  ])('%s over %j is INVALID_SCOPE', (role, scope) => {
    expectRejection(given(registered()), grant(nationalAdmin, 'g1', role, scope), 'invalid', 'INVALID_SCOPE');
  });

  it('an unknown role is INVALID_ROLE', () => {
    const command = grant(nationalAdmin, 'g1', 'SUPERUSER' as Role, NATIONAL);
    expectRejection(given(registered()), command, 'invalid', 'INVALID_ROLE');
  });

  it('a grant id unfit for a stream is INVALID_ID', () => {
    expectRejection(given(registered()), grant(nationalAdmin, 'g:1', 'VERIFIER', '1872'), 'invalid', 'INVALID_ID');
  });

  it('a scope outside the admin scope is OUTSIDE_ADMIN_SCOPE', () => {
    const state = given(registered('1872'));
    expectRejection(state, grant(metroAdmin, 'g1', 'AUDITOR', '18'), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
    expectRejection(state, grant(lampungAdmin, 'g1', 'AUDITOR', NATIONAL), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
    expectRejection(state, grant(metroAdmin, 'g1', 'VERIFIER', '1871'), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
  });

  it('a user homed outside the admin scope is OUTSIDE_ADMIN_SCOPE, even for a scope inside it', () => {
    const state = given(registered('18'));
    expectRejection(state, grant(metroAdmin, 'g1', 'VERIFIER', '1872'), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
  });

  it('an admin may not grant a role to themself: SELF_GRANT', () => {
    const state = given(registered(NATIONAL, nationalAdmin.userId), granted('g0', 'ADMIN', NATIONAL));
    const command = grant(nationalAdmin, 'g1', 'VERIFIER', '1872', nationalAdmin.userId);
    expectRejection(state, command, 'forbidden', 'SELF_GRANT');
  });

  it('given a disabled user, USER_DISABLED', () => {
    const state = given(registered(), disabled);
    expectRejection(state, grant(nationalAdmin, 'g1', 'VERIFIER', '1872'), 'conflict', 'USER_DISABLED');
  });

  it('the same role over the same scope twice is GRANT_ALREADY_HELD', () => {
    const state = given(registered(), granted('g1', 'VERIFIER', '1872'));
    expectRejection(state, grant(nationalAdmin, 'g2', 'VERIFIER', '18.72'), 'conflict', 'GRANT_ALREADY_HELD');
  });

  it('a grant id already held or revoked is GRANT_ID_ALREADY_USED', () => {
    const held = given(registered(), granted('g1', 'VERIFIER', '1872'));
    expectRejection(held, grant(nationalAdmin, 'g1', 'AUDITOR', '18'), 'conflict', 'GRANT_ID_ALREADY_USED');
    const gone = given(registered(), granted('g1', 'VERIFIER', '1872'), revoked('g1', 'VERIFIER', '1872'));
    expectRejection(gone, grant(nationalAdmin, 'g1', 'AUDITOR', '18'), 'conflict', 'GRANT_ID_ALREADY_USED');
  });
});

describe('RevokeRole', () => {
  const holding = given(registered(), granted('g1', 'VERIFIER', '1872'), granted('g2', 'AUDITOR', NATIONAL));

  it('given a held grant, when an admin revokes it, then RoleRevoked with its role, scope and trimmed reason', () => {
    expect(decide(revoke(metroAdmin, 'g1', '  Moved to Dinsos Lampung Tengah '), holding)).toEqual([
      {
        type: 'RoleRevoked',
        data: { grantId: 'g1', role: 'VERIFIER', scope: '1872', reason: 'Moved to Dinsos Lampung Tengah' },
      },
    ]);
  });

  it('a grant may be revoked from a disabled user', () => {
    expect(
      decide(revoke(metroAdmin, 'g1'), given(registered(), granted('g1', 'VERIFIER', '1872'), disabled)),
    ).toHaveLength(1);
  });

  it.each([verifier, auditor, operator])('a $role may not revoke: ADMIN_REQUIRED', (actor) => {
    expectRejection(holding, revoke(actor, 'g1'), 'forbidden', 'ADMIN_REQUIRED');
  });

  it('given no user, USER_NOT_FOUND', () => {
    expectRejection(given(), revoke(nationalAdmin, 'g1'), 'not_found', 'USER_NOT_FOUND');
  });

  it('an unknown grant is GRANT_NOT_FOUND', () => {
    expectRejection(holding, revoke(nationalAdmin, 'g9'), 'not_found', 'GRANT_NOT_FOUND');
  });

  it('a grant already revoked is GRANT_ALREADY_REVOKED', () => {
    const state = given(registered(), granted('g1', 'VERIFIER', '1872'), revoked('g1', 'VERIFIER', '1872'));
    expectRejection(state, revoke(nationalAdmin, 'g1'), 'conflict', 'GRANT_ALREADY_REVOKED');
  });

  it.each(['', '   ', 'x'.repeat(501)])('reason %j is INVALID_REASON', (reason) => {
    expectRejection(holding, revoke(nationalAdmin, 'g1', reason), 'invalid', 'INVALID_REASON');
  });

  it('a reason of 500 characters is accepted', () => {
    expect(decide(revoke(nationalAdmin, 'g1', 'x'.repeat(500)), holding)).toHaveLength(1);
  });

  it('a user homed outside the admin scope is OUTSIDE_ADMIN_SCOPE', () => {
    expectRejection(holding, revoke({ ...metroAdmin, scope: '1871' }, 'g1'), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
  });

  it('a grant whose scope is wider than the admin scope is OUTSIDE_ADMIN_SCOPE', () => {
    expectRejection(holding, revoke(metroAdmin, 'g2'), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
  });

  describe('self-lockout', () => {
    const self = lampungAdmin.userId;
    const oneAdminGrant = given(registered('18', self), granted('a1', 'ADMIN', '18'), granted('v1', 'AUDITOR', '18'));

    it('an admin may not revoke their own last ADMIN grant: SELF_LOCKOUT', () => {
      expectRejection(oneAdminGrant, revoke(lampungAdmin, 'a1', 'x', self), 'forbidden', 'SELF_LOCKOUT');
    });

    it('an admin may revoke their own other grants, and an ADMIN grant when another remains', () => {
      expect(decide(revoke(lampungAdmin, 'v1', 'x', self), oneAdminGrant)).toHaveLength(1);
      const twoAdminGrants = given(
        registered('18', self),
        granted('a1', 'ADMIN', '18'),
        granted('a2', 'ADMIN', '1872'),
      );
      expect(decide(revoke(lampungAdmin, 'a2', 'x', self), twoAdminGrants)).toHaveLength(1);
    });

    it("another admin may revoke a user's last ADMIN grant", () => {
      expect(decide(revoke(nationalAdmin, 'a1', 'x', self), oneAdminGrant)).toHaveLength(1);
    });
  });
});

describe('DisableUser', () => {
  it('given an active user, when an admin disables them, then UserDisabled with the trimmed reason', () => {
    expect(decide(disable(metroAdmin, ' Left the office '), given(registered()))).toEqual([
      { type: 'UserDisabled', data: { reason: 'Left the office' } },
    ]);
  });

  it.each([verifier, auditor, operator])('a $role may not disable: ADMIN_REQUIRED', (actor) => {
    expectRejection(given(registered()), disable(actor), 'forbidden', 'ADMIN_REQUIRED');
  });

  it('given no user, USER_NOT_FOUND', () => {
    expectRejection(given(), disable(nationalAdmin), 'not_found', 'USER_NOT_FOUND');
  });

  it('a user homed outside the admin scope is OUTSIDE_ADMIN_SCOPE', () => {
    expectRejection(given(registered('1871')), disable(metroAdmin), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
  });

  it('a user holding a role wider than the admin scope is OUTSIDE_ADMIN_SCOPE', () => {
    const state = given(registered('1872'), granted('g1', 'ADMIN', NATIONAL));
    expectRejection(state, disable(lampungAdmin), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
  });

  it('an admin may not disable themself: SELF_LOCKOUT', () => {
    const state = given(registered('18', lampungAdmin.userId), granted('a1', 'ADMIN', '18'));
    expectRejection(state, disable(lampungAdmin, 'x', lampungAdmin.userId), 'forbidden', 'SELF_LOCKOUT');
  });

  it('given a disabled user, USER_ALREADY_DISABLED', () => {
    expectRejection(given(registered(), disabled), disable(nationalAdmin), 'conflict', 'USER_ALREADY_DISABLED');
  });

  it('an empty reason is INVALID_REASON', () => {
    expectRejection(given(registered()), disable(nationalAdmin, ' '), 'invalid', 'INVALID_REASON');
  });
});

describe('EnableUser', () => {
  it('given a disabled user, when an admin enables them, then UserEnabled', () => {
    expect(decide(enable(metroAdmin), given(registered(), disabled))).toEqual([{ type: 'UserEnabled', data: {} }]);
  });

  it.each([verifier, auditor, operator])('a $role may not enable: ADMIN_REQUIRED', (actor) => {
    expectRejection(given(registered(), disabled), enable(actor), 'forbidden', 'ADMIN_REQUIRED');
  });

  it('given no user, USER_NOT_FOUND', () => {
    expectRejection(given(), enable(nationalAdmin), 'not_found', 'USER_NOT_FOUND');
  });

  it('a user homed outside, or holding a role wider than, the admin scope is OUTSIDE_ADMIN_SCOPE', () => {
    expectRejection(given(registered('1871'), disabled), enable(metroAdmin), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
    const wide = given(registered('1872'), granted('g1', 'AUDITOR', '18'), disabled);
    expectRejection(wide, enable(metroAdmin), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
  });

  it('given an active user, USER_ALREADY_ACTIVE', () => {
    expectRejection(given(registered()), enable(nationalAdmin), 'conflict', 'USER_ALREADY_ACTIVE');
  });
});

describe('RecordCredentialChange', () => {
  it('given a new user, when an admin records the initial credential, then CredentialChanged carrying only how', () => {
    const events = decide(credential(metroAdmin, 'INITIAL'), given(registered()));
    expect(events).toEqual([{ type: 'CredentialChanged', data: { change: 'INITIAL' } }]);
  });

  it('given a credential, INITIAL again is CREDENTIAL_ALREADY_SET; a reset by an admin is accepted', () => {
    const state = given(registered(), credentialChanged('INITIAL'));
    expectRejection(state, credential(metroAdmin, 'INITIAL'), 'conflict', 'CREDENTIAL_ALREADY_SET');
    expect(decide(credential(metroAdmin, 'RESET_BY_ADMIN'), state)).toHaveLength(1);
  });

  it('an admin may reset the credential of a disabled user', () => {
    expect(decide(credential(metroAdmin, 'RESET_BY_ADMIN'), given(registered(), disabled))).toHaveLength(1);
  });

  it.each<CredentialChange>(['INITIAL', 'RESET_BY_ADMIN'])(
    'a non-admin may not record %s: ADMIN_REQUIRED',
    (change) => {
      expectRejection(given(registered()), credential(verifier, change), 'forbidden', 'ADMIN_REQUIRED');
    },
  );

  it('a reset outside the admin scope, or of a user with wider powers, is OUTSIDE_ADMIN_SCOPE', () => {
    expectRejection(
      given(registered('1871')),
      credential(metroAdmin, 'RESET_BY_ADMIN'),
      'forbidden',
      'OUTSIDE_ADMIN_SCOPE',
    );
    const nationalUser = given(registered('1872'), granted('g1', 'ADMIN', NATIONAL));
    expectRejection(nationalUser, credential(lampungAdmin, 'RESET_BY_ADMIN'), 'forbidden', 'OUTSIDE_ADMIN_SCOPE');
  });

  it('the user themself changes their credential, whatever role they act in', () => {
    const state = given(registered('1872', verifier.userId), credentialChanged('INITIAL'));
    const command = credential(verifier, 'CHANGED_BY_USER', verifier.userId);
    expect(decide(command, state)).toEqual([{ type: 'CredentialChanged', data: { change: 'CHANGED_BY_USER' } }]);
  });

  it.each([nationalAdmin, system, verifier])(
    '$userId may not change another user credential: NOT_OWN_CREDENTIAL',
    (actor) => {
      expectRejection(given(registered()), credential(actor, 'CHANGED_BY_USER'), 'forbidden', 'NOT_OWN_CREDENTIAL');
    },
  );

  it('a disabled user may not change their credential: USER_DISABLED', () => {
    const state = given(registered('1872', verifier.userId), disabled);
    const command = credential(verifier, 'CHANGED_BY_USER', verifier.userId);
    expectRejection(state, command, 'conflict', 'USER_DISABLED');
  });

  it.each<CredentialChange>(['INITIAL', 'CHANGED_BY_USER'])('given no user, %s is USER_NOT_FOUND', (change) => {
    expectRejection(given(), credential({ ...nationalAdmin, userId: USER }, change), 'not_found', 'USER_NOT_FOUND');
  });

  it('an unknown kind of change is INVALID_CREDENTIAL_CHANGE', () => {
    const command = credential(nationalAdmin, 'PASSWORD' as CredentialChange);
    expectRejection(given(registered()), command, 'invalid', 'INVALID_CREDENTIAL_CHANGE');
  });
});

describe('RecordCredentialChange for API tokens', () => {
  const TOKEN = '5f2d7c1e-0a3b-4c5d-8e9f-102132435465';
  const tokenChange = (actor: Actor, change: CredentialChange, credentialId?: string): UserCommand => ({
    type: 'RecordCredentialChange',
    data: { userId: USER, change, ...(credentialId === undefined ? {} : { credentialId }) },
    metadata: meta(actor),
  });

  it.each<CredentialChange>(['API_TOKEN_ISSUED', 'API_TOKEN_REVOKED'])(
    'records %s with the token id, never the token, when an administrator in scope asks',
    (change) => {
      expect(decide(tokenChange(metroAdmin, change, TOKEN), given(registered()))).toEqual([
        { type: 'CredentialChanged', data: { change, credentialId: TOKEN } },
      ]);
    },
  );

  it('requires the token id', () => {
    expectRejection(given(registered()), tokenChange(metroAdmin, 'API_TOKEN_ISSUED'), 'invalid', 'INVALID_ID');
  });

  it('refuses administrators outside the user region and non-administrators', () => {
    const state = given(registered('1872'));
    expectRejection(
      state,
      tokenChange({ ...lampungAdmin, scope: '17' }, 'API_TOKEN_ISSUED', TOKEN),
      'forbidden',
      'OUTSIDE_ADMIN_SCOPE',
    );
    expectRejection(state, tokenChange(verifier, 'API_TOKEN_ISSUED', TOKEN), 'forbidden', 'ADMIN_REQUIRED');
  });

  it('refuses a token for a disabled user but still records revoking one', () => {
    const state = given(registered(), disabled);
    expectRejection(state, tokenChange(metroAdmin, 'API_TOKEN_ISSUED', TOKEN), 'conflict', 'USER_DISABLED');
    expect(decide(tokenChange(metroAdmin, 'API_TOKEN_REVOKED', TOKEN), state)).toHaveLength(1);
  });

  it('does not count an API token as the password credential', () => {
    const state = given(registered(), {
      type: 'CredentialChanged',
      data: { change: 'API_TOKEN_ISSUED', credentialId: TOKEN },
    });
    expect(state.credentialSet).toBe(false);
    expect(decide(credential(metroAdmin, 'INITIAL'), state)).toHaveLength(1);
  });
});

describe('evolve and queries', () => {
  it('folds a history into the current user', () => {
    const state = given(
      registered('1872'),
      credentialChanged('INITIAL'),
      granted('g1', 'VERIFIER', '1872'),
      granted('g2', 'AUDITOR', '18'),
      revoked('g1', 'VERIFIER', '1872'),
      disabled,
      enabled,
    );
    expect(state).toEqual({
      status: 'active',
      userId: USER,
      username: 'siti.rahma',
      displayName: 'Siti Rahma',
      homeRegion: '1872',
      grants: [{ grantId: 'g2', role: 'AUDITOR', scope: '18' }],
      revokedGrantIds: ['g1'],
      credentialSet: true,
    });
  });

  it('ignores an event of an unknown type', () => {
    const state = given(registered());
    expect(evolve(state, { type: 'SomethingNew', data: {} } as unknown as UserEvent)).toBe(state);
  });

  it('activeGrants and isActive: none while disabled or unknown', () => {
    const holding = given(registered(), granted('g1', 'VERIFIER', '1872'));
    expect(isActive(holding)).toBe(true);
    expect(activeGrants(holding)).toEqual([{ grantId: 'g1', role: 'VERIFIER', scope: '1872' }]);
    expect(isActive(given())).toBe(false);
    expect(activeGrants(given())).toEqual([]);
    const off = evolve(holding, disabled);
    expect(isActive(off)).toBe(false);
    expect(activeGrants(off)).toEqual([]);
    expect(off.grants).toHaveLength(1);
  });

  it('grantsCovering finds the active grants of a role over a region', () => {
    const state = given(
      registered(NATIONAL),
      granted('g1', 'VERIFIER', '1872'),
      granted('g2', 'AUDITOR', NATIONAL),
      granted('g3', 'VILLAGE_OPERATOR', '1872011001'),
    );
    expect(grantsCovering(state, 'VERIFIER', '1872011001').map((g) => g.grantId)).toEqual(['g1']);
    expect(grantsCovering(state, 'VERIFIER', '1871011001')).toEqual([]);
    expect(grantsCovering(state, 'AUDITOR', '3515').map((g) => g.grantId)).toEqual(['g2']);
    expect(grantsCovering(state, 'AUDITOR', NATIONAL).map((g) => g.grantId)).toEqual(['g2']);
    expect(grantsCovering(state, 'VILLAGE_OPERATOR', '1872')).toEqual([]);
    expect(grantsCovering(evolve(state, disabled), 'VERIFIER', '1872')).toEqual([]);
  });
});

describe('stream and event names', () => {
  it('names the stream user-<id> and refuses ids unfit for a stream name', () => {
    expect(userStreamName(USER)).toBe(`user-${USER}`);
    expect(() => userStreamName('a:b')).toThrow(expect.objectContaining({ code: 'INVALID_ID' }));
  });

  it('lists the event types', () => {
    expect(USER_EVENT_TYPES).toEqual([
      'UserRegistered',
      'RoleGranted',
      'RoleRevoked',
      'UserDisabled',
      'UserEnabled',
      'CredentialChanged',
    ]);
    expect(isUserEventType('RoleGranted')).toBe(true);
    expect(isUserEventType('ProposalSubmitted')).toBe(false);
  });
});

describe('property: any sequence of commands', () => {
  const actors = fc.constantFrom(nationalAdmin, lampungAdmin, metroAdmin, system, verifier, {
    ...verifier,
    userId: USER,
  });
  const grantIds = fc.constantFrom('g1', 'g2', 'g3');
  const roles = fc.constantFrom<Role>('VILLAGE_OPERATOR', 'VERIFIER', 'AUDITOR', 'ADMIN');
  const scopes = fc.constantFrom(NATIONAL, '18', '1872', '1871', '1872011001', '35');
  const users = fc.constantFrom(USER, lampungAdmin.userId);
  const command: fc.Arbitrary<UserCommand> = fc.oneof(
    fc
      .tuple(actors, fc.constantFrom('1872', '18', NATIONAL), users)
      .map(([a, homeRegion, userId]) => register(a, { homeRegion, userId })),
    fc
      .tuple(actors, grantIds, roles, scopes, users)
      .map(([a, id, role, scope, userId]) => grant(a, id, role, scope, userId)),
    fc.tuple(actors, grantIds, users).map(([a, id, userId]) => revoke(a, id, 'x', userId)),
    fc.tuple(actors, users).map(([a, userId]) => disable(a, 'x', userId)),
    fc.tuple(actors, users).map(([a, userId]) => enable(a, userId)),
    fc
      .tuple(actors, fc.constantFrom<CredentialChange>('INITIAL', 'RESET_BY_ADMIN', 'CHANGED_BY_USER'), users)
      .map(([a, change, userId]) => credential(a, change, userId)),
  );

  it('only ever rejects with a DomainError, and keeps the grants consistent', () => {
    fc.assert(
      fc.property(users, fc.array(command, { maxLength: 30 }), (streamUser, commands) => {
        let state = initialState();
        for (const candidate of commands) {
          if (candidate.data.userId !== streamUser) continue;
          let events: UserEvent[] = [];
          try {
            events = decide(candidate, state);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          expect(
            ['ADMIN', 'SYSTEM'].includes(candidate.metadata.actor.role) ||
              candidate.metadata.actor.userId === streamUser,
          ).toBe(true);
          state = events.reduce(evolve, state);
        }
        const ids = state.grants.map((g) => g.grantId);
        expect(new Set(ids).size).toBe(ids.length);
        expect(new Set(state.grants.map((g) => `${g.role}@${g.scope}`)).size).toBe(ids.length);
        for (const g of state.grants) {
          expect(state.revokedGrantIds).not.toContain(g.grantId);
          expect(parseScope(g.role, g.scope)).toBe(g.scope);
        }
      }),
      { numRuns: 500 },
    );
  });
});
