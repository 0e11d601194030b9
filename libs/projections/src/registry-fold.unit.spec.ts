/**
 * The registry's fold, event by event: the household it leaves and the version row that says what changed (who
 * entered, who left, why). Synthetic people only.
 */
import type { RecordedEvent } from '@muskel/event-store';
import { foldHousehold, namesSearch, type RegistryHousehold } from './registry.projection';

const HOUSEHOLD = 'h-1';
let revision = -1;

function recorded(type: string, data: Record<string, unknown>): RecordedEvent {
  revision += 1;
  return {
    streamName: `household-${HOUSEHOLD}`,
    revision,
    position: `pos-${revision}`,
    id: `e-${revision}`,
    type,
    data: data as RecordedEvent['data'],
    metadata: { occurredAt: `2025-01-0${revision + 1}T00:00:00.000Z` },
    schemaVersion: 1,
    recordedAt: new Date('2030-01-01T00:00:00.000Z'),
  };
}

const member = (memberId: string, relationship: string, name: string) => ({
  memberId,
  nik: `351514050868000${memberId.slice(-1)}`,
  name,
  sex: 'F',
  birthDate: '1980-01-01',
  relationship,
});

function fold(current: RegistryHousehold | undefined, type: string, data: Record<string, unknown>) {
  const result = foldHousehold(current, recorded(type, data));
  if (!result) throw new Error(`${type} did not apply`);
  return result;
}

describe('registry fold', () => {
  beforeEach(() => (revision = -1));

  it('enrols, corrects, adds and removes members, relocates, deactivates and reactivates a household', () => {
    const enrolled = fold(undefined, 'HouseholdEnrolled', {
      source: 'BASELINE_IMPORT',
      importId: 'imp-1',
      villageCode: '35.15.14.1001',
      address: 'Jl. Mawar 1',
      rt: '001',
      rw: '002',
      kkNumber: '3515140101080001',
      members: [member('m1', 'HEAD', 'Siti Rahayu'), member('m2', 'CHILD', 'Budi Santoso')],
    });
    expect(enrolled.household).toMatchObject({
      householdId: HOUSEHOLD,
      villageCode: '3515141001',
      status: 'ACTIVE',
      source: 'BASELINE_IMPORT',
      deactivation: null,
    });
    expect(enrolled.household.members.map((m) => [m.memberId, m.active, m.addedBy])).toEqual([
      ['m1', true, { importId: 'imp-1' }],
      ['m2', true, { importId: 'imp-1' }],
    ]);
    expect(enrolled.changedMembers).toHaveLength(2);
    expect(enrolled.version).toEqual({
      household_id: HOUSEHOLD,
      revision: 0,
      position: 'pos-0',
      occurred_at: '2025-01-01T00:00:00.000Z',
      event_type: 'HouseholdEnrolled',
      village_code: '3515141001',
      prev_village_code: null,
      status: 'ACTIVE',
      cause_proposal_id: null,
      cause_import_id: 'imp-1',
      reason: null,
      entered: ['m1', 'm2'],
      left: [],
      changes: null,
    });

    const corrected = fold(enrolled.household, 'HouseholdCorrected', {
      proposalId: 'p-1',
      changes: { rt: '009', kkNumber: '3515140101080002' },
    });
    expect(corrected.household).toMatchObject({
      rt: '009',
      rw: '002',
      address: 'Jl. Mawar 1',
      kkNumber: '3515140101080002',
    });
    expect(enrolled.household.rt).toBe('001');
    expect(corrected.version).toMatchObject({
      cause_proposal_id: 'p-1',
      cause_import_id: null,
      changes: { rt: '009', kkNumber: '3515140101080002' },
      entered: [],
      left: [],
      reason: null,
    });

    const added = fold(corrected.household, 'MemberAdded', { proposalId: 'p-2', member: member('m3', 'CHILD', 'Eko') });
    expect(added.household.members.map((m) => m.memberId)).toEqual(['m1', 'm2', 'm3']);
    expect(added.household.members[2]!.addedBy).toEqual({ proposalId: 'p-2' });
    expect(added.changedMembers.map((m) => m.memberId)).toEqual(['m3']);
    expect(added.version).toMatchObject({ entered: ['m3'], left: [], cause_proposal_id: 'p-2', changes: null });

    const removed = fold(added.household, 'MemberRemoved', {
      proposalId: 'p-3',
      memberId: 'm1',
      reason: 'DECEASED',
      newHeadMemberId: 'm2',
    });
    expect(removed.household.members.map((m) => [m.memberId, m.active, m.relationship, m.removal])).toEqual([
      ['m1', false, 'HEAD', { proposalId: 'p-3', reason: 'DECEASED' }],
      ['m2', true, 'HEAD', null],
      ['m3', true, 'CHILD', null],
    ]);
    expect(added.household.members[0]!.active).toBe(true);
    expect(removed.changedMembers.map((m) => m.memberId)).toEqual(['m1']);
    expect(removed.version).toMatchObject({ entered: [], left: ['m1'], reason: 'DECEASED', status: 'ACTIVE' });

    const relocated = fold(removed.household, 'HouseholdRelocated', {
      proposalId: 'p-4',
      to: { villageCode: '3515142002', address: 'Jl. Melati 2', rt: '003', rw: '004' },
    });
    expect(relocated.household).toMatchObject({ villageCode: '3515142002', address: 'Jl. Melati 2', rt: '003' });
    expect(relocated.version).toMatchObject({
      village_code: '3515142002',
      prev_village_code: '3515141001',
      entered: ['m2', 'm3'],
      left: ['m2', 'm3'],
      reason: null,
    });

    const deactivated = fold(relocated.household, 'HouseholdDeactivated', { proposalId: 'p-5', reason: 'MOVED' });
    expect(deactivated.household).toMatchObject({
      status: 'INACTIVE',
      deactivation: { proposalId: 'p-5', reason: 'MOVED' },
    });
    expect(deactivated.version).toMatchObject({ status: 'INACTIVE', reason: 'MOVED', entered: [], left: ['m2', 'm3'] });

    const reactivated = fold(deactivated.household, 'HouseholdReactivated', { proposalId: 'p-6', reason: 'ERROR' });
    expect(reactivated.household).toMatchObject({ status: 'ACTIVE', deactivation: null });
    expect(relocated.household.status).toBe('ACTIVE');
    expect(reactivated.version).toMatchObject({
      status: 'ACTIVE',
      reason: 'ERROR',
      entered: ['m2', 'm3'],
      left: [],
      revision: 6,
      event_type: 'HouseholdReactivated',
    });
  });

  it('applies nothing before an enrolment, nor an event it does not know', () => {
    expect(
      foldHousehold(undefined, recorded('MemberAdded', { proposalId: 'p', member: member('m9', 'CHILD', 'X') })),
    ).toBe(undefined);
    const enrolled = fold(undefined, 'HouseholdEnrolled', {
      source: 'PROPOSAL',
      proposalId: 'p-0',
      villageCode: '3515141001',
      address: 'Jl. Mawar 1',
      rt: '001',
      rw: '002',
      kkNumber: '3515140101080001',
      members: [member('m1', 'HEAD', 'Siti')],
    });
    expect(enrolled.version).toMatchObject({ cause_proposal_id: 'p-0', cause_import_id: null });
    expect(foldHousehold(enrolled.household, recorded('SomethingElse', {}))).toBe(undefined);
  });

  it('lists names for searches between bars, lower case, single spaces', () => {
    expect(namesSearch([])).toBe('||');
    expect(namesSearch([{ name: '  Siti   RAHAYU ' }, { name: 'Budi|Santoso' }])).toBe('|siti rahayu|budi santoso|');
  });
});
