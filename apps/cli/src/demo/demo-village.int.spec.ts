import { CommandPipeline } from '@muskel/application';
import { householdDecider, householdStreamName } from '@muskel/domain';
import type { EventStore } from '@muskel/event-store';
import { householdIdForProposal, listReactorFailures } from '@muskel/reactors';
import { pgliteFactory } from '../../../../libs/reactors/src/testing/test-stores';
import { loadDemoVillage } from './demo-village';
import { deterministicId } from '@muskel/application';

/** Counted in SQL: readAll sees only settled events, which another suite's open transaction can hold back. */
async function countEvents(store: EventStore): Promise<number> {
  const [row] = await store.withTransaction((tx) =>
    tx.query<{ count: string | number }>('SELECT count(*) AS count FROM es_events'),
  );
  return Number(row?.count ?? 0);
}

describe('demo load (PGlite)', () => {
  const stores = pgliteFactory();
  afterAll(() => stores.dispose());

  it('loads the synthetic village once; a second load changes nothing', async () => {
    const store = await stores.open();
    const first = await loadDemoVillage(store);
    expect(first.alreadyLoaded).toBe(false);
    expect(first.createdUsers.map((user) => user.username)).toEqual([
      'admin.demo',
      'operator.demo',
      'verifier.demo',
      'auditor.demo',
    ]);
    expect(await listReactorFailures(store)).toEqual([]);
    const added = householdIdForProposal(deterministicId('muskel-demo', 'proposal-add-new-household'));
    const { state } = await new CommandPipeline(store).fold(householdStreamName(added), householdDecider);
    expect(state.status).toBe('ACTIVE');

    const events = await countEvents(store);
    const second = await loadDemoVillage(store);
    expect(second).toMatchObject({ alreadyLoaded: true, createdUsers: [] });
    expect(await countEvents(store)).toBe(events);
  }, 120_000);
});
