import type { Actor } from '../access/roles';
import { DomainError } from '../domain-error';
import { DEFAULT_QUORUM_POLICY } from './quorum';
import {
  quorumPolicyDecider,
  quorumPolicyStreamName,
  type QuorumPolicySet,
  type SetQuorumPolicy,
} from './quorum-policy.decider';

const admin: Actor = { userId: 'admin-1', role: 'ADMIN', scope: '3515' };
const policy = { minimumAttendees: 7, requiredRoles: ['LURAH', 'PSM'] as const, chairMustAttend: true };

const set = (actor: Actor, data: Partial<SetQuorumPolicy['data']> = {}): SetQuorumPolicy => ({
  type: 'SetQuorumPolicy',
  data: { regencyCode: '3515', policy: { ...policy, requiredRoles: [...policy.requiredRoles] }, ...data },
  metadata: { actor, occurredAt: '2026-11-01T09:00:00+07:00' },
});

const given = (events: QuorumPolicySet[]) =>
  events.reduce(quorumPolicyDecider.evolve, quorumPolicyDecider.initialState());

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('quorum policy per regency', () => {
  it('a regency without a policy has the default (chair present and at least 5 attendees)', () => {
    expect(quorumPolicyDecider.initialState().policy).toEqual(DEFAULT_QUORUM_POLICY);
    expect(DEFAULT_QUORUM_POLICY).toMatchObject({ minimumAttendees: 5, chairMustAttend: true });
  });

  it('an administrator of the regency sets it; the stream is named after the regency', () => {
    const events = quorumPolicyDecider.decide(set(admin), given([]));
    expect(events).toEqual([{ type: 'QuorumPolicySet', data: { regencyCode: '3515', policy, setBy: 'admin-1' } }]);
    expect(given(events).policy).toEqual(policy);
    expect(quorumPolicyStreamName('35.15')).toBe('quorumpolicy-3515');
  });

  it('setting the same policy again records nothing', () => {
    const state = given(quorumPolicyDecider.decide(set(admin), given([])));
    expect(quorumPolicyDecider.decide(set(admin), state)).toEqual([]);
  });

  it.each([
    ['a verifier', { userId: 'v', role: 'VERIFIER', scope: '3515' } satisfies Actor, 'ROLE_NOT_ALLOWED'],
    ['an administrator of another regency', { ...admin, scope: '3201' }, 'OUTSIDE_SCOPE'],
  ])('%s is refused', (_who, actor, code) => {
    expect(rejection(() => quorumPolicyDecider.decide(set(actor), given([])))).toMatchObject({ code });
  });

  it.each([
    ['a village code', { regencyCode: '3515142001' }, 'INVALID_REGENCY_CODE'],
    ['a negative minimum', { policy: { ...policy, minimumAttendees: -1 } }, 'INVALID_QUORUM_POLICY'],
    ['an unknown role', { policy: { ...policy, requiredRoles: ['KING'] } }, 'INVALID_QUORUM_POLICY'],
  ])('%s is refused', (_what, data, code) => {
    expect(
      rejection(() => quorumPolicyDecider.decide(set(admin, data as Partial<SetQuorumPolicy['data']>), given([]))),
    ).toMatchObject({ kind: 'invalid', code });
  });

  it('a stream of one regency refuses a policy for another', () => {
    const state = given(quorumPolicyDecider.decide(set(admin), given([])));
    const national: Actor = { ...admin, scope: 'NATIONAL' };
    expect(rejection(() => quorumPolicyDecider.decide(set(national, { regencyCode: '3201' }), state))).toMatchObject({
      code: 'REGENCY_MISMATCH',
    });
  });
});
