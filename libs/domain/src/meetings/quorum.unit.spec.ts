import { DEFAULT_QUORUM_POLICY, isAttendeeRole, quorumShortfalls, sameAttendeeName, type Attendee } from './quorum';

const people = (...roles: Attendee['role'][]): Attendee[] =>
  roles.map((role, index) => ({ name: `Person ${index}`, role }));

describe('quorumShortfalls', () => {
  it('is empty when the quorum is met', () => {
    expect(quorumShortfalls(DEFAULT_QUORUM_POLICY, 'Person 0', people('LURAH', 'RT', 'RT', 'RW', 'PSM'))).toEqual([]);
  });

  it('lists the head count, each missing role in policy order, then the chair', () => {
    const policy = { minimumAttendees: 4, requiredRoles: ['TKSK', 'LURAH', 'BPD'] as const, chairMustAttend: true };
    expect(quorumShortfalls(policy, 'Somebody Else', people('LURAH', 'RT'))).toEqual([
      { missing: 'ATTENDEES', required: 4, present: 2 },
      { missing: 'ROLE', role: 'TKSK' },
      { missing: 'ROLE', role: 'BPD' },
      { missing: 'CHAIR' },
    ]);
  });

  it('ignores the chair when the policy does not require them', () => {
    const policy = { minimumAttendees: 0, requiredRoles: [], chairMustAttend: false };
    expect(quorumShortfalls(policy, 'Absent Chair', [])).toEqual([]);
  });
});

describe('names and roles', () => {
  it.each([
    ['Budi Santoso', '  budi santoso ', true],
    ['Budi Santoso', 'BUDI  SANTOSO', true],
    ['Budi Santoso', 'Budi Susanto', false],
  ])('%p and %p are the same person: %p', (a, b, same) => {
    expect(sameAttendeeName(a, b)).toBe(same);
  });

  it('knows the attendee roles', () => {
    expect(isAttendeeRole('PKH_FACILITATOR')).toBe(true);
    expect(isAttendeeRole('CAMAT')).toBe(false);
  });
});
