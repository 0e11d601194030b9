/**
 * Evidence files in the browser. The village secretary registers a removal (a death) and, for the death certificate,
 * chooses the scanned PDF: a file of another type is refused in the form, a "PDF" that is not one is refused by the
 * server with its own message, the real scan uploads and fills the evidence's digest. The regency's verifier then
 * opens the proposal, sees the evidence with its file and downloads it ("Unduh"): the bytes are the scan's, and the
 * read is recorded on the verifier's access stream. Both pages pass axe; the upload runs on a 360 px phone.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import request from 'supertest';
import { bearer, eventually, openSession, seedUser } from '../support/access-app';
import { WorkflowFixtures } from '../support/workflow-fixtures';
import {
  expectAccessible,
  newPage,
  pageErrors,
  screenshot,
  signInThroughForm,
  startWebApp,
  type WebApp,
} from './support/browser';

const VILLAGE = '3515142001';
const PASSWORD = 'akta kematian desa sukamaju 3';
const SCAN = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n% Akta kematian (pindaian uji)\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('web: evidence files (upload by the secretary, download by the verifier)', () => {
  let web: WebApp;
  const users = { secretary: { username: '', token: '' }, verifier: { username: '', token: '', userId: '' } };

  beforeAll(async () => {
    web = await startWebApp({ logLevel: 'warn' });
    const secretary = await seedUser(web.t, {
      homeRegion: VILLAGE,
      grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
      password: PASSWORD,
    });
    const verifier = await seedUser(web.t, {
      homeRegion: '3515',
      grants: [{ role: 'VERIFIER', scope: '3515' }],
      password: PASSWORD,
    });
    users.secretary = { username: secretary.username, token: (await openSession(web.t, secretary.userId)).accessToken };
    users.verifier = {
      username: verifier.username,
      userId: verifier.userId,
      token: (await openSession(web.t, verifier.userId)).accessToken,
    };
    await new WorkflowFixtures(web.t.store).household(VILLAGE);
    await eventually(async () => {
      const found = await request(web.t.server)
        .post('/registry/search')
        .set('Authorization', bearer(users.secretary.token))
        .send({ kkNumber: '3515140101090002' });
      return (found.body as { items?: unknown[] }).items?.length === 1 ? true : undefined;
    }, 60_000);
  }, 180_000);

  afterAll(async () => {
    await web?.close();
  });

  it('uploads the death certificate through the form and the verifier downloads the same bytes', async () => {
    // ---------------------------------------------------------------- the secretary, on a phone
    const phone = await newPage(web, 'phone');
    let proposalId = '';
    try {
      const { page } = phone;
      await signInThroughForm(page, users.secretary.username, PASSWORD);
      await page.goto('/#/desa/usulan/baru');
      await page.getByLabel('Jenis usulan').selectOption('REMOVE');
      await page.getByLabel('Nomor KK', { exact: true }).fill('3515140101090002');
      await page.getByRole('button', { name: 'Cari', exact: true }).click();
      await page.getByRole('button', { name: 'Pilih keluarga Warga Terdaftar' }).click();
      await page.getByLabel('Alasan penghapusan', { exact: true }).selectOption('DECEASED');
      const fileInput = page.getByLabel('Berkas akta kematian');
      const digestField = page.getByLabel('Akta kematian (sidik dokumen)');

      // A Word file is refused before it travels; a text file named .pdf is refused by the server.
      await fileInput.setInputFiles({ name: 'akta.doc', mimeType: 'application/msword', buffer: Buffer.from('x') });
      await page.getByText('Berkas harus berupa PDF, JPG atau PNG.').waitFor();
      await fileInput.setInputFiles({ name: 'palsu.pdf', mimeType: 'application/pdf', buffer: Buffer.from('teks') });
      await page.getByText('Isi berkas tidak sesuai jenisnya', { exact: false }).waitFor();
      expect(await digestField.inputValue()).toBe('');

      // The real scan: uploaded, its name and size shown, the digest filled in.
      await fileInput.setInputFiles({ name: 'akta-kematian.pdf', mimeType: 'application/pdf', buffer: SCAN });
      await page.getByText(/^Terunggah: akta-kematian\.pdf \(0,1 KB\)\. Sidik dokumen sudah terisi\.$/).waitFor();
      expect(await digestField.inputValue()).toBe(sha256(SCAN));
      await expectAccessible(page, 'removal with an uploaded evidence file (phone)');
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'secretary-proposal-evidence');

      await page.getByRole('button', { name: 'Kirim usulan' }).click();
      await page.getByText(/Usulan tersimpan dengan nomor [0-9a-f]{8}/).waitFor();
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await phone.context.close();
    }
    proposalId = await eventually(async () => {
      const body = (
        await request(web.t.server)
          .get(`/proposals?villageCode=${VILLAGE}&kind=REMOVE`)
          .set('Authorization', bearer(users.secretary.token))
          .expect(200)
      ).body as { items: { id: string }[] };
      return body.items[0]?.id;
    }, 30_000);
    const stored = (
      await request(web.t.server)
        .get(`/proposals/${proposalId}`)
        .set('Authorization', bearer(users.secretary.token))
        .expect(200)
    ).body as { content: { removal: { evidence: { kind: string; digest?: string }[] } } };
    expect(stored.content.removal.evidence).toEqual([{ kind: 'DEATH_CERTIFICATE', digest: sha256(SCAN) }]);

    // ---------------------------------------------------------------- the verifier, on a desktop
    const desktop = await newPage(web, 'desktop');
    try {
      const { page } = desktop;
      await signInThroughForm(page, users.verifier.username, PASSWORD);
      await page.goto(`/#/dinsos/usulan/${proposalId}`);
      await page.getByRole('heading', { level: 2, name: 'Bukti penghapusan' }).waitFor();
      await page.getByText('Meninggal dunia', { exact: true }).waitFor();
      await page.getByText('Berkas PDF, 0,1 KB.').waitFor();
      await expectAccessible(page, 'verifier proposal with evidence');
      await screenshot(page, 'verifier-proposal-evidence');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Unduh', exact: true }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^bukti-death-certificate-[0-9a-f]{8}\.pdf$/);
      expect(Buffer.compare(fs.readFileSync(await download.path()), SCAN)).toBe(0);
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await desktop.context.close();
    }

    // The download was a read of personal data, recorded with the file's id.
    const reads: { what: string; ids: string[] }[] = [];
    for await (const event of web.t.store.readStream(`accesslog-${users.verifier.userId}`)) {
      reads.push(event.data as { what: string; ids: string[] });
    }
    expect(reads.map((read) => read.what)).toContain('evidence-file');
  }, 180_000);
});
