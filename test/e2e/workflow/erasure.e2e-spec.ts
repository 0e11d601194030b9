/**
 * Erasure of a household's personal data, end to end over HTTP on PostgreSQL.
 *
 * Bu Kanari's household is proposed (ADD), deliberated, verified with a field visit and accepted by Pusdatin, so the
 * registry reactor enrols it; Pak Kontrol's household comes from the baseline import. An administrator then erases
 * Bu Kanari's household on a data-protection request. Reads show the data as erased, a scan of every table of the
 * database and of the application's log output finds none of her NIK, KK number or name, Pak Kontrol's data is
 * intact, and a checkpoint signed afterwards verifies offline, with a proof bundle of her proposal's first event
 * and an export of the stored events.
 */
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import request from 'supertest';
import { BullJobSink, QUEUES } from '@muskel/jobs';
import { BlindIndex } from '@muskel/projections';
import { parsePolicy, verifyBundle, verifyCheckpointAgainstPolicy } from '../../../apps/cli/src/audit/verify';
import { verifyExport } from '../../../apps/cli/src/audit/verify-export';
import {
  bearer,
  eventually,
  expectProblem,
  freshPostgresDatabase,
  openSession,
  seedUser,
  startApp,
  type TestApp,
} from '../support/access-app';

const VILLAGE = '3515142001';
const REGENCY = '3515';
const PERIOD = new Date().toISOString().slice(0, 7);
const TODAY = new Date().toISOString().slice(0, 10);
const digest = (c: string) => `sha256:${c.repeat(64)}`;

// Synthetic people, unique to this story (the canaries the scans look for).
const KANARI = { nik: '3515146508917781', kk: '3515140101207781', name: 'Kanari Widyaningsih', child: 'Kanari Putra' };
const CHILD_NIK = '3515140302157782';
const KONTROL = { nik: '3515140404707783', kk: '3515140101207783', name: 'Kontrol Sukardi' };
const NOTE = 'Bertemu langsung dengan Kanari Widyaningsih di rumahnya';

const ATTENDANCE = [
  { name: 'H. Ahmad Fauzi', role: 'KEPALA_DESA' },
  { name: 'Slamet Riyadi', role: 'SECRETARY' },
  { name: 'Wagiman', role: 'RT' },
  { name: 'Suparno', role: 'RW' },
  { name: 'Dewi Lestari', role: 'PKH_FACILITATOR' },
  { name: 'Kyai Mahmud', role: 'RELIGIOUS_LEADER' },
];

type Who = 'operator' | 'verifier' | 'auditor' | 'admin';

describe('erasing a household, over HTTP on PostgreSQL', () => {
  let t: TestApp;
  let drop: () => Promise<void>;
  const token = {} as Record<Who, string>;
  let proposalId = '';
  let householdId = '';
  let kontrolId = '';
  let firstEventId = '';

  const as = (who: Who) => ({
    get: (path: string) => request(t.server).get(path).set('Authorization', bearer(token[who])),
    post: (path: string, body?: object) =>
      request(t.server)
        .post(path)
        .set('Authorization', bearer(token[who]))
        .send(body ?? {}),
  });
  const ok = async (call: Promise<request.Response> | request.Test, status = 200) => {
    const response = await call;
    if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${response.text}`);
    return response.body as Record<string, unknown>;
  };
  const statusOf = async (id: string) =>
    ((await ok(as('verifier').get(`/proposals/${id}`))) as { status: string }).status;
  const until = (id: string, status: string) =>
    eventually(async () => ((await statusOf(id)) === status ? true : undefined), 15_000);

  /** Every table's rows as text (what a dump of the database holds), the tables in which `needle` occurs. */
  const tablesHolding = async (needles: readonly string[]): Promise<Record<string, string[]>> => {
    const tables = await t.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    const found: Record<string, string[]> = {};
    for (const { table_name } of tables) {
      const rows = await t.db.query<{ t: string }>(`SELECT t::text AS t FROM "${table_name}" t`);
      const text = rows
        .map((row) => row.t)
        .join('\n')
        .toLowerCase();
      for (const needle of needles) {
        if (text.includes(needle.toLowerCase())) (found[needle] ??= []).push(table_name);
      }
    }
    return found;
  };

  beforeAll(async () => {
    const database = await freshPostgresDatabase();
    drop = database.drop;
    t = await startApp({ databaseUrl: database.url, logLevel: 'debug' });
    const people: Record<Who, { role: 'VILLAGE_OPERATOR' | 'VERIFIER' | 'AUDITOR' | 'ADMIN'; scope: string }> = {
      operator: { role: 'VILLAGE_OPERATOR', scope: VILLAGE },
      verifier: { role: 'VERIFIER', scope: REGENCY },
      auditor: { role: 'AUDITOR', scope: 'NATIONAL' },
      admin: { role: 'ADMIN', scope: REGENCY },
    };
    for (const [who, grant] of Object.entries(people) as [Who, (typeof people)[Who]][]) {
      const user = await seedUser(t, { username: `erasure.${who}`, homeRegion: grant.scope, grants: [grant] });
      token[who] = (await openSession(t, user.userId)).accessToken;
    }
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  it('1. the baseline import and an ADD proposal carried to the registry', async () => {
    const csv = [
      'kk_number,nik,name,sex,birth_date,relationship,address,rt,rw,village_code',
      `${KONTROL.kk},${KONTROL.nik},${KONTROL.name},L,1970-04-04,KEPALA_KELUARGA,Jl. Mawar 7,001,001,${VILLAGE}`,
    ].join('\n');
    await ok(
      request(t.server)
        .post(`/registry/imports?villageCode=${VILLAGE}`)
        .set('Authorization', bearer(token.verifier))
        .set('Content-Type', 'text/csv')
        .send(csv),
      201,
    );

    const submitted = await ok(
      as('operator').post('/proposals', {
        villageCode: VILLAGE,
        channel: 'RT_RW',
        kind: 'ADD',
        household: {
          address: 'Jl. Kenari 3',
          rt: '003',
          rw: '001',
          kkNumber: KANARI.kk,
          members: [
            { nik: KANARI.nik, name: KANARI.name, sex: 'F', birthDate: '1991-08-25', relationship: 'HEAD' },
            { nik: CHILD_NIK, name: KANARI.child, sex: 'M', birthDate: '2015-02-03', relationship: 'CHILD' },
          ],
        },
      }),
      201,
    );
    proposalId = submitted['proposalId'] as string;
    const [first] = await t.db.query<{ id: string }>(
      'SELECT event_id::text AS id FROM es_events WHERE stream_id = $1 AND stream_revision = 0',
      [`proposal-${proposalId}`],
    );
    firstEventId = first!.id;

    const meeting = await ok(
      as('operator').post('/meetings', {
        villageCode: VILLAGE,
        kind: 'MUSDES',
        scheduledAt: `${TODAY}T09:00:00+07:00`,
        venue: 'Balai Desa',
        chair: 'H. Ahmad Fauzi',
      }),
      201,
    );
    const meetingId = meeting['meetingId'] as string;
    await ok(as('operator').post(`/meetings/${meetingId}/agenda`, { proposalId }), 201);
    await ok(
      as('operator').post(`/meetings/${meetingId}/open`, {
        openedAt: `${TODAY}T09:10:00+07:00`,
        attendees: ATTENDANCE,
      }),
    );
    await ok(
      as('operator').post(`/meetings/${meetingId}/decisions`, { proposalId, decision: 'APPROVED', reason: 'Layak' }),
      201,
    );
    await ok(
      as('operator').post(`/meetings/${meetingId}/conclude`, {
        minutesDigest: digest('1'),
        signatories: [ATTENDANCE[0]],
      }),
    );
    await until(proposalId, 'APPROVED');

    await ok(
      as('verifier').post(`/proposals/${proposalId}/field-visits`, {
        visitedAt: `${TODAY}T13:00:00+07:00`,
        outcome: 'CONFIRMED',
        notes: NOTE,
      }),
      201,
    );
    await ok(as('verifier').post(`/proposals/${proposalId}/verify`));
    const batch = await ok(
      as('verifier').post('/batches', { regencyCode: REGENCY, period: PERIOD, cutoffDate: `${PERIOD}-28` }),
      201,
    );
    const batchId = batch['batchId'] as string;
    await ok(as('verifier').post(`/batches/${batchId}/proposals`, { proposalId }), 201);
    await ok(as('verifier').post(`/batches/${batchId}/close`, { early: true, reason: 'Semua usulan masuk' }));
    await ok(
      as('verifier').post(`/batches/${batchId}/endorse`, {
        endorsedBy: 'Bupati',
        letterNumber: '400/9/2026',
        signedDate: TODAY,
        documentDigest: digest('e'),
      }),
    );
    await ok(
      as('verifier').post(`/batches/${batchId}/submit`, {
        submittedAt: new Date().toISOString(),
        exportDigest: digest('f'),
      }),
    );
    await ok(
      as('verifier').post(`/batches/${batchId}/results`, {
        results: [{ proposalId, outcome: 'ACCEPTED', decreeRef: 'SK-460/9/2026' }],
      }),
      201,
    );
    await until(proposalId, 'ACCEPTED');

    const find = (nik: string) =>
      eventually(async () => {
        const body = (await ok(as('verifier').post('/registry/search', { nik }))) as {
          items: { householdId: string }[];
        };
        return body.items[0]?.householdId;
      }, 15_000);
    householdId = await find(KANARI.nik);
    kontrolId = await find(KONTROL.nik);

    // Stored encrypted: the event log holds none of it in the clear, the reads show it.
    const inLog = await tablesHolding([KANARI.nik, KANARI.kk, KANARI.name, KONTROL.nik, KONTROL.name, NOTE]);
    for (const tables of Object.values(inLog)) expect(tables).not.toContain('es_events');
    // The scan does see them where they belong before the erasure: the registry's read model.
    expect(inLog[KANARI.name]).toContain('registry_households');
    const detail = (await ok(as('verifier').get(`/registry/households/${householdId}`))) as {
      erased: boolean;
      members: Record<string, { name: string; nik: string }>;
    };
    expect(detail.erased).toBe(false);
    expect(Object.values(detail.members).map((m) => m.name)).toContain(KANARI.name);
    // The registry as of today folds events read with SQL: decrypted too.
    const asOf = JSON.stringify(await ok(as('verifier').get(`/registry/villages/${VILLAGE}?asOf=${TODAY}`)));
    expect(asOf).toContain(KANARI.name);
    expect(asOf).toContain(KONTROL.name);
  });

  it('2. only an administrator of the region erases, and only with a legal basis', async () => {
    expectProblem(
      await as('verifier').post(`/registry/households/${householdId}/erasure`, {
        legalBasisRef: 'Surat 470/5/2026',
        requestedAt: TODAY,
      }),
      403,
      'MISSING_PERMISSION',
    );
    expectProblem(
      await as('admin').post(`/registry/households/${householdId}/erasure`, {
        legalBasisRef: `Permintaan ${KANARI.nik}`,
        requestedAt: TODAY,
      }),
      422,
      'LEGAL_BASIS_HAS_IDENTITY_NUMBER',
    );
  });

  it('3. the erasure: reads show erased, nothing of her anywhere in the database or the logs', async () => {
    const index = await BlindIndex.load(t.db);
    const erased = await ok(
      as('admin').post(`/registry/households/${householdId}/erasure`, {
        legalBasisRef: 'Surat Dinsos 470/5/2026',
        requestedAt: TODAY,
      }),
    );
    expect(erased).toMatchObject({ householdId, erased: true, revision: 0 });
    expectProblem(
      await as('admin').post(`/registry/households/${householdId}/erasure`, {
        legalBasisRef: 'Surat Dinsos 470/5/2026',
        requestedAt: TODAY,
      }),
      409,
      'HOUSEHOLD_ALREADY_ERASED',
    );

    const detail = (await ok(as('auditor').get(`/registry/households/${householdId}`))) as {
      erased: boolean;
      members: Record<string, { name: string; nik: string; birthDate: string; relationship: string }>;
      history: unknown;
    };
    expect(detail.erased).toBe(true);
    expect(Object.values(detail.members)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nik: '[dihapus]', name: '[dihapus]', birthDate: '[dihapus]', relationship: 'HEAD' }),
      ]),
    );
    const proposal = JSON.stringify(await ok(as('auditor').get(`/proposals/${proposalId}`)));
    expect(proposal).toContain('[dihapus]');
    const asOf = JSON.stringify(await ok(as('auditor').get(`/registry/villages/${VILLAGE}?asOf=${TODAY}`)));
    expect(asOf).not.toContain(KANARI.name);
    expect(asOf).toContain('[dihapus]');
    expect(asOf).toContain(KONTROL.name);
    const search = (await ok(as('verifier').post('/registry/search', { nik: KANARI.nik }))) as { items: unknown[] };
    expect(search.items).toEqual([]);
    const history = (await ok(as('auditor').post('/persons/history', { nik: KANARI.nik }))) as { entries: unknown[] };
    expect(history.entries).toEqual([]);

    // Every table of the database, and every line the application logged.
    const canaries = [
      KANARI.nik,
      KANARI.kk,
      KANARI.name,
      KANARI.child,
      CHILD_NIK,
      NOTE,
      index.nik(KANARI.nik),
      index.kk(KANARI.kk),
    ];
    expect(await tablesHolding(canaries)).toEqual({});
    const logs = t.logs.lines.join('\n');
    expect(t.logs.lines.length).toBeGreaterThan(0);
    for (const canary of canaries) expect(logs).not.toContain(canary);
    // And every job this app put in Redis (payloads carry ids only): its identity checks are there, her data not.
    const jobData = await redisDump(t);
    expect(jobData).toContain(proposalId);
    for (const canary of canaries) expect(jobData).not.toContain(canary);

    // Pak Kontrol's household is untouched.
    const kontrol = (await ok(as('verifier').post('/registry/search', { nik: KONTROL.nik }))) as {
      items: { householdId: string }[];
    };
    expect(kontrol.items.map((item) => item.householdId)).toEqual([kontrolId]);
    const kontrolDetail = JSON.stringify(await ok(as('verifier').get(`/registry/households/${kontrolId}`)));
    expect(kontrolDetail).toContain(KONTROL.name);
    expect(kontrolDetail).toContain(KONTROL.kk);
  });

  it('4. a checkpoint signed after the erasure verifies offline, with a proof bundle and the export', async () => {
    const count = async (table: string) =>
      Number((await t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]!.n);
    // The integrator reads below the oldest open transaction on the server: on a loaded machine it takes a while.
    await eventually(
      async () => ((await count('audit_leaves')) === (await count('es_events')) ? true : undefined),
      30_000,
    );
    const signed = await ok(as('admin').post('/audit/v1/checkpoints'), 201);
    const { verifierKey } = (await ok(request(t.server).get('/audit/v1/verifier-key'))) as { verifierKey: string };
    const parsed = parsePolicy({ origin: 'muskel.local/audit-log', verifierKeys: [verifierKey] });
    if (!parsed.ok) throw new Error(parsed.failure.what);
    const checkpoint = (await ok(request(t.server).get('/audit/v1/checkpoint'))) as { note: string; size: number };
    expect(checkpoint.size).toBe(signed['size']);
    expect(verifyCheckpointAgainstPolicy(checkpoint.note, parsed.policy)).toMatchObject({ ok: true });

    // The proposal's first event, its data encrypted under the erased key: still in the signed tree.
    const bundle = await ok(request(t.server).get(`/audit/v1/events/${firstEventId}/bundle`));
    expect(verifyBundle(bundle, parsed.policy)).toMatchObject({ ok: true, eventId: firstEventId });

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
    const archive = exported.body as Buffer;
    const report = await verifyExport(Readable.from([archive]), parsed.policy);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    // The stored events of the export hold her data only as ciphertext.
    const text = archive.toString('utf8');
    for (const canary of [KANARI.nik, KANARI.kk, KANARI.name]) expect(text).not.toContain(canary);
  });
});

/** Every key of this app's job queues in Redis and what it holds, as one text to scan. */
async function redisDump(app: TestApp): Promise<string> {
  const sink = app.app.get(BullJobSink, { strict: false });
  const prefix = sink.queue(QUEUES.identityChecks).opts.prefix ?? '';
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const parts: string[] = [];
    for (const key of await redis.keys(`${prefix}:*`)) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? await redis.hgetall(key)
            : type === 'list'
              ? await redis.lrange(key, 0, -1)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, '0', '-1')
                  : type === 'stream'
                    ? await redis.xrange(key, '-', '+')
                    : null;
      parts.push(key, JSON.stringify(value));
    }
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}
