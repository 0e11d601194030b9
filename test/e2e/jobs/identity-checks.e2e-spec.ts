/** Background identity checks through the whole application: a NIK already on the registry gets its flag. */
import { eventually, startApp, type TestApp } from '../support/access-app';
import { enrolHousehold, operatorToken, proposalView, submitAdd } from '../support/jobs-fixtures';

describe('identity checks in the background (BullMQ)', () => {
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('a NIK already on the registry: the worker raises NIK_IN_REGISTRY on the proposal', async () => {
    t = await startApp({ logLevel: 'warn' });
    const app = t;
    const token = await operatorToken(app);
    const householdId = await enrolHousehold(app, '3515140508680011');
    await eventually(async () => {
      const [row] = await app.db.query<{ n: string }>('SELECT count(*)::text AS n FROM registry_households');
      return row?.n === '1' ? true : undefined;
    }, 15_000);
    const id = await submitAdd(app, token, '3515140508680011');
    const flagged = await eventually(async () => {
      const proposal = await proposalView(app, token, id);
      return proposal.openFlags.length > 0 ? proposal : undefined;
    }, 20_000);
    expect(flagged.openFlags).toEqual([
      {
        code: 'NIK_IN_REGISTRY',
        severity: 'BLOCKING',
        source: 'IDENTITY_CHECK',
        evidence: `anggota 1: keluarga ${householdId}`,
      },
    ]);
  });
});
