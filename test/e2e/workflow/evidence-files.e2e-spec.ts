/**
 * Evidence files of proposals over HTTP: the village secretary uploads a scan (PDF, JPEG or PNG), the same bytes
 * again are the same file, other types, empty and oversized bodies are refused, other villages' operators cannot
 * upload for this village, and the regency's verifier finds the file by the digest a REMOVE proposal's evidence
 * carries and downloads the very same bytes, the read being recorded on the verifier's access stream.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { bearer, expectProblem, openSession, seedUser, startApp, type TestApp } from '../support/access-app';
import { WorkflowFixtures } from '../support/workflow-fixtures';

const SUKAMAJU = '3515142001';
const SUKAJADI = '3515142002';
const BOGOR_VILLAGE = '3201012001';
/** A small but real-looking PDF: the server checks the first bytes, not the whole structure. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% akta kematian Karto\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR foto')]);
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('evidence files (POST /evidence-files, GET /evidence-files, GET /evidence-files/:id)', () => {
  let t: TestApp;
  const token: Record<'slamet' | 'other' | 'rina' | 'bogorVerifier' | 'hadi', string> = {
    slamet: '',
    other: '',
    rina: '',
    bogorVerifier: '',
    hadi: '',
  };
  let rinaId = '';
  let fileId = '';

  const upload = (
    who: keyof typeof token,
    body: Buffer | string,
    type: string,
    village = SUKAMAJU,
    kind = 'DEATH_CERTIFICATE',
  ) =>
    request(t.server)
      .post(`/evidence-files?villageCode=${village}&kind=${kind}`)
      .set('Authorization', bearer(token[who]))
      .set('Content-Type', type)
      .send(body);
  /** The answer's bytes as they are (supertest would otherwise leave a PDF body unparsed). */
  const download = (who: keyof typeof token, path: string) =>
    request(t.server)
      .get(path)
      .set('Authorization', bearer(token[who]))
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
  const get = (who: keyof typeof token, path: string) =>
    request(t.server).get(path).set('Authorization', bearer(token[who]));

  beforeAll(async () => {
    t = await startApp({ logLevel: 'silent', env: { EVIDENCE_MAX_BYTES: '4096' } });
    const users = {
      slamet: await seedUser(t, { homeRegion: SUKAMAJU, grants: [{ role: 'VILLAGE_OPERATOR', scope: SUKAMAJU }] }),
      other: await seedUser(t, { homeRegion: SUKAJADI, grants: [{ role: 'VILLAGE_OPERATOR', scope: SUKAJADI }] }),
      rina: await seedUser(t, { homeRegion: '3515', grants: [{ role: 'VERIFIER', scope: '3515' }] }),
      bogorVerifier: await seedUser(t, { homeRegion: '3201', grants: [{ role: 'VERIFIER', scope: '3201' }] }),
      hadi: await seedUser(t, { homeRegion: '3515', grants: [{ role: 'AUDITOR', scope: '3515' }] }),
    };
    rinaId = users.rina.userId;
    for (const [name, user] of Object.entries(users)) {
      token[name as keyof typeof token] = (await openSession(t, user.userId)).accessToken;
    }
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('stores an uploaded PDF and answers its id, digest, size, media type and kind', async () => {
    const response = await upload('slamet', PDF, 'application/pdf').expect(201);
    expect(response.body).toMatchObject({
      digest: sha256(PDF),
      size: PDF.length,
      mediaType: 'application/pdf',
      kind: 'DEATH_CERTIFICATE',
      villageCode: SUKAMAJU,
    });
    fileId = (response.body as { fileId: string }).fileId;
    expect(fileId).toMatch(/^[0-9a-f-]{36}$/);
    const [row] = await t.db.query<{ n: string }>('SELECT count(*)::text AS n FROM evidence_files');
    expect(row!.n).toBe('1');
  });

  it('answers the same file when the same bytes are uploaded again for the village', async () => {
    const again = await upload('slamet', PDF, 'application/pdf; charset=binary').expect(201);
    expect(again.body).toMatchObject({ fileId, digest: sha256(PDF) });
    const [row] = await t.db.query<{ n: string }>('SELECT count(*)::text AS n FROM evidence_files');
    expect(row!.n).toBe('1');
  });

  it('accepts a PNG photo as another file', async () => {
    const response = await upload('slamet', PNG, 'image/png', SUKAMAJU, 'FIELD_VISIT').expect(201);
    expect(response.body).toMatchObject({ mediaType: 'image/png', kind: 'FIELD_VISIT', size: PNG.length });
    expect((response.body as { fileId: string }).fileId).not.toBe(fileId);
  });

  it('refuses other media types (415), an empty body (400), content that is not what it claims (400)', async () => {
    const word = expectProblem(await upload('slamet', 'lorem', 'application/msword'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(word.detail).toContain('application/pdf');
    expectProblem(await upload('slamet', '{"a":1}', 'application/json'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await upload('slamet', Buffer.alloc(0), 'application/pdf'), 400, 'EMPTY_FILE');
    expectProblem(await upload('slamet', 'just text', 'application/pdf'), 400, 'INVALID_FILE');
  });

  it('refuses a file over EVIDENCE_MAX_BYTES with 413', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(5000, 0x20)]);
    expectProblem(await upload('slamet', big, 'application/pdf'), 413, 'FILE_TOO_LARGE');
  });

  it('refuses an upload for another village (403) and a bad kind or village code (400)', async () => {
    expectProblem(await upload('other', PDF, 'application/pdf'), 403, 'OUTSIDE_SCOPE');
    expectProblem(await upload('rina', PDF, 'application/pdf'), 403, 'MISSING_PERMISSION');
    expectProblem(await upload('slamet', PDF, 'application/pdf', SUKAMAJU, 'SELFIE'), 400, 'VALIDATION_FAILED');
  });

  it('downloads the same bytes for the village operator, the verifier and the auditor of the regency', async () => {
    for (const who of ['slamet', 'rina', 'hadi'] as const) {
      const response = await download(who, `/evidence-files/${fileId}`).expect(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Buffer.compare(response.body as Buffer, PDF)).toBe(0);
    }
  });

  it('hides the file from those outside its village or regency (404)', async () => {
    expectProblem(await get('other', `/evidence-files/${fileId}`), 404, 'NOT_FOUND');
    expectProblem(await get('bogorVerifier', `/evidence-files/${fileId}`), 404, 'NOT_FOUND');
    expectProblem(await get('rina', '/evidence-files/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    expectProblem(await get('rina', '/evidence-files/not-a-uuid'), 404, 'NOT_FOUND');
  });

  it("records the verifier's read of the file as a personal-data read", async () => {
    const reads: { what: string; ids: string[] }[] = [];
    for await (const event of t.store.readStream(`accesslog-${rinaId}`)) {
      if (event.type === 'PersonalDataRead') reads.push(event.data as { what: string; ids: string[] });
    }
    expect(reads).toContainEqual(expect.objectContaining({ what: 'evidence-file', ids: [fileId] }));
  });

  it("carries the file's digest in a REMOVE proposal's evidence, where the verifier finds the file by it", async () => {
    const householdId = await new WorkflowFixtures(t.store).household(SUKAMAJU);
    const submitted = await request(t.server)
      .post('/proposals')
      .set('Authorization', bearer(token.slamet))
      .send({
        kind: 'REMOVE',
        villageCode: SUKAMAJU,
        channel: 'RT_RW',
        householdId,
        removal: { reason: 'DECEASED', evidence: [{ kind: 'DEATH_CERTIFICATE', digest: sha256(PDF) }] },
      })
      .expect(201);
    const proposalId = (submitted.body as { proposalId: string }).proposalId;
    const proposal = (
      await request(t.server).get(`/proposals/${proposalId}`).set('Authorization', bearer(token.rina)).expect(200)
    ).body as { content: { removal: { evidence: { kind: string; digest: string }[] } } };
    const digest = proposal.content.removal.evidence[0]!.digest;
    expect(digest).toBe(sha256(PDF));

    const found = await request(t.server)
      .get(`/evidence-files?digest=${digest}`)
      .set('Authorization', bearer(token.rina))
      .expect(200);
    expect((found.body as { items: { fileId: string }[] }).items).toEqual([
      expect.objectContaining({ fileId, digest, mediaType: 'application/pdf', villageCode: SUKAMAJU }),
    ]);
    // Filtered to the caller's scope: Bogor's verifier finds nothing, a malformed digest is a 400.
    const elsewhere = await request(t.server)
      .get(`/evidence-files?digest=${digest}`)
      .set('Authorization', bearer(token.bogorVerifier))
      .expect(200);
    expect(elsewhere.body).toEqual({ items: [] });
    expectProblem(
      await request(t.server).get('/evidence-files?digest=sha256:xyz').set('Authorization', bearer(token.rina)),
      400,
      'VALIDATION_FAILED',
    );
  });

  it("refuses the secretary's upload for a village of another regency (403)", async () => {
    expectProblem(await upload('slamet', PDF, 'application/pdf', BOGOR_VILLAGE), 403, 'OUTSIDE_SCOPE');
  });
});
