import type { Actor } from '../access/roles';
import { DomainError } from '../domain-error';
import { erasureDecider, erasureStreamName, type EraseHousehold, type ErasureState } from './erasure.decider';

const HOUSEHOLD = '0b5c8f6e-1f2a-4c3d-9e8f-123456789abc';
const admin: Actor = { userId: 'admin-1', role: 'ADMIN', scope: '3515' };
const AT = '2026-11-20T09:00:00+07:00';

const erase = (actor: Actor, data: Partial<EraseHousehold['data']> = {}): EraseHousehold => ({
  type: 'EraseHousehold',
  data: {
    householdId: HOUSEHOLD,
    villageCode: '3515142001',
    legalBasisRef: 'Surat Dinsos 470/123/2026',
    requestedAt: '2026-11-18',
    ...data,
  },
  metadata: { actor, occurredAt: AT },
});

const fresh: ErasureState = erasureDecider.initialState();

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('erasure of a household', () => {
  it('an administrator of the region erases: HouseholdErased with the basis, the approver and no personal data', () => {
    expect(erasureDecider.decide(erase(admin, { legalBasisRef: '  Surat 470/123  ' }), fresh)).toEqual([
      {
        type: 'HouseholdErased',
        data: {
          householdId: HOUSEHOLD,
          legalBasisRef: 'Surat 470/123',
          requestedAt: '2026-11-18',
          approvedBy: 'admin-1',
          erasedAt: AT,
        },
      },
    ]);
    expect(erasureStreamName(HOUSEHOLD)).toBe(`erasure-${HOUSEHOLD}`);
  });

  it('a request made the same day is accepted', () => {
    expect(erasureDecider.decide(erase(admin, { requestedAt: '2026-11-20' }), fresh)).toHaveLength(1);
  });

  it('once erased, the state says so and a second erasure is HOUSEHOLD_ALREADY_ERASED (409)', () => {
    const [event] = erasureDecider.decide(erase(admin), fresh);
    const state = erasureDecider.evolve(fresh, event!);
    expect(state).toEqual({ erased: true });
    const error = rejection(() => erasureDecider.decide(erase(admin), state));
    expect([error.kind, error.code]).toEqual(['conflict', 'HOUSEHOLD_ALREADY_ERASED']);
  });

  it.each<Actor['role']>(['VILLAGE_OPERATOR', 'VERIFIER', 'AUDITOR', 'SYSTEM'])(
    'a %s may not erase: ROLE_NOT_ALLOWED',
    (role) => {
      const error = rejection(() => erasureDecider.decide(erase({ ...admin, role }), fresh));
      expect([error.kind, error.code]).toEqual(['forbidden', 'ROLE_NOT_ALLOWED']);
    },
  );

  it('an administrator of another region may not: OUTSIDE_SCOPE', () => {
    const error = rejection(() => erasureDecider.decide(erase({ ...admin, scope: '3516' }), fresh));
    expect([error.kind, error.code]).toEqual(['forbidden', 'OUTSIDE_SCOPE']);
    expect(erasureDecider.decide(erase({ ...admin, scope: 'NATIONAL' }), fresh)).toHaveLength(1);
  });

  it.each(['', '  ', 'ab', 'x'.repeat(201), 'Surat\n470'])('legal basis %j: LEGAL_BASIS_REQUIRED', (legalBasisRef) => {
    const error = rejection(() => erasureDecider.decide(erase(admin, { legalBasisRef }), fresh));
    expect([error.kind, error.code]).toEqual(['invalid', 'LEGAL_BASIS_REQUIRED']);
  });

  it.each(['Permintaan 3515140101800001', 'KK 3515.1401.0180.0009'])(
    'a legal basis holding a NIK-like number (%j): LEGAL_BASIS_HAS_IDENTITY_NUMBER',
    (legalBasisRef) => {
      const error = rejection(() => erasureDecider.decide(erase(admin, { legalBasisRef }), fresh));
      expect([error.kind, error.code]).toEqual(['invalid', 'LEGAL_BASIS_HAS_IDENTITY_NUMBER']);
    },
  );

  it.each(['2026-11-21', '2026-02-30', '18-11-2026', ''])('requestedAt %j: INVALID_REQUESTED_AT', (requestedAt) => {
    const error = rejection(() => erasureDecider.decide(erase(admin, { requestedAt }), fresh));
    expect([error.kind, error.code]).toEqual(['invalid', 'INVALID_REQUESTED_AT']);
  });

  it('an unfit household id: INVALID_ID', () => {
    const error = rejection(() => erasureDecider.decide(erase(admin, { householdId: 'no spaces allowed' }), fresh));
    expect([error.kind, error.code]).toEqual(['invalid', 'INVALID_ID']);
  });
});
