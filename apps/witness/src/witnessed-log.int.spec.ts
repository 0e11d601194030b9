/**
 * The audit log with three real witnesses over HTTP (in-process servers on ephemeral ports) and the log on
 * PostgreSQL, quorum 2: checkpoints are published with the cosignatures, still with one witness down, not at all
 * with two down; and a log rewritten in the database and signed with the real key (T22) gets no cosignature.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { generateKeyPair, parseNote } from '@muskel/audit';
import {
  AUDIT_QUORUM_NOT_MET,
  AuditLog,
  CheckpointSigner,
  WitnessQuorumError,
  integrate,
  setupAuditLogTables,
} from '@muskel/audit-log';
import { type RecordedEvent, type SqlEventStore, createPostgresEventStore } from '@muskel/event-store';
import { type AuditPolicy, verifyCheckpointAgainstPolicy } from '../../cli/src/audit/verify';
import { type RunningWitness, startWitness } from './witness-app';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ORIGIN = 'audit.test/witnessed/v1';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Synthetic events (no personal data): only what the integrator reads. */
function events(count: number): RecordedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    streamName: `test-${randomUUID()}`,
    revision: 0,
    position: String(i),
    id: randomUUID(),
    type: 'WitnessTested',
    data: { n: i, salt: randomBytes(8).toString('hex') },
    metadata: {},
    schemaVersion: 1,
    recordedAt: new Date(),
  }));
}

interface Setup {
  store: SqlEventStore;
  witnesses: RunningWitness[];
  logKey: { signerKey: string; verifierKey: string };
  signer: CheckpointSigner;
  policy(quorum: number): AuditPolicy;
  cleanup(): Promise<void>;
}

async function setUp(): Promise<Setup> {
  const name = `muskel_witnessed_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const store = await createPostgresEventStore({ connectionString: url.toString() });
  await store.init();
  await store.withTransaction((tx) => setupAuditLogTables(tx));
  const logKey = generateKeyPair(ORIGIN);
  const witnesses: RunningWitness[] = [];
  for (const n of [1, 2, 3]) {
    // Each its own key and its own (embedded, in-memory) storage.
    witnesses.push(
      await startWitness(
        { name: `w${n}.witness.test`, logs: [{ origin: ORIGIN, verifierKey: logKey.verifierKey }] },
        { port: 0, host: '127.0.0.1' },
      ),
    );
  }
  const signer = new CheckpointSigner(store, {
    origin: ORIGIN,
    signerKey: logKey.signerKey,
    witnesses: {
      witnesses: witnesses.map((w) => ({ name: w.name, url: w.url, verifierKey: w.verifierKey })),
      quorum: 2,
      timeoutMs: 3_000,
    },
  });
  return {
    store,
    witnesses,
    logKey,
    signer,
    policy: (quorum) => ({
      origin: ORIGIN,
      verifierKeys: [logKey.verifierKey, ...witnesses.map((w) => w.verifierKey)],
      quorum,
    }),
    async cleanup() {
      await Promise.all(witnesses.map((w) => w.close().catch(() => undefined)));
      await store.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** The attacker's first step: an empty tree (leaves, stored subtree hashes where the schema has them, frontier). */
async function eraseTree(tx: { query(sql: string): Promise<unknown> }): Promise<void> {
  await tx.query('DELETE FROM audit_leaves');
  await tx.query("DO $$ BEGIN IF to_regclass('audit_nodes') IS NOT NULL THEN DELETE FROM audit_nodes; END IF; END $$");
  await tx.query("UPDATE audit_tree SET size = 0, frontier = '\\x'::bytea WHERE id = 1");
}

const append = (store: SqlEventStore, count: number) => store.withTransaction((tx) => integrate(tx, events(count)));
const signerNames = (note: string) => parseNote(note).signatures.map((s) => s.name);
const countCheckpoints = async (store: SqlEventStore) =>
  Number((await store.executor.query('SELECT count(*) AS n FROM audit_checkpoints'))[0]!.n);

describe('a witnessed audit log (quorum 2 of 3, real HTTP, PostgreSQL)', () => {
  let s: Setup;

  beforeAll(async () => {
    s = await setUp();
  });

  afterAll(async () => {
    await s?.cleanup();
  });

  it('publishes checkpoints with every cosignature while all three witnesses answer', async () => {
    await append(s.store, 5);
    const first = await s.signer.signNow();
    expect(first.size).toBe(5);
    expect(signerNames(first.note)).toEqual([ORIGIN, 'w1.witness.test', 'w2.witness.test', 'w3.witness.test']);
    // The next one goes with a consistency proof from the size each witness cosigned.
    await append(s.store, 4);
    const second = await s.signer.signNow();
    expect(second.size).toBe(9);
    expect(signerNames(second.note)).toHaveLength(4);
    // The published note satisfies the auditors' policy: the log plus 2 (here 3) witnesses.
    const verified = verifyCheckpointAgainstPolicy(second.note, s.policy(3));
    expect(verified.ok && verified.checkpoint.signers).toEqual([
      ORIGIN,
      'w1.witness.test',
      'w2.witness.test',
      'w3.witness.test',
    ]);
    expect((await s.signer.latest())?.note).toBe(second.note);
  });

  it('still publishes with one witness down', async () => {
    await s.witnesses[2]!.close();
    await append(s.store, 3);
    const published = await s.signer.signNow();
    expect(published.size).toBe(12);
    expect(signerNames(published.note)).toEqual([ORIGIN, 'w1.witness.test', 'w2.witness.test']);
    expect(verifyCheckpointAgainstPolicy(published.note, s.policy(3)).ok).toBe(true);
  });

  it('publishes nothing with two witnesses down, and says which witness did what', async () => {
    await s.witnesses[1]!.close();
    await append(s.store, 2);
    const before = await countCheckpoints(s.store);
    const error = await s.signer.signNow().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WitnessQuorumError);
    const quorumError = error as WitnessQuorumError;
    expect(quorumError.code).toBe(AUDIT_QUORUM_NOT_MET);
    expect(quorumError.outcomes.map((o) => [o.witness, o.result])).toEqual([
      ['w1.witness.test', 'cosigned'],
      ['w2.witness.test', 'unreachable'],
      ['w3.witness.test', 'unreachable'],
    ]);
    expect(quorumError.message).toContain('1 of 3 witness(es) cosigned, the quorum is 2');
    expect(await countCheckpoints(s.store)).toBe(before);
    expect((await s.signer.latest())?.size).toBe(12);
  });
});

describe('T22: a log rewritten in the database and signed with the stolen log key', () => {
  let s: Setup;

  beforeAll(async () => {
    s = await setUp();
  });

  afterAll(async () => {
    await s?.cleanup();
  });

  it('is refused by every witness: the quorum is unmet and nothing is published', async () => {
    await append(s.store, 6);
    await s.signer.signNow();
    await append(s.store, 3);
    expect(signerNames((await s.signer.signNow()).note)).toHaveLength(4);

    // The attacker rewrites the whole log (different leaves, more of them) and erases what the log side knows:
    // its checkpoints (so the signer's own consistency check passes) and the sizes the witnesses hold.
    await s.store.withTransaction(async (tx) => {
      await eraseTree(tx);
      await tx.query('DELETE FROM audit_checkpoints');
      await tx.query('DELETE FROM audit_witness_state');
      await integrate(tx, events(12));
    });
    expect(await new AuditLog(s.store.executor).size()).toBe(12);

    const error = await s.signer.signNow().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WitnessQuorumError);
    // Each witness first says it holds 9 (409), then refuses the proof from 9 to the rewritten 12 (422).
    expect((error as WitnessQuorumError).outcomes).toEqual(
      s.witnesses.map((w): unknown => expect.objectContaining({ witness: w.name, result: 'refused', httpStatus: 422 })),
    );
    expect(await countCheckpoints(s.store)).toBe(0);
    expect(await s.signer.latest()).toBeUndefined();

    // Rewritten to the very size they hold (9), it is refused too: same size, different root.
    await s.store.withTransaction(async (tx) => {
      await eraseTree(tx);
      await integrate(tx, events(9));
    });
    const again = await s.signer.signNow().catch((e: unknown) => e);
    expect((again as WitnessQuorumError).outcomes.map((o) => o.result === 'refused' && o.httpStatus)).toEqual([
      422, 422, 422,
    ]);
    expect(await countCheckpoints(s.store)).toBe(0);
  });
});
