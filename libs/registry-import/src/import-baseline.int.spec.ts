import { Readable } from 'node:stream';
import { CommandPipeline } from '@muskel/application';
import { householdDecider, householdStreamName } from '@muskel/domain';
import type { EventStore } from '@muskel/event-store';
import {
  pgliteFactory,
  postgresFactory,
  withoutTransactionalAppends,
  type StoreFactory,
} from '../../reactors/src/testing/test-stores';
import {
  DuplicateImportError,
  householdIdsForKk,
  importBaseline,
  type ImportOptions,
  type ImportProgress,
} from './import-baseline';
import { SYNTHETIC_HEADER, syntheticBaseline, syntheticHousehold, syntheticKk } from './synthetic';

const VILLAGE = '3515142001';
const options = (fileName: string, extra: Partial<ImportOptions> = {}): ImportOptions => ({
  actor: { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' },
  fileName,
  villageCode: VILLAGE,
  ...extra,
});
const csv = (lines: readonly string[]) => Readable.from([`${[SYNTHETIC_HEADER, ...lines].join('\n')}\n`]);

/** Counted in SQL: readAll sees only settled events, which another suite's open transaction can hold back. */
async function countEvents(store: EventStore): Promise<number> {
  const [row] = await store.withTransaction((tx) =>
    tx.query<{ count: string | number }>('SELECT count(*) AS count FROM es_events'),
  );
  return Number(row?.count ?? 0);
}

function describeImport(factory: () => StoreFactory): void {
  const stores = factory();
  let store: EventStore;
  let pipeline: CommandPipeline;

  beforeEach(async () => {
    store = await stores.open();
    pipeline = new CommandPipeline(store);
  }, 120_000);
  afterAll(() => stores.dispose());

  it('imports a good file: one household per KK, members grouped, progress reported', async () => {
    const progress: ImportProgress[] = [];
    const report = await importBaseline(
      store,
      pipeline,
      syntheticBaseline({ households: 120, villageCode: VILLAGE }),
      options('good.csv', { onProgress: (p) => progress.push(p), progressEvery: 100, householdsPerTransaction: 50 }),
    );
    expect(report).toMatchObject({
      fileName: 'good.csv',
      villageCode: VILLAGE,
      resumed: false,
      households: { imported: 120, alreadyImported: 0, rejected: 0 },
      errorCount: 0,
    });
    expect(report.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(report.rows).toBe(progress.at(-1)!.rows);
    expect(progress.length).toBeGreaterThan(2);
    expect(await countEvents(store)).toBe(120);
    const { state } = await pipeline.fold(
      householdStreamName((await householdIdsForKk(store))(syntheticKk('351514', 7))),
      householdDecider,
    );
    expect(state).toMatchObject({ status: 'ACTIVE', source: 'BASELINE_IMPORT', kkNumber: syntheticKk('351514', 7) });
    expect(Object.keys(state.members)).toHaveLength(syntheticHousehold(VILLAGE, 7).length);
  });

  it('reports bad rows by row, column and reason, and leaves only their households out', async () => {
    const good = syntheticHousehold(VILLAGE, 1);
    const badNik = syntheticHousehold(VILLAGE, 2).map((line, i) =>
      i === 1 ? line.replace(/,(\d{16}),/, ',3515140000000000,') : line,
    );
    const badSexAndDate = syntheticHousehold(VILLAGE, 3).map((line, i) =>
      i === 0 ? line.replace(',L,', ',X,').replace(/,\d{4}-\d{2}-\d{2},/, ',1970-02-30,') : line,
    );
    const noHead = syntheticHousehold(VILLAGE, 4).slice(1);
    const otherVillage = syntheticHousehold('3515142002', 5);
    const report = await importBaseline(
      store,
      pipeline,
      csv([...good, ...badNik, ...badSexAndDate, ...noHead, ...otherVillage]),
      options('bad.csv'),
    );
    expect(report.households).toEqual({ imported: 1, alreadyImported: 0, rejected: 4 });
    const row2 = 2 + good.length; // the header is row 1
    const row3 = row2 + badNik.length;
    const row4 = row3 + badSexAndDate.length;
    const row5 = row4 + noHead.length;
    expect(report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: row2 + 1, column: 'nik', code: 'NIK_INVALID' }),
        expect.objectContaining({ row: row3, column: 'sex', code: 'INVALID_SEX' }),
        expect.objectContaining({ row: row3, column: 'birth_date', code: 'INVALID_BIRTH_DATE' }),
        expect.objectContaining({ row: row4, column: 'relationship', code: 'HEAD_REQUIRED' }),
        expect.objectContaining({ row: row5, column: 'village_code', code: 'OTHER_VILLAGE' }),
      ]),
    );
    // No personal data in the report: no NIK, KK number or name appears in any message.
    const text = JSON.stringify(report.errors);
    expect(text).not.toMatch(/\d{16}/);
    expect(text).not.toContain('Santoso');
    expect(await countEvents(store)).toBe(1);
  });

  it('refuses the same file twice, naming the first import', async () => {
    const file = () => syntheticBaseline({ households: 5, villageCode: VILLAGE });
    const first = await importBaseline(store, pipeline, file(), options('a.csv'));
    const second = importBaseline(store, pipeline, file(), options('copy-of-a.csv'));
    await expect(second).rejects.toBeInstanceOf(DuplicateImportError);
    await expect(second).rejects.toMatchObject({ importId: first.importId, code: 'DUPLICATE_IMPORT' });
    expect(await countEvents(store)).toBe(5);
  });

  it('reports a KK already on the registry instead of enrolling it twice', async () => {
    await importBaseline(
      store,
      pipeline,
      syntheticBaseline({ households: 3, villageCode: VILLAGE }),
      options('first.csv'),
    );
    const report = await importBaseline(
      store,
      pipeline,
      syntheticBaseline({ households: 5, villageCode: VILLAGE }),
      options('second.csv'),
    );
    expect(report.households).toEqual({ imported: 2, alreadyImported: 0, rejected: 3 });
    expect(report.errors.map((error) => error.code)).toEqual([
      'KK_ALREADY_ENROLLED',
      'KK_ALREADY_ENROLLED',
      'KK_ALREADY_ENROLLED',
    ]);
    expect(await countEvents(store)).toBe(5);
  });

  it('resumes an interrupted import of the same file without doubling anything', async () => {
    const file = () => syntheticBaseline({ households: 40, villageCode: VILLAGE });
    // The first run dies after its first chunk of 10 households is committed.
    const crash = new Error('simulated crash');
    await expect(
      importBaseline(
        store,
        pipeline,
        file(),
        options('big.csv', {
          householdsPerTransaction: 10,
          concurrentTransactions: 1,
          progressEvery: 1,
          onProgress: (p) => {
            if (p.imported >= 10) throw crash;
          },
        }),
      ),
    ).rejects.toBe(crash);
    const partial = await countEvents(store);
    expect(partial).toBeGreaterThanOrEqual(10);
    expect(partial).toBeLessThan(40);
    const report = await importBaseline(store, pipeline, file(), options('big.csv'));
    expect(report.resumed).toBe(true);
    expect(report.households).toEqual({ imported: 40 - partial, alreadyImported: partial, rejected: 0 });
    expect(await countEvents(store)).toBe(40);
    await expect(importBaseline(store, pipeline, file(), options('big.csv'))).rejects.toBeInstanceOf(
      DuplicateImportError,
    );
  });

  it('reports a KK whose rows are not together', async () => {
    const [head1, ...rest1] = syntheticHousehold(VILLAGE, 11);
    const second = syntheticHousehold(VILLAGE, 12);
    const lines = [head1!, ...second, ...rest1];
    const report = await importBaseline(store, pipeline, csv(lines), options('split.csv'));
    expect(report.errors).toEqual([
      expect.objectContaining({ row: 2 + 1 + second.length, column: 'kk_number', code: 'KK_NOT_CONTIGUOUS' }),
    ]);
    expect(report.households.imported).toBe(2);
    expect(report.households.rejected).toBe(rest1.length > 0 ? 1 : 0);
  });
}

describe('baseline import on PGlite', () => describeImport(pgliteFactory));
describe('baseline import on PostgreSQL', () => describeImport(postgresFactory));
// As on KurrentDB, whose appends cannot join a transaction (a second connection is needed: PostgreSQL).
describe('baseline import on PostgreSQL without appends in transactions (as on KurrentDB)', () =>
  describeImport(() => withoutTransactionalAppends(postgresFactory())));
