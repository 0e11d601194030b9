/**
 * The SIKS-NG export and Pusdatin's results through the whole application and a real Redis: a verifier exports a
 * closed batch (one job however often asked), downloads the XLSX (the read recorded), submits with the export's
 * digest (another digest refused), then imports Pusdatin's result file (the same file twice is one job); the
 * job's report lists the rows it could not match, and the proposals end ACCEPTED and REJECTED.
 */
import { createHash } from 'node:crypto';
import { Workbook } from 'exceljs';
import request from 'supertest';
import {
  bearer,
  eventually,
  expectProblem,
  openSession,
  seedUser,
  startApp,
  type TestApp,
} from '../support/access-app';
import { WorkflowFixtures } from '../support/workflow-fixtures';

const VILLAGE = '3515142001';
const sha256 = (content: Buffer) => `sha256:${createHash('sha256').update(content).digest('hex')}`;

interface JobView {
  state: string;
  progress: unknown;
  result: Record<string, unknown> | null;
  failedReason: string | null;
}

/** Supertest hands binary answers back as a Buffer with this parser. */
function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('SIKS-NG export and Pusdatin results (BullMQ)', () => {
  let t: TestApp | undefined;

  afterAll(async () => {
    await t?.close();
  });

  it('exports, submits with the digest, imports the results and reports the rows it cannot match', async () => {
    t = await startApp({ logLevel: 'warn' });
    const app = t;
    const { userId } = await seedUser(app, { homeRegion: '3515', grants: [{ role: 'VERIFIER', scope: '3515' }] });
    const token = (await openSession(app, userId)).accessToken;
    const auth = bearer(token);
    const fixtures = new WorkflowFixtures(app.store);
    const { batchId } = await fixtures.batch(VILLAGE, 'OPEN', false);
    const proposals = [await fixtures.verifiedProposal(VILLAGE), await fixtures.verifiedProposal(VILLAGE)];
    for (const proposalId of proposals) {
      await request(app.server)
        .post(`/batches/${batchId}/proposals`)
        .set('Authorization', auth)
        .send({ proposalId })
        .expect(201);
    }
    const job = async (jobId: string, state = 'completed') =>
      eventually(async () => {
        const body = (await request(app.server).get(`/jobs/${jobId}`).set('Authorization', auth).expect(200))
          .body as JobView;
        if (body.state === 'failed') throw new Error(`job failed: ${body.failedReason}`);
        return body.state === state ? body : undefined;
      }, 60_000);

    // Not before the batch closes.
    expectProblem(
      await request(app.server).post(`/batches/${batchId}/exports`).set('Authorization', auth),
      409,
      'BATCH_NOT_EXPORTABLE',
    );
    await request(app.server)
      .post(`/batches/${batchId}/close`)
      .set('Authorization', auth)
      .send({ early: true, reason: 'Uji ekspor' })
      .expect(200);

    const first = await request(app.server).post(`/batches/${batchId}/exports`).set('Authorization', auth).expect(202);
    const again = await request(app.server).post(`/batches/${batchId}/exports`).set('Authorization', auth).expect(202);
    const { jobId } = first.body as { jobId: string };
    expect(jobId).toMatch(/^siks-exports-/);
    expect((again.body as { jobId: string }).jobId).toBe(jobId);
    const exported = await job(jobId);
    expect(exported.progress).toEqual({ proposals: 2, total: 2 });
    expect(exported.result).toMatchObject({ batchId, proposals: 2, rows: 2 });

    const listed = (await request(app.server).get(`/batches/${batchId}/exports`).set('Authorization', auth).expect(200))
      .body as { items: { fileId: string; fileName: string; digest: string; size: number }[] };
    expect(listed.items).toHaveLength(3);
    const xlsx = listed.items.find((item) => item.fileName.endsWith('.xlsx'))!;
    const downloaded = await request(app.server)
      .get(`/batches/${batchId}/exports/${xlsx.fileId}`)
      .set('Authorization', auth)
      .buffer(true)
      .parse(binary)
      .expect(200);
    const content = downloaded.body as Buffer;
    expect(downloaded.headers['content-disposition']).toContain(xlsx.fileName);
    expect(sha256(content)).toBe(xlsx.digest);
    const book = new Workbook();
    await book.xlsx.load(content as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('BNBA')!;
    const ids = [2, 3].map((row) => sheet.getRow(row).getCell(2).value);
    expect(ids).toEqual(proposals);
    expect(sheet.getRow(2).getCell(11).value).toBe('Warga Fiktif');
    // The download of personal data is recorded on the verifier's access stream.
    const reads: unknown[] = [];
    for await (const event of app.store.readStream(`accesslog-${userId}`)) reads.push(event.data);
    expect(reads).toContainEqual(expect.objectContaining({ what: 'proposal', ids: proposals, count: 2 }));

    // Endorse, then submit: only an export's digest; omitted, the latest export's XLSX.
    await request(app.server)
      .post(`/batches/${batchId}/endorse`)
      .set('Authorization', auth)
      .send({
        endorsedBy: 'Bupati',
        letterNumber: '400/9/2030',
        signedDate: new Date().toISOString().slice(0, 10),
        documentDigest: `sha256:${'b'.repeat(64)}`,
      })
      .expect(200);
    expectProblem(
      await request(app.server)
        .post(`/batches/${batchId}/submit`)
        .set('Authorization', auth)
        .send({ submittedAt: new Date().toISOString(), exportDigest: `sha256:${'e'.repeat(64)}` }),
      422,
      'EXPORT_DIGEST_UNKNOWN',
    );
    await request(app.server)
      .post(`/batches/${batchId}/submit`)
      .set('Authorization', auth)
      .send({ submittedAt: new Date().toISOString() })
      .expect(200);
    const batch = (await request(app.server).get(`/batches/${batchId}`).set('Authorization', auth).expect(200))
      .body as { submission: { exportDigest: string } };
    expect(batch.submission.exportDigest).toBe(xlsx.digest);

    // Pusdatin's answer: the first accepted by id, the second rejected by its number in the export, two bad rows.
    const csv = [
      'id_usulan,no_usulan,hasil,nomor_sk,alasan',
      `${proposals[0]},,DITERIMA,SK-460/7/2030,`,
      `,2,DITOLAK,,Data tidak padan`,
      `,7,DITERIMA,SK-1,`,
      `${proposals[0]},,BELUM,,`,
    ].join('\n');
    const upload = () =>
      request(app.server)
        .post(`/batches/${batchId}/results/imports`)
        .set('Authorization', auth)
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(202);
    const imported = (await upload()).body as { jobId: string; digest: string };
    expect(imported.jobId).toMatch(/^pusdatin-results-/);
    expect(imported.digest).toBe(sha256(Buffer.from(csv)));
    expect(((await upload()).body as { jobId: string }).jobId).toBe(imported.jobId);
    const report = await job(imported.jobId);
    expect(report.result).toMatchObject({
      rows: 4,
      recorded: 2,
      accepted: 1,
      rejected: 1,
      unmatchedCount: 2,
      unmatched: [
        { row: 4, code: 'UNKNOWN_ROW_NUMBER', message: expect.any(String) },
        { row: 5, code: 'INVALID_RESULT', message: expect.any(String) },
      ],
    });
    // The reactors carry the results to the proposals.
    const statuses = await eventually(async () => {
      const found = await Promise.all(
        proposals.map(
          async (id) =>
            (
              (await request(app.server).get(`/proposals/${id}`).set('Authorization', auth).expect(200)).body as {
                status: string;
              }
            ).status,
        ),
      );
      return found.every((status) => status === 'ACCEPTED' || status === 'REJECTED') ? found : undefined;
    }, 60_000);
    expect(statuses).toEqual(['ACCEPTED', 'REJECTED']);
  }, 120_000);
});
