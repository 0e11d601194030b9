/**
 * The audit acceptance run: 1,000+ workflow commands over HTTP on PostgreSQL (proposals, meetings, decisions,
 * flags, field visits, verifications, a batch to Pusdatin and back), a signed checkpoint, an export with the stored
 * events, and the offline verifier (`muskel audit verify-export`, a child process) says all is well. Then the
 * database is tampered with directly, as a superuser would, each attack on its own copy, and the verifier, run on a
 * new export of each copy, exits 1 naming the failure.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import request from 'supertest';
import { CompactRange, parseSignerKey, signCheckpoint } from '@muskel/audit';
import { AUDIT_LOG_PROJECTION, prepareExport } from '@muskel/audit-log';
import { createPostgresEventStore } from '@muskel/event-store';
import { waitForProjection } from '@muskel/application';
import {
  bearer,
  eventually,
  freshPostgresDatabase,
  openSession,
  seedUser,
  sleep,
  startApp,
  type TestApp,
} from '../support/access-app';
import { syntheticNik } from '../support/workflow-fixtures';

const VILLAGE = '3515142003';
const REGENCY = '3515';
const PERIOD = new Date().toISOString().slice(0, 7);
const TODAY = new Date().toISOString().slice(0, 10);
const ROOT = path.resolve(__dirname, '../../..');
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const ATTENDANCE = [
  { name: 'Kepala Desa', role: 'KEPALA_DESA' },
  { name: 'Sekretaris Desa', role: 'SECRETARY' },
  { name: 'Ketua RT', role: 'RT' },
  { name: 'Ketua RW', role: 'RW' },
  { name: 'Pendamping PKH', role: 'PKH_FACILITATOR' },
  { name: 'Tokoh Agama', role: 'RELIGIOUS_LEADER' },
];
/** Proposals per meeting; cycles until the run has issued at least TARGET_COMMANDS commands. */
const PER_MEETING = 8;
const TARGET_COMMANDS = 1000;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `muskel audit <args>` as a child process, as an auditor runs it. */
export function runAuditCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      ['apps/cli/src/main.ts', 'audit', ...args],
      { cwd: ROOT, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('1,000 workflow commands, an export, and the offline verifier', () => {
  let t: TestApp;
  let databaseUrl: string;
  let drop: () => Promise<void>;
  let dir: string;
  const token = { operator: '', verifier: '', admin: '', auditor: '' };
  let commands = 0;
  let kk = 0;
  /** Set by the first test: the policy, the auditor's saved checkpoint, the verifier key and the log's size. */
  let policyFile = '';
  let savedCheckpoint = '';
  let verifierKey = '';
  let logSize = 0;

  const post = async (who: keyof typeof token, route: string, body: object, status = [200, 201]) => {
    const response = await request(t.server).post(route).set('Authorization', bearer(token[who])).send(body);
    if (!status.includes(response.status)) {
      throw new Error(`${route}: expected ${status.join('/')}, got ${response.status}: ${response.text}`);
    }
    commands += 1;
    return response.body as Record<string, unknown>;
  };
  const statusOf = async (id: string) =>
    (
      (await request(t.server).get(`/proposals/${id}`).set('Authorization', bearer(token.verifier)).expect(200))
        .body as { status: string }
    ).status;

  beforeAll(async () => {
    const database = await freshPostgresDatabase();
    databaseUrl = database.url;
    drop = database.drop;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-thousand-'));
    t = await startApp({ databaseUrl, logLevel: 'warn' });
    const people = {
      operator: { role: 'VILLAGE_OPERATOR' as const, scope: VILLAGE },
      verifier: { role: 'VERIFIER' as const, scope: REGENCY },
      admin: { role: 'ADMIN' as const, scope: 'NATIONAL' },
      auditor: { role: 'AUDITOR' as const, scope: 'NATIONAL' },
    };
    for (const [who, grant] of Object.entries(people) as [keyof typeof token, (typeof people)['operator']][]) {
      const user = await seedUser(t, { homeRegion: grant.scope, grants: [grant] });
      token[who] = (await openSession(t, user.userId)).accessToken;
    }
  }, 60_000);

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await drop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One meeting's worth: proposals submitted, deliberated and verified. Returns the proposal ids. */
  async function cycle(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < PER_MEETING; i++) {
      kk += 1;
      const submitted = await post('operator', '/proposals', {
        kind: 'ADD',
        villageCode: VILLAGE,
        channel: 'RT_RW',
        household: {
          address: `Jl. Uji ${n}-${i}`,
          rt: String(1 + (i % 9)).padStart(3, '0'),
          rw: '001',
          kkNumber: `351514010110${String(1000 + kk).padStart(4, '0')}`,
          members: [
            { nik: syntheticNik(), name: `Warga ${n}-${i}`, sex: 'F', birthDate: '1968-08-05', relationship: 'HEAD' },
          ],
        },
      });
      ids.push(submitted.proposalId as string);
    }
    const hour = String(7 + (n % 12)).padStart(2, '0');
    const meeting = await post('operator', '/meetings', {
      villageCode: VILLAGE,
      kind: 'MUSDES',
      scheduledAt: `${TODAY}T${hour}:00:00+07:00`,
      venue: 'Balai Desa',
      chair: 'Kepala Desa',
    });
    const meetingId = meeting.meetingId as string;
    for (const id of ids) await post('operator', `/meetings/${meetingId}/agenda`, { proposalId: id });
    await post('operator', `/meetings/${meetingId}/open`, {
      openedAt: `${TODAY}T${hour}:05:00+07:00`,
      attendees: ATTENDANCE,
    });
    for (const id of ids) {
      await post('operator', `/meetings/${meetingId}/decisions`, {
        proposalId: id,
        decision: 'APPROVED',
        reason: 'Disepakati musyawarah',
      });
    }
    await post('operator', `/meetings/${meetingId}/conclude`, {
      minutesDigest: digest((n % 10).toString()),
      signatories: [ATTENDANCE[0], ATTENDANCE[1]],
    });
    for (const id of ids)
      await eventually(async () => ((await statusOf(id)) === 'APPROVED' ? true : undefined), 60_000);
    const flagged = ids[0]!;
    await post('verifier', `/proposals/${flagged}/flags`, {
      code: 'DUKCAPIL_UNMATCHED',
      severity: 'BLOCKING',
      source: 'DUKCAPIL',
      evidence: `padan-${n}`,
    });
    await post('verifier', `/proposals/${flagged}/flags/DUKCAPIL_UNMATCHED/resolve`, {
      justification: 'KTP-el diperiksa langsung',
    });
    for (const id of ids) {
      await post('verifier', `/proposals/${id}/field-visits`, {
        visitedAt: `${TODAY}T${hour}:30:00+07:00`,
        outcome: 'CONFIRMED',
        notes: 'Kondisi rumah sesuai usulan',
      });
      await post('verifier', `/proposals/${id}/verify`, {});
    }
    return ids;
  }

  it('runs 1,000 commands; the export of the signed log verifies offline (exit 0)', async () => {
    const proposals: string[] = [];
    // A batch adds 5 commands plus one per proposal: stop the cycles when that will reach the target.
    for (let n = 0; commands + proposals.length + 5 < TARGET_COMMANDS; n++) proposals.push(...(await cycle(n)));
    const batch = await post('verifier', '/batches', {
      regencyCode: REGENCY,
      period: PERIOD,
      cutoffDate: `${PERIOD}-28`,
    });
    const batchId = batch.batchId as string;
    for (const id of proposals) await post('verifier', `/batches/${batchId}/proposals`, { proposalId: id });
    await post('verifier', `/batches/${batchId}/close`, { early: true, reason: 'Uji audit' });
    await post('verifier', `/batches/${batchId}/endorse`, {
      endorsedBy: 'Bupati',
      letterNumber: '400/1/2026',
      signedDate: TODAY,
      documentDigest: digest('e'),
    });
    await post('verifier', `/batches/${batchId}/submit`, {
      submittedAt: new Date().toISOString(),
      exportDigest: digest('f'),
    });
    const last = await post('verifier', `/batches/${batchId}/results`, {
      results: proposals.map((id, i) => ({ proposalId: id, outcome: 'ACCEPTED', decreeRef: `SK-460/${i + 1}/2026` })),
    });
    expect(commands).toBeGreaterThanOrEqual(TARGET_COMMANDS);
    for (const id of proposals) {
      await eventually(async () => ((await statusOf(id)) === 'ACCEPTED' ? true : undefined), 60_000);
    }
    await waitForProjection(t.store, AUDIT_LOG_PROJECTION, last.position as string, 120_000);
    // The reactors enrol the accepted households after the answer: wait until the log stops growing and the
    // integrator has every event.
    const count = async (table: string) =>
      Number((await t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]!.n);
    const settled = await eventually(async () => {
      const before = await count('es_events');
      await sleep(500);
      const after = await count('es_events');
      return before === after && (await count('audit_leaves')) === after ? after : undefined;
    }, 60_000);
    expect(settled).toBeGreaterThan(TARGET_COMMANDS);

    const signed = await request(t.server).post('/audit/v1/checkpoints').set('Authorization', bearer(token.admin));
    expect(signed.status).toBe(201);
    expect((signed.body as { size: number }).size).toBe(settled);
    verifierKey = (
      (await request(t.server).get('/audit/v1/verifier-key').expect(200)).body as {
        verifierKey: string;
      }
    ).verifierKey;
    policyFile = path.join(dir, 'policy.json');
    savedCheckpoint = path.join(dir, 'saved-checkpoint.json');
    // The auditor keeps the checkpoint they were shown.
    fs.writeFileSync(savedCheckpoint, JSON.stringify((await request(t.server).get('/audit/v1/checkpoint')).body));
    logSize = settled;
    fs.writeFileSync(policyFile, JSON.stringify({ origin: 'muskel.local/audit-log', verifierKeys: [verifierKey] }));
    const archive = path.join(dir, 'export.tar');
    const exported = await request(t.server)
      .get('/audit/v1/export?events=true')
      .set('Authorization', bearer(token.auditor))
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      });
    expect(exported.status).toBe(200);
    fs.writeFileSync(archive, exported.body as Buffer);

    const run = await runAuditCli(['verify-export', archive, '--policy', policyFile]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: boolean; leaves: number; events: number };
    expect(report.ok).toBe(true);
    expect(report.leaves).toBe(settled);
    expect(report.events).toBe(settled);
  }, 600_000);

  /** A copy of the run's database, tampered with as a superuser, exported as the API would, verified offline. */
  async function tamperAndVerify(attack: (sql: Client) => Promise<void>, name: string): Promise<CliRun> {
    const source = new URL(databaseUrl).pathname.slice(1);
    const copy = `${source}_${name}`;
    const admin = new Client({ connectionString: new URL('/test', databaseUrl).toString() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${copy} TEMPLATE ${source}`);
      const url = new URL(`/${copy}`, databaseUrl).toString();
      const sql = new Client({ connectionString: url });
      await sql.connect();
      try {
        await attack(sql);
      } finally {
        await sql.end();
      }
      const store = await createPostgresEventStore({ connectionString: url, poolSize: 2 });
      const archive = path.join(dir, `${name}.tar`);
      try {
        const prepared = await prepareExport(store.executor, { verifierKey, events: true, log: store.raw() });
        await pipeline(prepared!.open(), fs.createWriteStream(archive));
      } finally {
        await store.close();
      }
      return await runAuditCli(['verify-export', archive, '--policy', policyFile, '--checkpoint', savedCheckpoint]);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`);
      await admin.end();
    }
  }

  const failureCodes = (run: CliRun): string[] =>
    [...new Set((JSON.parse(run.stdout) as { failures: { code: string }[] }).failures.map((f) => f.code))].sort();

  it('each tamper with the stored log makes the offline verifier exit 1, naming the failure', async () => {
    expect(logSize).toBeGreaterThan(TARGET_COMMANDS); // the first test ran
    // The app is stopped: its copies are made from a database nobody writes to.
    await t.close();
    const middle = Math.floor(logSize / 2);

    const edited = await tamperAndVerify(async (sql) => {
      await sql.query(
        `UPDATE es_events SET data = jsonb_set(data, '{verifiedBy}', '"someone-else"')
          WHERE event_id = (SELECT event_id FROM es_events WHERE event_type = 'ProposalVerified' LIMIT 1)`,
      );
    }, 'edit');
    expect(edited.code).toBe(1);
    expect(failureCodes(edited)).toEqual(['DIGEST_MISMATCH']);

    const deleted = await tamperAndVerify(async (sql) => {
      const { rows } = await sql.query<{ event_id: string }>('SELECT event_id FROM audit_leaves WHERE seq = $1', [
        middle,
      ]);
      await sql.query('DELETE FROM audit_leaves WHERE seq = $1', [middle]);
      await sql.query('DELETE FROM es_events WHERE event_id::text = $1', [rows[0]!.event_id]);
    }, 'delete');
    expect(deleted.code).toBe(1);
    expect(failureCodes(deleted)).toContain('INDEX_MISMATCH');

    const swapped = await tamperAndVerify(async (sql) => {
      // Through a free slot far beyond the log (seq must stay unique and not negative).
      const parked = 1_000_000_000;
      await sql.query('UPDATE audit_leaves SET seq = $1 WHERE seq = $2', [parked, middle]);
      await sql.query('UPDATE audit_leaves SET seq = $1 WHERE seq = $2', [middle, middle + 1]);
      await sql.query('UPDATE audit_leaves SET seq = $1 WHERE seq = $2', [middle + 1, parked]);
    }, 'swap');
    expect(swapped.code).toBe(1);
    expect(failureCodes(swapped)).toEqual(expect.arrayContaining(['INDEX_MISMATCH', 'ROOT_MISMATCH']));

    const truncated = await tamperAndVerify(async (sql) => {
      // The tail cut off and a smaller checkpoint signed with the log's own key, as its operator could.
      const { rows } = await sql.query<{ signer_key: string }>('SELECT signer_key FROM audit_signer_key');
      await sql.query('DELETE FROM audit_leaves WHERE seq >= $1', [middle]);
      await sql.query('DELETE FROM audit_checkpoints');
      const leaves = (await sql.query<{ leaf_hash: Buffer }>('SELECT leaf_hash FROM audit_leaves ORDER BY seq')).rows;
      const range = CompactRange.empty();
      for (const leaf of leaves) range.append(leaf.leaf_hash);
      const note = signCheckpoint(
        { origin: 'muskel.local/audit-log', size: middle, rootHash: range.root(), extensions: [] },
        [parseSignerKey(rows[0]!.signer_key)],
      );
      await sql.query('INSERT INTO audit_checkpoints (size, root, note) VALUES ($1, $2, $3)', [
        middle,
        range.root(),
        note,
      ]);
    }, 'truncate');
    expect(truncated.code).toBe(1);
    expect(failureCodes(truncated)).toContain('SIZE_REGRESSION');
  }, 300_000);
});
