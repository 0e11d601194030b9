/**
 * A reference-list import on a store whose appends cannot join a transaction, as on KurrentDB (PostgreSQL seen as
 * such a store: no KurrentDB server can run on this machine): the event, then the rows' completion; a run cut off
 * between the two is completed when the same file comes again, and refused as a duplicate.
 */
import { Readable } from 'node:stream';
import type { Actor } from '@muskel/domain';
import type { EventStore } from '@muskel/event-store';
import { postgresFactory, withoutTransactionalAppends } from '../../reactors/src/testing/test-stores';
import { DuplicateReferenceImportError, importReferenceList } from './index';

const system: Actor = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' };
const LINES = [
  'NIK,NIP,Nama\n',
  '3515140508680001,198001012005011001,Budi\n',
  '3515144508680003,198001012005011005,Siti\n',
];
const importFile = (store: EventStore) =>
  importReferenceList(store, Readable.from(LINES.join('')), { source: 'BKN', fileName: 'bkn.csv', actor: system });

describe('reference-list import without appends in transactions (as on KurrentDB)', () => {
  const stores = withoutTransactionalAppends(postgresFactory());
  let store: EventStore;

  beforeAll(async () => {
    store = await stores.open();
  }, 120_000);
  afterAll(() => stores.dispose());

  const completedAt = async (importId: string) =>
    (
      await store.withTransaction((tx) =>
        tx.query<{ completed_at: Date | null }>('SELECT completed_at FROM reference_imports WHERE import_id = $1', [
          importId,
        ]),
      )
    )[0]?.completed_at;

  it('records the import, completes its rows, and completes an interrupted run when the file comes again', async () => {
    expect(store.capabilities().transactions).toBe(false);
    const report = await importFile(store);
    expect(report).toMatchObject({ rows: 2, accepted: 2, rejected: 0 });
    expect(await completedAt(report.importId)).toBeInstanceOf(Date);

    // Cut off between the event and the completion: the rows are there, not completed.
    await store.withTransaction((tx) =>
      tx.query('UPDATE reference_imports SET completed_at = NULL WHERE import_id = $1', [report.importId]),
    );
    await expect(importFile(store)).rejects.toBeInstanceOf(DuplicateReferenceImportError);
    expect(await completedAt(report.importId)).toBeInstanceOf(Date);
    const [rows] = await store.withTransaction((tx) =>
      tx.query<{ n: string }>('SELECT count(*)::text AS n FROM reference_entries WHERE import_id = $1', [
        report.importId,
      ]),
    );
    expect(rows?.n).toBe('2');
  });
});
