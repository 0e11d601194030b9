/**
 * The stored complete-subtree hashes (audit_nodes) on both SQL adapters: the integrator writes exactly the complete
 * subtrees, roots and proofs read from them equal libs/audit's reference functions for every (i, n) and (m, n) up to
 * n = 130 (PostgreSQL; a sample on PGlite, whose queries are slower), a missing or changed node raises AuditLogIntegrityError instead of a
 * wrong answer, the signer refuses a corrupted node, and a log from before audit_nodes gets its nodes at setup.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { consistencyProof, inclusionProof, rootFromLeafHashes } from '@muskel/audit';
import {
  type NewEvent,
  type RecordedEvent,
  type SqlEventStore,
  createPgliteEventStore,
  createPostgresEventStore,
} from '@muskel/event-store';
import {
  AuditLog,
  AuditLogIntegrityError,
  AuditLogProjection,
  CheckpointSigner,
  integrate,
  setupAuditLogTables,
} from './index';
import { toBuffer, toSafeInteger } from './sql';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ORIGIN = 'audit.test/nodes/v1';
const N = 130;

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function event(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProposalNoted',
    data: { n },
    metadata: {
      actor: { userId: `user-${n % 4}`, role: 'operator' },
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    },
  };
}

async function appendAndIntegrate(store: SqlEventStore, count: number): Promise<void> {
  for (let n = 0; n < count; n++) {
    await store.appendToStream(`proposal-${randomUUID()}`, [event(n)], { expected: 'no_stream' });
  }
  // The log shows only settled events: a transaction elsewhere on a shared server may hold the tail back a moment.
  let events: RecordedEvent[] = [];
  for (const deadline = Date.now() + 60_000; events.length < count;) {
    if (Date.now() > deadline) throw new Error(`only ${events.length} of ${count} events became visible`);
    if (events.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    events = [];
    for await (const e of store.readAll()) events.push(e);
  }
  // Uneven pages, so nodes are completed across page boundaries as in the worker.
  for (let at = 0, page = 1; at < events.length; at += page, page = (page % 9) + 1) {
    await store.withTransaction((tx) => integrate(tx, events.slice(at, at + page)));
  }
}

const hex = (hashes: readonly Buffer[]): string => hashes.map((h) => h.toString('hex')).join(',');

describe.each([
  [
    'PGlite',
    false,
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-audit-nodes-'));
      const store = await createPgliteEventStore({ dataDir: dir });
      return { store, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'PostgreSQL',
    true,
    async () => {
      const name = `muskel_test_${randomBytes(6).toString('hex')}`;
      await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
      const url = new URL(SERVER_URL);
      url.pathname = `/${name}`;
      const store = await createPostgresEventStore({ connectionString: url.toString() });
      return { store, cleanup: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
    },
  ],
] as const)('stored tree nodes on %s', (_name, exhaustive, open) => {
  let store: SqlEventStore;
  let cleanup: () => unknown;
  let log: AuditLog;
  let leaves: Buffer[];

  beforeAll(async () => {
    ({ store, cleanup } = await open());
    await store.init();
    await store.withTransaction((tx) => new AuditLogProjection().setup(tx));
    await appendAndIntegrate(store, N);
    log = new AuditLog(store.executor);
    leaves = (await store.executor.query('SELECT leaf_hash FROM audit_leaves ORDER BY seq')).map((r) =>
      toBuffer(r.leaf_hash),
    );
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  const nodeRows = async (): Promise<Map<string, string>> =>
    new Map(
      (await store.executor.query('SELECT level, idx, hash FROM audit_nodes')).map((r) => [
        `${toSafeInteger(r.level)}:${toSafeInteger(r.idx)}`,
        toBuffer(r.hash).toString('hex'),
      ]),
    );

  it('stores every complete subtree of level >= 1 once, with its MTH', async () => {
    expect(leaves).toHaveLength(N);
    const expected = new Map<string, string>();
    for (let level = 1; 2 ** level <= N; level++) {
      for (let idx = 0; (idx + 1) * 2 ** level <= N; idx++) {
        const span = leaves.slice(idx * 2 ** level, (idx + 1) * 2 ** level);
        expected.set(`${level}:${idx}`, rootFromLeafHashes(span).toString('hex'));
      }
    }
    expect(await nodeRows()).toEqual(expected);
  });

  it('gives the roots and proofs of libs/audit for every size, leaf and pair of sizes', async () => {
    const sizes = exhaustive ? Array.from({ length: N + 1 }, (_, n) => n) : [0, 1, 2, 3, 64, 65, 127, 128, N];
    if (!exhaustive) for (let i = 0; i < 12; i++) sizes.push(randomInt(1, N + 1));
    for (const n of sizes) {
      const prefix = leaves.slice(0, n);
      expect((await log.root(n)).equals(rootFromLeafHashes(prefix))).toBe(true);
      const seqs = exhaustive
        ? prefix.map((_, i) => i)
        : [0, n - 1, randomInt(0, n || 1)].filter((i) => i >= 0 && i < n);
      for (const i of seqs) expect(hex(await log.inclusionProof(i, n))).toBe(hex(inclusionProof(i, prefix)));
      const firsts = exhaustive ? Array.from({ length: n + 1 }, (_, m) => m) : [0, 1, n, randomInt(0, n + 1)];
      for (const m of firsts.filter((m) => m <= n)) {
        const expected = m === 0 ? [] : consistencyProof(m, prefix);
        expect(hex(await log.consistencyProof(m, n))).toBe(hex(expected));
      }
    }
  }, 300_000);

  it('raises AuditLogIntegrityError, never a wrong answer, when a node is missing or changed', async () => {
    // Node (6, 0) covers leaves 0..63: in the root of every size above 64 and in many proofs.
    const [row] = await store.executor.query('SELECT hash FROM audit_nodes WHERE level = 6 AND idx = 0');
    const original = toBuffer(row!.hash);
    try {
      await store.executor.query('UPDATE audit_nodes SET hash = $1 WHERE level = 6 AND idx = 0', [randomBytes(32)]);
      await expect(log.root(100)).rejects.toThrow(AuditLogIntegrityError);
      await expect(log.inclusionProof(100, N)).rejects.toThrow(AuditLogIntegrityError);
      await expect(log.inclusionProof(3, 70)).rejects.toThrow(AuditLogIntegrityError);
      await expect(log.consistencyProof(64, 100)).rejects.toThrow(AuditLogIntegrityError);
      await expect(log.consistencyProof(70, N)).rejects.toThrow(AuditLogIntegrityError);
      await store.executor.query('DELETE FROM audit_nodes WHERE level = 6 AND idx = 0');
      await expect(log.root(65)).rejects.toThrow(/missing/);
      await expect(log.inclusionProof(70, 71)).rejects.toThrow(AuditLogIntegrityError);
      // Proofs that need neither that node nor a root above it still work.
      expect(hex(await log.inclusionProof(3, 8))).toBe(hex(inclusionProof(3, leaves.slice(0, 8))));
    } finally {
      await store.executor.query(
        'INSERT INTO audit_nodes (level, idx, hash) VALUES (6, 0, $1) ON CONFLICT (level, idx) DO UPDATE SET hash = $1',
        [original],
      );
    }
    expect((await log.root(100)).equals(rootFromLeafHashes(leaves.slice(0, 100)))).toBe(true);
  });

  it('refuses to sign over a corrupted node, old or new, and signs once it is repaired', async () => {
    const signer = new CheckpointSigner(store, { origin: ORIGIN });
    expect((await signer.signNow()).size).toBe(N);
    // 11 more leaves (130 → 141): nodes (1, 65..69), (2, 32..34) and (3, 16) complete among them.
    await appendAndIntegrateMore(store, 11);
    const size = await log.size();
    expect(size).toBe(N + 11);
    const before = (await signer.history(100)).length;
    // (7, 0) and (1, 64): the previous checkpoint's compact range (130 = 128 + 2); (1, 67) and (3, 16): completed
    // by the new leaves, in no proof; (2, 34): completed by them and on the consistency path from 130 to 141.
    for (const [level, idx] of [
      [7, 0],
      [1, 64],
      [1, 67],
      [3, 16],
      [2, 34],
    ] as const) {
      const [row] = await store.executor.query('SELECT hash FROM audit_nodes WHERE level = $1 AND idx = $2', [
        level,
        idx,
      ]);
      const original = toBuffer(row!.hash);
      await store.executor.query('UPDATE audit_nodes SET hash = $1 WHERE level = $2 AND idx = $3', [
        randomBytes(32),
        level,
        idx,
      ]);
      await expect(signer.signNow()).rejects.toThrow(AuditLogIntegrityError);
      await store.executor.query('DELETE FROM audit_nodes WHERE level = $1 AND idx = $2', [level, idx]);
      await expect(signer.signNow()).rejects.toThrow(AuditLogIntegrityError);
      await store.executor.query('INSERT INTO audit_nodes (level, idx, hash) VALUES ($1, $2, $3)', [
        level,
        idx,
        original,
      ]);
    }
    expect((await signer.history(100)).length).toBe(before);
    expect((await signer.signNow()).size).toBe(size);
  }, 180_000); // the appended events may wait for a transaction elsewhere on the server

  it('builds the nodes of a log integrated before audit_nodes existed, at setup', async () => {
    const before = await nodeRows();
    await store.executor.query('DELETE FROM audit_nodes');
    await store.withTransaction((tx) => setupAuditLogTables(tx));
    expect(await nodeRows()).toEqual(before);
  });
});

async function appendAndIntegrateMore(store: SqlEventStore, count: number): Promise<void> {
  let last = '';
  for (let n = 0; n < count; n++) {
    const appended = event(1000 + n);
    last = appended.id!;
    await store.appendToStream(`proposal-${randomUUID()}`, [appended], { expected: 'no_stream' });
  }
  // The log is read below the oldest transaction still open on the server (any test's, in any database): wait
  // until the new events are readable, or the slices below would take old ones and integrate nothing.
  let events: RecordedEvent[] = [];
  for (const deadline = Date.now() + 120_000; ;) {
    events = [];
    for await (const e of store.readAll()) events.push(e);
    if (events.at(-1)?.id === last) break;
    if (Date.now() > deadline) throw new Error('the appended events did not become readable within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Replayed events are skipped by id: only the new ones become leaves.
  await store.withTransaction((tx) => integrate(tx, events.slice(-count - 3, -5)));
  await store.withTransaction((tx) => integrate(tx, events.slice(-8)));
}
