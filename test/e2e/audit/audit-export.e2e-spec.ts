/**
 * GET /audit/v1/export through the whole application: anyone downloads the leaves and checkpoints as a tar archive
 * and `muskel audit verify-export` accepts it with nothing but the published verifier key; the stored events come
 * only to an auditor, whose export is itself recorded (PersonalDataRead) before the archive leaves.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { extract as tarExtract } from 'tar-stream';
import { Readable } from 'node:stream';
import { waitForProjection } from '@muskel/application';
import { AUDIT_LOG_PROJECTION } from '@muskel/audit-log';
import { type AuditIo } from '../../../apps/cli/src/audit/audit-commands';
import { runVerifyExport, type ExportReport } from '../../../apps/cli/src/audit/verify-export';
import { bearer, expectProblem, openSession, seedUser, startApp, type TestApp } from '../support/access-app';

const VILLAGE = '3515142001';
const NIK = '3515145504900006';

/** The body as bytes (supertest parses only text and JSON by itself). */
const binary = (res: request.Response, done: (error: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

async function entryNames(tar: Buffer): Promise<string[]> {
  const names: string[] = [];
  const extract = tarExtract();
  Readable.from([tar]).pipe(extract);
  for await (const entry of extract) {
    names.push(entry.header.name);
    for await (const _ of entry) {
      // drained
    }
  }
  return names;
}

describe('audit log export over HTTP', () => {
  let t: TestApp;
  let dir: string;
  let operator: string;
  let admin: string;
  let auditor: string;
  let auditorId: string;
  let policyFile: string;

  const verify = async (archive: Buffer, name: string): Promise<{ code: number; report: ExportReport }> => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, archive);
    const out: string[] = [];
    const io: AuditIo = { stdout: (l) => out.push(l), stderr: () => undefined, setExitCode: () => undefined };
    const code = await runVerifyExport(io, file, { policy: policyFile });
    return { code, report: JSON.parse(out[0]!) as ExportReport };
  };

  const download = (query: string, token?: string) => {
    const call = request(t.server).get(`/audit/v1/export${query}`).buffer(true).parse(binary);
    return token ? call.set('Authorization', bearer(token)) : call;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-e2e-export-'));
    t = await startApp({ logLevel: 'warn' });
    const grant = async (role: 'VILLAGE_OPERATOR' | 'ADMIN' | 'AUDITOR', scope: string) => {
      const { userId } = await seedUser(t, { homeRegion: scope, grants: [{ role, scope }] });
      return { userId, token: (await openSession(t, userId)).accessToken };
    };
    operator = (await grant('VILLAGE_OPERATOR', VILLAGE)).token;
    admin = (await grant('ADMIN', 'NATIONAL')).token;
    ({ userId: auditorId, token: auditor } = await grant('AUDITOR', 'NATIONAL'));
    const { verifierKey } = (await request(t.server).get('/audit/v1/verifier-key').expect(200)).body as {
      verifierKey: string;
    };
    policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(policyFile, JSON.stringify({ origin: 'muskel.local/audit-log', verifierKeys: [verifierKey] }));
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const submitAndSign = async (): Promise<number> => {
    const response = await request(t.server)
      .post('/proposals')
      .set('Authorization', bearer(operator))
      .send({
        kind: 'ADD',
        villageCode: VILLAGE,
        channel: 'RT_RW',
        household: {
          address: 'Jl. Ekspor 1',
          rt: '001',
          rw: '001',
          kkNumber: '3515140101100005',
          members: [{ nik: NIK, name: 'Sri Wahyuni', sex: 'F', birthDate: '1990-04-15', relationship: 'HEAD' }],
        },
      })
      .expect(201);
    await waitForProjection(t.store, AUDIT_LOG_PROJECTION, response.body.position as string, 10_000);
    const signed = await request(t.server)
      .post('/audit/v1/checkpoints')
      .set('Authorization', bearer(admin))
      .expect(201);
    return (signed.body as { size: number }).size;
  };

  it('nothing to export before the first checkpoint: 404 NO_CHECKPOINT', async () => {
    expectProblem(await request(t.server).get('/audit/v1/export'), 404, 'NO_CHECKPOINT');
  });

  it('anyone downloads leaves and checkpoints as an attachment, and the offline verifier accepts it', async () => {
    const first = await submitAndSign();
    const second = await submitAndSign();
    const response = await download('').expect(200);
    expect(response.headers['content-type']).toBe('application/x-tar');
    const archive = response.body as Buffer;
    const names = await entryNames(archive);
    expect(names.slice(0, 4)).toEqual(['manifest.json', 'verifier-key', 'checkpoint', 'checkpoints-000001.jsonl']);
    expect(names.filter((n) => n.startsWith('events'))).toEqual([]);
    // No event data in the public archive: the leaves hold digests only.
    expect(archive.includes(NIK)).toBe(false);
    expect(archive.includes('Sri Wahyuni')).toBe(false);
    const { code, report } = await verify(archive, 'public.tar');
    expect({ code, failures: report.failures }).toEqual({ code: 0, failures: [] });
    // At least the two signed here (the worker's scheduled signing may add one of the same log meanwhile).
    expect(report).toMatchObject({ size: second, leaves: second, events: null });
    expect(report.checkpoints).toBeGreaterThanOrEqual(2);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="muskel-audit-${second}.tar"`);

    // Cut at the earlier checkpoint, gzipped.
    const earlier = await download(`?size=${first}&gzip=true`).expect(200);
    expect(earlier.headers['content-type']).toBe('application/gzip');
    expect(earlier.headers['content-disposition']).toBe(`attachment; filename="muskel-audit-${first}.tar.gz"`);
    const cut = await verify(earlier.body as Buffer, 'earlier.tar.gz');
    expect(cut.code).toBe(0);
    expect(cut.report).toMatchObject({ size: first, leaves: first });
    expect((await entryNames(gunzipSync(earlier.body as Buffer))).length).toBeGreaterThan(3);

    expectProblem(await request(t.server).get('/audit/v1/export?size=999999'), 404, 'NO_CHECKPOINT');
    expectProblem(await request(t.server).get('/audit/v1/export?events=yes'), 400, 'VALIDATION_FAILED');
  });

  it('the events come only to an auditor, and the export is recorded before it leaves', async () => {
    expectProblem(await request(t.server).get('/audit/v1/export?events=true'), 401, 'AUTHENTICATION_REQUIRED');
    expectProblem(
      await request(t.server).get('/audit/v1/export?events=true').set('Authorization', bearer(admin)),
      403,
      'MISSING_PERMISSION',
    );
    const readsBefore = await accessLog();
    const response = await download('?events=true', auditor).expect(200);
    const archive = response.body as Buffer;
    const names = await entryNames(archive);
    expect(names.filter((n) => n.startsWith('events')).length).toBeGreaterThan(0);
    const { code, report } = await verify(archive, 'events.tar');
    expect({ code, failures: report.failures }).toEqual({ code: 0, failures: [] });
    expect(report.events).toBe(report.leaves);
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="muskel-audit-${report.size}-events.tar"`,
    );

    const reads = await accessLog();
    expect(reads.length).toBe(readsBefore.length + 1);
    expect(reads.at(-1)).toMatchObject({
      type: 'PersonalDataRead',
      data: { what: 'audit-export', ids: [`audit-log-size-${report.size}`], count: 1 },
      metadata: { actor: { userId: auditorId, role: 'AUDITOR' } },
    });
  });

  async function accessLog(): Promise<{ type: string; data: unknown; metadata: unknown }[]> {
    const events: { type: string; data: unknown; metadata: unknown }[] = [];
    if ((await t.store.getStreamState(`accesslog-${auditorId}`)) === 'no_stream') return events;
    for await (const event of t.store.readStream(`accesslog-${auditorId}`)) events.push(event);
    return events;
  }
});
