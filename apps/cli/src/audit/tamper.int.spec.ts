/**
 * Store-level attacks on a real PostgreSQL audit log (design notes §6 C), each caught by the offline verifier.
 *
 * A log of 300 events is built through the real event store, integrator and CheckpointSigner, with checkpoints
 * signed at sizes 100, 200 and 300 that the auditor keeps, and an export made before any tampering. Each attack
 * then runs on its own copy of that database (CREATE DATABASE ... TEMPLATE), changing it directly with SQL as the
 * superuser, the way a database administrator could; a new export is made from the copy and checked offline with
 * `muskel audit verify-export` / `verify-consistency`, which must exit 1 naming the failure and where it is.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { Command, CommanderError } from 'commander';
import { generateKeyPair, parseSignerKey, signCheckpoint } from '@muskel/audit';
import {
  AuditLog,
  AuditLogProjection,
  CheckpointSigner,
  integrate,
  prepareExport,
  setupAuditLogTables,
} from '@muskel/audit-log';
import { createPostgresEventStore, type RecordedEvent, type SqlEventStore } from '@muskel/event-store';
import { type AuditIo, registerAuditCommands } from './audit-commands';
import type { ExportReport } from './verify-export';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ORIGIN = 'audit.test/tamper/v1';
const key = generateKeyPair(ORIGIN);
const EVENTS = 300;
const SAVED_SIZES = [100, 200, 300];

const urlOf = (name: string): string => {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Every event in log order, once `count` are readable: the store reads only below the server's oldest running
 * transaction, which another database's transaction on the same server can hold back for a moment.
 */
async function readAll(store: SqlEventStore, count: number): Promise<RecordedEvent[]> {
  for (const deadline = Date.now() + 30_000; ;) {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Tables an attacker who recomputes "everything" rewrites: every audit table but the keys and witness state. */
async function treeTables(sql: { query(q: string): Promise<Record<string, unknown>[]> }): Promise<string[]> {
  const rows = await sql.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_name LIKE 'audit\\_%' ORDER BY table_name`,
  );
  return rows.map((r) => String(r.table_name)).filter((t) => !/key|witness/.test(t));
}

describe('tampering with the stored log is caught by the offline verifier', () => {
  const baseName = `muskel_tamper_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let dir: string;
  let policyFile: string;
  const savedFiles: Record<number, string> = {};
  let preTamperExport: string;
  let eventIds: string[] = [];

  /** Runs `muskel audit ...` in-process as main.ts does; usage errors become exit code 2. */
  async function cli(...args: string[]): Promise<{ code: number | undefined; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    let code: number | undefined;
    const io: AuditIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), setExitCode: (c) => (code = c) };
    const program = new Command('muskel')
      .exitOverride()
      .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
    registerAuditCommands(program, io);
    try {
      await program.parseAsync(['audit', ...args], { from: 'user' });
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      code = error.exitCode === 0 ? 0 : 2;
    }
    return { code, out, err };
  }

  async function verifyExport(
    archive: string,
    saved: number[] = [],
  ): Promise<{ code: number | undefined; report: ExportReport; err: string[] }> {
    const { code, out, err } = await cli(
      'verify-export',
      archive,
      '--policy',
      policyFile,
      ...saved.flatMap((size) => ['--checkpoint', savedFiles[size]!]),
    );
    expect(out).toHaveLength(1);
    return { code, report: JSON.parse(out[0]!) as ExportReport, err };
  }

  async function exportTo(store: SqlEventStore, file: string, events = true): Promise<string> {
    const prepared = await prepareExport(store.executor, {
      verifierKey: key.verifierKey,
      events,
      log: store.raw(),
      gzip: true,
    });
    await pipeline(prepared!.open(), fs.createWriteStream(file));
    return file;
  }

  /** A fresh copy of the built log, an event store and a superuser client on it; dropped afterwards. */
  async function onCopy(
    work: (db: { store: SqlEventStore; sql: Client; signer: CheckpointSigner }) => Promise<void>,
  ): Promise<void> {
    const name = `${baseName}_${randomUUID().replace(/-/g, '').slice(0, 6)}`;
    await onServer(`CREATE DATABASE ${name} TEMPLATE ${baseName}`);
    const store = await createPostgresEventStore({ connectionString: urlOf(name), poolSize: 2 });
    const sql = new Client({ connectionString: urlOf(name) });
    await sql.connect();
    try {
      await work({ store, sql, signer: new CheckpointSigner(store, { origin: ORIGIN, signerKey: key.signerKey }) });
    } finally {
      await sql.end();
      await store.close();
      await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }

  /**
   * The "recompute everything" attack: every tree table emptied and the log integrated again, by the operator's
   * own integrator, from `events` in the order given (leaves, frontier and whatever node tables exist).
   */
  async function rebuildLog(
    store: SqlEventStore,
    events: RecordedEvent[],
    { keepCheckpoints }: { keepCheckpoints: boolean },
  ): Promise<void> {
    await store.withTransaction(async (tx) => {
      for (const table of await treeTables(tx)) {
        if (keepCheckpoints && table === 'audit_checkpoints') continue;
        await tx.query(`TRUNCATE ${table}`);
      }
      await setupAuditLogTables(tx);
      await integrate(tx, events);
    });
  }

  /** Signs the current tree with the log's key directly, as someone holding the key (no consistency check). */
  async function forgeCheckpoint(store: SqlEventStore): Promise<string> {
    const log = new AuditLog(store.executor);
    const size = await log.size();
    const rootHash = await log.root();
    const note = signCheckpoint({ origin: ORIGIN, size, rootHash, extensions: [] }, [parseSignerKey(key.signerKey)]);
    await store.executor.query('INSERT INTO audit_checkpoints (size, root, note) VALUES ($1, $2, $3)', [
      size,
      rootHash,
      note,
    ]);
    return note;
  }

  const codes = (report: ExportReport): string[] => [...new Set(report.failures.map((f) => f.code))].sort();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-tamper-'));
    await onServer(`CREATE DATABASE ${baseName} TEMPLATE template0 ENCODING 'UTF8'`);
    const store = await createPostgresEventStore({ connectionString: urlOf(baseName), poolSize: 2 });
    try {
      await store.init();
      await store.withTransaction((tx) => new AuditLogProjection().setup(tx));
      const signer = new CheckpointSigner(store, { origin: ORIGIN, signerKey: key.signerKey });
      const streams = Array.from({ length: 60 }, () => `household-${randomUUID()}`);
      for (let n = 0; n < EVENTS; n++) {
        await store.appendToStream(
          streams[n % streams.length]!,
          [
            {
              id: randomUUID(),
              type: n % 4 === 0 ? 'HouseholdEnrolled' : 'MemberIncomeUpdated',
              data: { n, income: 1_500_000 + n, address: 'Jl. Melati (sintetis)' },
              metadata: {
                actor: { userId: `user-${n % 7}`, role: 'VILLAGE_OPERATOR' },
                occurredAt: new Date(Date.UTC(2026, 10, 1, 0, 0, n)).toISOString(),
              },
            },
          ],
          { expected: 'any' },
        );
        if (SAVED_SIZES.includes(n + 1)) {
          const events = await readAll(store, n + 1);
          await store.withTransaction((tx) => new AuditLogProjection().applyBatch(events, tx));
          const checkpoint = await signer.signNow();
          expect(checkpoint.size).toBe(n + 1);
          savedFiles[checkpoint.size] = path.join(dir, `saved-${checkpoint.size}.json`);
          // As the auditor keeps it: the API's JSON for GET /audit/v1/checkpoint.
          fs.writeFileSync(
            savedFiles[checkpoint.size]!,
            JSON.stringify({ size: checkpoint.size, note: checkpoint.note }),
          );
        }
      }
      eventIds = (await readAll(store, EVENTS)).map((e) => e.id);
      policyFile = path.join(dir, 'policy.json');
      fs.writeFileSync(policyFile, JSON.stringify({ origin: ORIGIN, verifierKeys: [await signer.verifierKey()] }));
      preTamperExport = await exportTo(store, path.join(dir, 'before.tar.gz'));
    } finally {
      await store.close(); // a template must have no sessions
    }
  });

  afterAll(async () => {
    await onServer(`DROP DATABASE IF EXISTS ${baseName} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an untampered copy verifies, against every saved checkpoint, without opening a socket', async () => {
    const before = await verifyExport(preTamperExport, SAVED_SIZES);
    expect(before.code).toBe(0);
    expect(before.report).toMatchObject({ ok: true, size: 300, leaves: 300, checkpoints: 3, events: 300 });
    // Not an export at all, or no file: unusable input (2), not a verdict on the log.
    const notTar = path.join(dir, 'not-an-export.tar');
    fs.writeFileSync(notTar, 'hello\n');
    for (const archive of [notTar, path.join(dir, 'missing.tar')]) {
      const { code, out, err } = await cli('verify-export', archive, '--policy', policyFile);
      expect({ code, out }).toEqual({ code: 2, out: [] });
      expect(err.join('\n')).toMatch(/^muskel: /);
    }
    expect((await cli('verify-export', preTamperExport)).code).toBe(2); // --policy missing
    await onCopy(async ({ store }) => {
      const archive = await exportTo(store, path.join(dir, 'untampered.tar.gz'));
      const connect = jest.spyOn(net.Socket.prototype, 'connect');
      try {
        const result = await verifyExport(archive, SAVED_SIZES);
        expect({ code: result.code, failures: result.report.failures }).toEqual({ code: 0, failures: [] });
        expect(connect).not.toHaveBeenCalled();
      } finally {
        connect.mockRestore();
      }
    });
  });

  it('(a) an edited event: DIGEST_MISMATCH at that event (the CLI as a child process)', async () => {
    const target = eventIds[150]!;
    await onCopy(async ({ store, sql }) => {
      await sql.query(`UPDATE es_events SET data = jsonb_set(data, '{income}', '9999999') WHERE event_id = $1`, [
        target,
      ]);
      const archive = await exportTo(store, path.join(dir, 'a.tar.gz'));
      const child = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          path.join('node_modules', '.bin', 'tsx'),
          ['apps/cli/src/main.ts', 'audit', 'verify-export', archive, '--policy', policyFile],
          { cwd: path.resolve(__dirname, '../../../..'), timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
        );
      });
      expect(child.code).toBe(1);
      const report = JSON.parse(child.stdout) as ExportReport;
      expect(report.failures).toEqual([
        {
          code: 'DIGEST_MISMATCH',
          what: expect.stringContaining('the event was changed') as unknown,
          where: expect.stringContaining(`event ${target} (leaf 150)`) as unknown,
        },
      ]);
      expect(child.stderr).toContain('code: DIGEST_MISMATCH');
    });
  }, 90_000);

  it('(b) an edited event with its leaf, the whole tree and a new checkpoint recomputed: the saved checkpoints catch it', async () => {
    const target = eventIds[150]!;
    await onCopy(async ({ store, sql, signer }) => {
      await sql.query(`UPDATE es_events SET data = jsonb_set(data, '{income}', '9999999') WHERE event_id = $1`, [
        target,
      ]);
      await rebuildLog(store, await readAll(store, EVENTS), { keepCheckpoints: false });
      const resigned = await signer.signNow(); // the operator's own signer, over a history with no checkpoints left
      expect(resigned.size).toBe(300);
      const archive = await exportTo(store, path.join(dir, 'b.tar.gz'));

      // On its own the rewritten archive is self-consistent: only what was published before can tell.
      expect((await verifyExport(archive)).code).toBe(0);
      const result = await verifyExport(archive, SAVED_SIZES);
      expect(result.code).toBe(1);
      // Size 100 precedes the edited leaf 150 and still matches; 200 and 300 do not.
      expect(result.report.failures.map((f) => [f.code, f.where])).toEqual([
        ['ROOT_MISMATCH', `saved checkpoint ${savedFiles[200]}`],
        ['ROOT_MISMATCH', `saved checkpoint ${savedFiles[300]}`],
      ]);

      const log = new AuditLog(store.executor);
      const proofFile = path.join(dir, 'b-proof.json');
      fs.writeFileSync(
        proofFile,
        JSON.stringify({
          from: 200,
          to: 300,
          proof: (await log.consistencyProof(200, 300)).map((h) => h.toString('base64')),
        }),
      );
      const newFile = path.join(dir, 'b-new');
      fs.writeFileSync(newFile, resigned.note);
      const consistency = await cli('verify-consistency', savedFiles[200]!, newFile, proofFile, '--policy', policyFile);
      expect(consistency.code).toBe(1);
      expect(consistency.err[0]).toBe('code: INCONSISTENT');
    });
  });

  it('(c) a deleted event: EVENT_MISSING; deleted with its leaf: a seq gap at that index', async () => {
    const target = eventIds[120]!;
    await onCopy(async ({ store, sql }) => {
      await sql.query('DELETE FROM es_events WHERE event_id = $1', [target]);
      const eventOnly = await verifyExport(await exportTo(store, path.join(dir, 'c1.tar.gz')));
      expect(eventOnly.code).toBe(1);
      expect(eventOnly.report.failures).toEqual([
        {
          code: 'EVENT_MISSING',
          what: expect.stringContaining(`leaf 120 names event ${target}`) as unknown,
          where: expect.stringContaining(`leaf 120, event ${target}`) as unknown,
        },
      ]);
      await sql.query('DELETE FROM audit_leaves WHERE seq = 120');
      const { code, report } = await verifyExport(await exportTo(store, path.join(dir, 'c.tar.gz')));
      expect(code).toBe(1);
      expect(report.failures[0]).toMatchObject({
        code: 'INDEX_MISMATCH',
        where: expect.stringContaining('(leaf 120)'),
      });
      expect(codes(report)).toEqual(['INDEX_MISMATCH', 'LEAF_COUNT_MISMATCH', 'ROOT_MISMATCH']);
      expect(report.leaves).toBe(299);
    });
  });

  it('(d) two leaves swapped: the seq check and the root history fail from that index', async () => {
    await onCopy(async ({ store, sql }) => {
      await sql.query('UPDATE audit_leaves SET seq = 1000000 WHERE seq = 40');
      await sql.query('UPDATE audit_leaves SET seq = 40 WHERE seq = 41');
      await sql.query('UPDATE audit_leaves SET seq = 41 WHERE seq = 1000000');
      const { code, report } = await verifyExport(await exportTo(store, path.join(dir, 'd.tar.gz')));
      expect(code).toBe(1);
      expect(report.failures[0]).toMatchObject({ code: 'INDEX_MISMATCH', where: expect.stringContaining('(leaf 40)') });
      expect(report.failures.filter((f) => f.code === 'ROOT_MISMATCH').map((f) => f.where)).toEqual([
        expect.stringContaining('checkpoint of size 100'),
        expect.stringContaining('checkpoint of size 200'),
        expect.stringContaining('checkpoint of size 300'),
      ]);
    });
  });

  it('(e) a back-dated event inserted in the middle, later leaves renumbered: caught by every later checkpoint', async () => {
    await onCopy(async ({ store, sql }) => {
      const forged = randomUUID();
      await sql.query(
        `INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata, recorded_at)
         VALUES ($1, 0, $2, 'HouseholdEnrolled', '{"n": -1}', '{}', '2026-01-05T08:00:00Z')`,
        [`household-${randomUUID()}`, forged],
      );
      const events = await readAll(store, EVENTS + 1);
      const inserted = events.find((e) => e.id === forged)!;
      const reordered = events.filter((e) => e.id !== forged);
      reordered.splice(150, 0, inserted);
      await rebuildLog(store, reordered, { keepCheckpoints: true });
      await forgeCheckpoint(store);
      const { code, report } = await verifyExport(await exportTo(store, path.join(dir, 'e.tar.gz')), SAVED_SIZES);
      expect(code).toBe(1);
      expect(report.size).toBe(301);
      expect(codes(report)).toEqual(['ROOT_MISMATCH']);
      // Every checkpoint after leaf 150, kept in the table or saved by the auditor; the one of size 100 still holds.
      expect(report.failures.map((f) => f.where)).toEqual([
        `saved checkpoint ${savedFiles[200]}`,
        expect.stringContaining('(checkpoint of size 200)'),
        `saved checkpoint ${savedFiles[300]}`,
        expect.stringContaining('(checkpoint of size 300)'),
      ]);
    });
  });

  it('(f) the tail truncated and a smaller checkpoint signed: SIZE_REGRESSION against the saved checkpoint', async () => {
    await onCopy(async ({ store, sql, signer }) => {
      await sql.query('DELETE FROM es_events WHERE event_id = ANY($1::uuid[])', [eventIds.slice(250)]);
      await sql.query('DELETE FROM audit_checkpoints WHERE size > 250');
      await rebuildLog(store, await readAll(store, 250), { keepCheckpoints: true });
      const smaller = await signer.signNow(); // consistent with the checkpoint of size 200 that was left
      expect(smaller.size).toBe(250);
      const archive = await exportTo(store, path.join(dir, 'f.tar.gz'));
      expect((await verifyExport(archive)).code).toBe(0);
      const { code, report } = await verifyExport(archive, SAVED_SIZES);
      expect(code).toBe(1);
      expect(report.failures).toEqual([
        {
          code: 'SIZE_REGRESSION',
          what: expect.stringContaining('the log was truncated') as unknown,
          where: `saved checkpoint ${savedFiles[300]}`,
        },
      ]);
      const newFile = path.join(dir, 'f-new');
      fs.writeFileSync(newFile, smaller.note);
      const proofFile = path.join(dir, 'f-proof.json');
      fs.writeFileSync(proofFile, '[]');
      const consistency = await cli('verify-consistency', savedFiles[300]!, newFile, proofFile, '--policy', policyFile);
      expect(consistency.code).toBe(1);
      expect(consistency.err[0]).toBe('code: SIZE_REGRESSION');
    });
  });

  it('(g) a fork from a common prefix, signed with the same key: INCONSISTENT, both notes kept as evidence', async () => {
    await onCopy(async ({ store, sql, signer }) => {
      await sql.query('DELETE FROM es_events WHERE event_id = ANY($1::uuid[])', [eventIds.slice(200)]);
      await sql.query('DELETE FROM audit_checkpoints WHERE size > 200');
      for (let n = 0; n < 150; n++) {
        await store.appendToStream(
          `household-${randomUUID()}`,
          [{ id: randomUUID(), type: 'HouseholdEnrolled', data: { branch: 'other', n }, metadata: {} }],
          { expected: 'no_stream' },
        );
      }
      await rebuildLog(store, await readAll(store, 350), { keepCheckpoints: true });
      const fork = await signer.signNow();
      expect(fork.size).toBe(350);
      const log = new AuditLog(store.executor);
      const proofFile = path.join(dir, 'g-proof.json');
      const proof = {
        from: 300,
        to: 350,
        proof: (await log.consistencyProof(300, 350)).map((h) => h.toString('base64')),
      };
      fs.writeFileSync(proofFile, JSON.stringify(proof));
      const forkFile = path.join(dir, 'g-fork');
      fs.writeFileSync(forkFile, fork.note);
      const evidence = path.join(dir, 'g-evidence');
      const result = await cli(
        'verify-consistency',
        savedFiles[300]!,
        forkFile,
        proofFile,
        '--policy',
        policyFile,
        '--evidence-dir',
        evidence,
      );
      expect(result.code).toBe(1);
      expect(result.err[0]).toBe('code: INCONSISTENT');
      const saved = JSON.parse(fs.readFileSync(savedFiles[300]!, 'utf8')) as { note: string };
      expect(fs.readFileSync(path.join(evidence, 'old-checkpoint'), 'utf8')).toBe(saved.note);
      expect(fs.readFileSync(path.join(evidence, 'new-checkpoint'), 'utf8')).toBe(fork.note);
      // The fork's own export is self-consistent, but not with the saved checkpoint of the other branch.
      const archive = await exportTo(store, path.join(dir, 'g.tar.gz'));
      const { code, report } = await verifyExport(archive, [300]);
      expect(code).toBe(1);
      expect(report.failures.map((f) => [f.code, f.where])).toEqual([
        ['ROOT_MISMATCH', `saved checkpoint ${savedFiles[300]}`],
      ]);
    });
  });
});
