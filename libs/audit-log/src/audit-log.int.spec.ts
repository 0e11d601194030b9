/**
 * The audit log on both SQL adapters: events integrated by the ProjectionRunner become contiguous leaves, the
 * stored tree agrees with libs/audit's reference functions, proofs and checkpoints verify with libs/audit's
 * verifiers, leaves carry no personal data, and signing refuses a tampered log.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { type Projection, ProjectionRunner } from '@muskel/application';
import {
  CompactRange,
  generateKeyPair,
  isCanonicalJson,
  leafHash,
  openCheckpoint,
  parseVerifierKey,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '@muskel/audit';
import {
  createPgliteEventStore,
  createPostgresEventStore,
  type LogPosition,
  type NewEvent,
  type RecordedEvent,
  type SqlEventStore,
} from '@muskel/event-store';
import {
  AuditLog,
  AuditLogIntegrityError,
  AuditLogProjection,
  CheckpointSigner,
  eventDigest,
  integrate,
  type StoredLeaf,
} from './index';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ORIGIN = 'audit.test/log/v1';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Personal data the events carry; none of it may reach a leaf. */
const personal = { niks: [] as string[], names: [] as string[], birthDates: [] as string[], userIds: [] as string[] };

function nik(): string {
  const value = `32${String(randomInt(10 ** 7, 10 ** 8))}${String(randomInt(10 ** 5, 10 ** 6))}0`;
  personal.niks.push(value);
  return value;
}

function personEvent(n: number): NewEvent {
  const name = `Siti Aminah ${n}`;
  const birthDate = `19${String(50 + (n % 50))}-0${1 + (n % 9)}-1${n % 10}`;
  // A userId that is itself a 16-digit number: the worst case for the pseudonym.
  const userId = `${String(randomInt(10 ** 7, 10 ** 8))}${String(randomInt(10 ** 7, 10 ** 8))}`;
  personal.names.push(name);
  personal.birthDates.push(birthDate);
  personal.userIds.push(userId);
  return {
    id: randomUUID(),
    type: n % 3 === 0 ? 'MemberAdded' : 'MemberIncomeUpdated',
    data: { nik: nik(), kk: nik(), name, birthDate, income: 1_000_000 + n },
    metadata: {
      actor: { userId, role: 'operator', scope: 'village:3201012001' },
      occurredAt: new Date(Date.UTC(2026, 10, 1, 0, 0, n)).toISOString(),
    },
  };
}

/** Appends `count` events in streams of one to three; returns the position of the last one. */
async function appendEvents(store: SqlEventStore, count: number): Promise<LogPosition> {
  let n = 0;
  let position = '';
  while (n < count) {
    const perStream = Math.min(1 + (n % 3), count - n);
    const events = Array.from({ length: perStream }, (_, i) => personEvent(n + i));
    ({ position } = await store.appendToStream(`household-${randomUUID()}`, events, { expected: 'no_stream' }));
    n += perStream;
  }
  return position;
}

async function allEvents(store: SqlEventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll()) events.push(event);
  return events;
}

/**
 * Runs the projection until it has integrated `upTo`. Not `headPosition()`: on PostgreSQL the settled head lags
 * behind any transaction open on the server (another suite's), so it may be short of what was just appended.
 */
async function runUntil(store: SqlEventStore, upTo: LogPosition, batchSize: number): Promise<void> {
  const runner = new ProjectionRunner(store, new AuditLogProjection(), { batchSize, leaseTtlMs: 2_000 });
  await runner.setup();
  runner.start();
  try {
    expect(await runner.waitFor(upTo, 30_000)).toBe(true);
  } finally {
    await runner.stop();
  }
}

function sample(max: number, count: number): number[] {
  return Array.from({ length: count }, () => randomInt(0, max));
}

describe.each([
  [
    'PGlite',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-audit-log-'));
      const store = await createPgliteEventStore({ dataDir: dir });
      return { store, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const name = `muskel_test_${randomBytes(6).toString('hex')}`;
      await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
      const url = new URL(SERVER_URL);
      url.pathname = `/${name}`;
      const store = await createPostgresEventStore({ connectionString: url.toString() });
      return { store, cleanup: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
    },
  ],
] as const)('audit log on %s', (_name, open) => {
  let store: SqlEventStore;
  let cleanup: () => unknown;
  let log: AuditLog;
  let signer: CheckpointSigner;

  beforeAll(async () => {
    ({ store, cleanup } = await open());
    await store.init();
    log = new AuditLog(store.executor);
    signer = new CheckpointSigner(store, { origin: ORIGIN });
  });

  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  const storedLeaves = async (): Promise<StoredLeaf[]> => {
    const leaves: StoredLeaf[] = [];
    for (;;) {
      const page = await log.leaves(leaves.length, 1000);
      leaves.push(...page);
      if (page.length < 1000) return leaves;
    }
  };

  it('integrates every event in global order with contiguous seqs, across pages and a restart', async () => {
    await runUntil(store, await appendEvents(store, 25), 7);
    expect(await log.size()).toBe(25);
    // A restart: a new runner and a new projection instance continue from the checkpoint.
    await runUntil(store, await appendEvents(store, 18), 5);
    const events = await allEvents(store);
    const leaves = await storedLeaves();
    expect(events).toHaveLength(43);
    expect(await log.size()).toBe(43);
    expect(leaves.map((l) => l.seq)).toEqual(events.map((_, i) => i));
    expect(leaves.map((l) => l.eventId)).toEqual(events.map((e) => e.id));
    for (const [i, leaf] of leaves.entries()) {
      const record = JSON.parse(leaf.record) as Record<string, unknown>;
      const event = events[i]!;
      expect(record).toEqual({
        v: 1,
        seq: i,
        eventId: event.id,
        type: event.type,
        stream: event.streamName,
        revision: event.revision,
        actor: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        role: 'operator',
        occurredAt: event.metadata.occurredAt,
        recordedAt: event.recordedAt.toISOString(),
        digest: eventDigest(event),
      });
      expect(isCanonicalJson(Buffer.from(leaf.record, 'utf8'))).toBe(true);
      expect(leaf.leafHash.equals(leafHash(Buffer.from(leaf.record, 'utf8')))).toBe(true);
    }
  });

  it('writes nothing when already integrated events are replayed', async () => {
    const before = await store.executor.query('SELECT size, frontier FROM audit_tree');
    const leavesBefore = await storedLeaves();
    const events = await allEvents(store);
    await store.withTransaction((tx) => new AuditLogProjection().applyBatch(events.slice(3, 20), tx));
    expect(await store.withTransaction((tx) => integrate(tx, events))).toBe(0);
    expect(await store.executor.query('SELECT size, frontier FROM audit_tree')).toEqual(before);
    expect(await storedLeaves()).toEqual(leavesBefore);
  });

  it('finds the leaves among events integrated before, even by another caller and out of its order', async () => {
    const stream = `household-${randomUUID()}`;
    const appended = Array.from({ length: 12 }, (_, i) => personEvent(1000 + i));
    const { position } = await store.appendToStream(stream, appended, { expected: 'no_stream' });
    const events: RecordedEvent[] = [];
    for await (const event of store.readStream(stream)) events.push(event);
    const size = await log.size();
    const run = (slice: RecordedEvent[]) => store.withTransaction((tx) => integrate(tx, slice));

    expect(await run(events.slice(0, 8))).toBe(8);
    // A page that starts before the furthest event integrated: its first four are leaves already.
    expect(await run(events.slice(4, 12))).toBe(4);
    // The runner's checkpoint is still before these twelve: it reads them again and writes none of them twice.
    await runUntil(store, position, 5);
    expect(await log.size()).toBe(size + 12);
    expect((await storedLeaves()).slice(size).map((leaf) => leaf.eventId)).toEqual(events.map((e) => e.id));
  });

  it('gives a tree made before last_position the column at start, and then looks leaves up again', async () => {
    await store.executor.query('ALTER TABLE audit_tree DROP COLUMN last_position');
    await store.withTransaction((tx) => new AuditLogProjection().setup(tx));
    expect(await store.executor.query('SELECT last_position FROM audit_tree')).toEqual([{ last_position: null }]);
    // Unknown, so the next page is looked up: the events already integrated are not written twice.
    const size = await log.size();
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    expect(await store.withTransaction((tx) => integrate(tx, events.slice(-3)))).toBe(0);
    expect(await log.size()).toBe(size);
  });

  it('gives the same roots as rootFromLeafHashes over the stored leaf hashes, for every size', async () => {
    const hashes = (await storedLeaves()).map((l) => l.leafHash);
    expect((await log.root()).equals(rootFromLeafHashes(hashes))).toBe(true);
    for (let size = 0; size <= hashes.length; size++) {
      expect((await log.root(size)).equals(rootFromLeafHashes(hashes.slice(0, size)))).toBe(true);
    }
    await expect(log.root(hashes.length + 1)).rejects.toThrow(RangeError);
  });

  it('gives inclusion and consistency proofs that libs/audit verifies', async () => {
    const size = await log.size();
    const leaves = await storedLeaves();
    for (const treeSize of [1, 2, 8, size, ...sample(size, 10).map((s) => s + 1)]) {
      const root = await log.root(treeSize);
      for (const seq of [0, treeSize - 1, ...sample(treeSize, 5)]) {
        const proof = await log.inclusionProof(seq, treeSize);
        expect(verifyInclusion(seq, treeSize, leaves[seq]!.leafHash, proof, root)).toBe(true);
        // The same proof must not prove a neighbouring leaf.
        const other = leaves[(seq + 1) % treeSize]!.leafHash;
        if (treeSize > 1) expect(verifyInclusion(seq, treeSize, other, proof, root)).toBe(false);
      }
    }
    for (let i = 0; i < 30; i++) {
      const size2 = 1 + randomInt(0, size);
      const size1 = 1 + randomInt(0, size2);
      const proof = await log.consistencyProof(size1, size2);
      expect(verifyConsistency(size1, size2, await log.root(size1), await log.root(size2), proof)).toBe(true);
    }
    await expect(log.inclusionProof(size, size)).rejects.toThrow(RangeError);
    await expect(log.consistencyProof(3, size + 1)).rejects.toThrow(RangeError);
  });

  it('puts no NIK, name, birth date or userId in a leaf, and no run of 16 digits anywhere in it', async () => {
    const leaves = await storedLeaves();
    expect(personal.niks.length).toBeGreaterThan(0);
    for (const leaf of leaves) {
      for (const value of [...personal.niks, ...personal.names, ...personal.birthDates, ...personal.userIds]) {
        expect(leaf.record).not.toContain(value);
      }
      // The pseudonym and digest are base64url, so not even a hash makes a NIK-like run of 16 digits.
      const { actor, digest } = JSON.parse(leaf.record) as Record<string, unknown>;
      expect(actor).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(digest).toMatch(/^sha256:[A-Za-z0-9_-]{43}$/);
      expect(leaf.record).not.toMatch(/\d{16}/);
    }
    // One pseudonym per userId: linkable within the log, without revealing who.
    const userIds = (await allEvents(store)).map((e) => (e.metadata.actor as { userId: string }).userId);
    const pseudonyms = new Set(leaves.map((l) => (JSON.parse(l.record) as { actor: string }).actor));
    expect(pseudonyms.size).toBe(new Set(userIds).size);
  });

  it('signs checkpoints the verifier key opens, with a key kept in the database', async () => {
    const checkpoint = await signer.signNow();
    const vkey = await signer.verifierKey();
    expect(vkey.startsWith(`${ORIGIN}+`)).toBe(true);
    const opened = openCheckpoint(checkpoint.note, [parseVerifierKey(vkey)], ORIGIN);
    expect(opened.checkpoint.size).toBe(await log.size());
    expect(opened.checkpoint.rootHash.equals(await log.root())).toBe(true);
    expect(checkpoint.rootHash.equals(opened.checkpoint.rootHash)).toBe(true);
    // Another instance (another process) finds the same stored key.
    expect(await new CheckpointSigner(store, { origin: ORIGIN }).verifierKey()).toBe(vkey);
    expect(await signer.latest()).toEqual(checkpoint);
    // A configured key is used instead of the stored one.
    const configured = generateKeyPair('other.test/log/v1');
    const other = new CheckpointSigner(store, { origin: ORIGIN, signerKey: configured.signerKey });
    expect(await other.verifierKey()).toBe(configured.verifierKey);
  });

  it('gives a proof bundle that verifies end to end, and consistent checkpoints as the log grows', async () => {
    const first = (await signer.latest())!;
    await runUntil(store, await appendEvents(store, 11), 4);
    const events = await allEvents(store);
    const fresh = events.at(-1)!;
    const uncovered = await log.proofBundle(fresh.id);
    expect(uncovered).toMatchObject({ checkpoint: null, inclusionProof: null, index: events.length - 1 });
    const second = await signer.signNow();
    expect(second.size).toBe(events.length);
    expect(
      verifyConsistency(
        first.size,
        second.size,
        first.rootHash,
        second.rootHash,
        await log.consistencyProof(first.size, second.size),
      ),
    ).toBe(true);
    const verifier = parseVerifierKey(await signer.verifierKey());
    for (const event of [events[0]!, events[17]!, fresh]) {
      const bundle = (await log.proofBundle(event.id))!;
      const bytes = Buffer.from(bundle.record, 'utf8');
      expect(isCanonicalJson(bytes)).toBe(true);
      expect((JSON.parse(bundle.record) as { eventId: string; seq: number }).eventId).toBe(event.id);
      expect((JSON.parse(bundle.record) as { seq: number }).seq).toBe(bundle.index);
      const { checkpoint } = openCheckpoint(bundle.checkpoint!.note, [verifier], ORIGIN);
      const proof = bundle.inclusionProof!.map((h) => Buffer.from(h, 'base64'));
      expect(verifyInclusion(bundle.index, checkpoint.size, leafHash(bytes), proof, checkpoint.rootHash)).toBe(true);
      expect(eventDigest(event)).toBe((JSON.parse(bundle.record) as { digest: string }).digest);
    }
    expect(await log.proofBundle(randomUUID())).toBeUndefined();
    expect((await signer.history(10)).map((c) => c.size)).toEqual([second.size, first.size]);
  });

  it('refuses to sign after a stored leaf hash is changed, and after a forked frontier', async () => {
    const count = async () => (await signer.history(1000)).length;
    const before = await count();
    // The signer re-hashes the leaves added since the last checkpoint (O(new leaves + log n)), so these are new.
    const signed = (await signer.latest())!.size;
    await runUntil(store, await appendEvents(store, 9), 4);
    const size = await log.size();
    for (const seq of [signed, signed + 5, size - 1]) {
      const leaf = (await log.leaf(seq))!;
      await store.executor.query('UPDATE audit_leaves SET leaf_hash = $1 WHERE seq = $2', [randomBytes(32), seq]);
      await expect(signer.signNow()).rejects.toThrow(AuditLogIntegrityError);
      await store.executor.query('UPDATE audit_leaves SET leaf_hash = $1 WHERE seq = $2', [leaf.leafHash, seq]);
      // A record changed under its hash, or renumbered, is refused too.
      const changed = leaf.record.replace(`"seq":${seq}`, `"seq":${seq + 1}`);
      await store.executor.query('UPDATE audit_leaves SET record = $1 WHERE seq = $2', [changed, seq]);
      await expect(signer.signNow()).rejects.toThrow(AuditLogIntegrityError);
      await store.executor.query('UPDATE audit_leaves SET record = $1 WHERE seq = $2', [leaf.record, seq]);
    }
    // A leaf under an earlier checkpoint is not re-read by the signer, but no proof that needs it is served.
    const old = (await log.leaf(0))!;
    await store.executor.query('UPDATE audit_leaves SET leaf_hash = $1 WHERE seq = 0', [randomBytes(32)]);
    await expect(log.inclusionProof(0, size)).rejects.toThrow(AuditLogIntegrityError);
    await expect(log.inclusionProof(1, size)).rejects.toThrow(AuditLogIntegrityError);
    await store.executor.query('UPDATE audit_leaves SET leaf_hash = $1 WHERE seq = 0', [old.leafHash]);
    // A whole fork: a leaf rewritten and the frontier recomputed to match, so only consistency can tell.
    const [tree] = await store.executor.query('SELECT size, frontier FROM audit_tree');
    const original = (await log.leaf(2))!;
    const forged = randomBytes(32);
    await store.executor.query('UPDATE audit_leaves SET leaf_hash = $1 WHERE seq = 2', [forged]);
    const range = CompactRange.empty();
    for (const leaf of await storedLeaves()) range.append(leaf.leafHash);
    await store.executor.query('UPDATE audit_tree SET frontier = $1', [Buffer.concat(range.frontier())]);
    await expect(signer.signNow()).rejects.toThrow(/not consistent/);
    await store.executor.query('UPDATE audit_leaves SET leaf_hash = $1 WHERE seq = 2', [original.leafHash]);
    await store.executor.query('UPDATE audit_tree SET size = $1, frontier = $2', [tree!.size, tree!.frontier]);
    expect(await count()).toBe(before);
    expect((await signer.signNow()).size).toBe(size);
  });

  it('cannot be reset for a rebuild', async () => {
    await expect(store.withTransaction((tx) => (new AuditLogProjection() as Projection).reset!(tx))).rejects.toThrow(
      /append-only/,
    );
  });
});
