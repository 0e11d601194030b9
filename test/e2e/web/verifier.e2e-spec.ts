/**
 * The Dinsos verifier's pages in the browser, on the whole application with a real Redis (the export and import
 * jobs run in the app's worker). Proposals of regency 3515 are brought to "approved by the village" through the
 * domain fixtures; then, signed in through the form as a verifier of 3515, the test filters the queue, opens a
 * flagged proposal (its evidence and history), resolves the flag and returns it with a reason, enters a field
 * visit and verifies another, meets a stale-revision conflict and rejects a third, then opens the month's batch,
 * includes the verified proposal, closes and endorses it, exports and downloads the SIKS-NG file, submits it and
 * imports Pusdatin's result file. Each state change is checked through the API as well; each page with axe-core;
 * the queue also on a 360 px phone.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { bearer, eventually, openSession, seedUser, sleep } from '../support/access-app';
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
const OTHER_VILLAGE = '3515142002';
const PASSWORD = 'verifikator-rahasia-2026';
/**
 * Polls the API until `check` returns a value, twice a second: the app limits each address to 600 requests a
 * minute, and the browser under test shares the test's address, so a faster poll could starve its requests.
 */
async function settled<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(500);
  }
}

const sha256 = (content: Buffer) => `sha256:${createHash('sha256').update(content).digest('hex')}`;

interface ProposalBody {
  status: string;
  revision: number;
  openFlags: { code: string }[];
  fieldVisits: unknown[];
}

describe('web: Dinsos verifier pages', () => {
  let web: WebApp;
  let verifierName: string;
  let verifierAuth: string;
  let operatorAuth: string;
  /** A: to visit and verify; B: flagged, to return; C: another village, to reject. */
  let a: string;
  let b: string;
  let c: string;
  let batchId: string;

  const proposal = async (id: string, auth = verifierAuth): Promise<ProposalBody> =>
    (await request(web.t.server).get(`/proposals/${id}`).set('Authorization', auth).expect(200)).body as ProposalBody;

  /** Waits until the proposals list (a read model) shows the ids with the status. */
  const listed = (status: string, ids: string[]) =>
    settled(async () => {
      const page = (
        await request(web.t.server)
          .get(`/proposals?status=${status}&regencyCode=3515&limit=200`)
          .set('Authorization', verifierAuth)
          .expect(200)
      ).body as { items: { id: string; openFlags: unknown[] }[] };
      return ids.every((id) => page.items.some((item) => item.id === id)) ? page.items : undefined;
    }, 60_000);

  beforeAll(async () => {
    web = await startWebApp({ logLevel: 'warn' });
    const verifier = await seedUser(web.t, {
      homeRegion: '3515',
      grants: [{ role: 'VERIFIER', scope: '3515' }],
      password: PASSWORD,
    });
    verifierName = verifier.username;
    verifierAuth = bearer((await openSession(web.t, verifier.userId)).accessToken);
    const operator = await seedUser(web.t, {
      homeRegion: VILLAGE,
      grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
    });
    operatorAuth = bearer((await openSession(web.t, operator.userId)).accessToken);

    const fixtures = new WorkflowFixtures(web.t.store);
    a = (await fixtures.approvedProposal(VILLAGE)).proposalId;
    b = (await fixtures.approvedProposal(VILLAGE)).proposalId;
    c = (await fixtures.approvedProposal(OTHER_VILLAGE)).proposalId;
    await request(web.t.server)
      .post(`/proposals/${b}/flags`)
      .set('Authorization', verifierAuth)
      .send({ code: 'WAGE_MATCH', severity: 'WARNING', source: 'BPJS', evidence: 'BPJS-TK ref 8841' })
      .expect(201);
    // The reactor's deliberation, the identity checks and the flag reach the read model before the UI reads it.
    await settled(async () => {
      const items = await listed('APPROVED', [a, b, c]);
      return items.find((item) => item.id === b)?.openFlags.length === 1 ? items : undefined;
    }, 60_000);
  }, 240_000);

  afterAll(async () => {
    await web?.close();
  });

  const rows = (page: Page) => page.locator('table.verifier-queue tbody tr');
  /** Waits until the queue shows `n` rows (the list reloads after each filter). */
  const rowCount = (page: Page, n: number) =>
    eventually(async () => ((await rows(page).count()) === n ? true : undefined), 30_000);

  it('filters the queue, returns a flagged proposal, verifies and rejects others, fills and endorses a batch', async () => {
    const { context, page } = await newPage(web, 'desktop');
    try {
      await signInThroughForm(page, verifierName, PASSWORD);
      await page.getByRole('link', { name: 'Verifikasi Dinsos' }).click();
      await page.getByRole('heading', { level: 1, name: 'Antrean verifikasi Dinsos' }).waitFor();
      await rows(page).nth(2).waitFor();
      expect(await rows(page).count()).toBe(3);
      const counts = page.locator('dl.verifier-counts');
      expect(await counts.innerText()).toMatch(/Menunggu verifikasi\s+3/);
      expect(await counts.innerText()).toMatch(/Dengan tanda terbuka\s+1/);
      await expectAccessible(page, 'verifier queue');
      await screenshot(page, 'verifier-queue');

      // Only the proposals with an open flag: B.
      await page.getByLabel('Tanda pemeriksaan').selectOption('ANY');
      await page.getByRole('button', { name: 'Terapkan saringan' }).click();
      await rowCount(page, 1);
      expect(await rows(page).first().innerText()).toContain('Cocok dengan data upah');

      // One village: A and B, not C; then at least a day waiting: none yet.
      await page.getByRole('button', { name: 'Hapus saringan' }).click();
      await rowCount(page, 3);
      await page.getByLabel('Kode desa/kelurahan').fill('35151420');
      await page.getByRole('button', { name: 'Terapkan saringan' }).click();
      await page.getByText('Kode desa/kelurahan terdiri dari 10 angka.').waitFor();
      await page.getByLabel('Kode desa/kelurahan').fill(VILLAGE);
      await page.getByRole('button', { name: 'Terapkan saringan' }).click();
      await rowCount(page, 2);
      expect(await page.locator('table.verifier-queue').innerText()).not.toContain(OTHER_VILLAGE);
      await page.getByLabel('Menunggu sekurang-kurangnya (hari)').fill('1');
      await page.getByRole('button', { name: 'Terapkan saringan' }).click();
      await page.getByText('Tidak ada usulan yang sesuai saringan.').waitFor();

      // The flagged proposal: its flag with the evidence, its data and history; resolve, then return it.
      await page.getByLabel('Menunggu sekurang-kurangnya (hari)').fill('');
      await page.getByLabel('Tanda pemeriksaan').selectOption('WAGE_MATCH');
      await page.getByRole('button', { name: 'Terapkan saringan' }).click();
      await rowCount(page, 1);
      await rows(page).first().getByRole('link').click();
      await page.getByRole('heading', { level: 1, name: 'Usulan Penambahan' }).waitFor();
      expect(await page.locator('main').innerText()).toContain(b);
      await page.getByText('Bukti: BPJS-TK ref 8841').waitFor();
      // Names as the API returns them to a verifier of the regency.
      await page.getByRole('rowheader', { name: 'Warga Fiktif' }).waitFor();
      const history = page.locator('table').filter({ hasText: 'Kejadian' });
      expect(await history.innerText()).toContain('Usulan diajukan');
      expect(await history.innerText()).toContain('Diputuskan musyawarah');
      expect(await history.innerText()).toContain('Tanda dibuka');
      await expectAccessible(page, 'verifier proposal');
      await screenshot(page, 'verifier-proposal');

      await page.getByRole('button', { name: 'Selesaikan tanda' }).click();
      await page.getByText('Alasan wajib diisi.').waitFor();
      await page.getByLabel('Alasan penyelesaian tanda').fill('Upah di bawah UMK, sudah dicek ke BPJS');
      await page.getByRole('button', { name: 'Selesaikan tanda' }).click();
      await page.getByText('Tanda sudah diselesaikan.').waitFor();
      await page.getByText('Tidak ada tanda terbuka.').waitFor();
      expect((await proposal(b)).openFlags).toEqual([]);

      const returnForm = page.getByRole('form', { name: 'Kembalikan ke desa/kelurahan' });
      await returnForm.getByLabel('Alasan').fill('Nomor KK belum sesuai dokumen');
      await returnForm.getByRole('button', { name: 'Kembalikan ke desa/kelurahan' }).click();
      await page.getByText('Usulan dikembalikan ke desa/kelurahan.').waitFor();
      await page.getByText('Keputusan verifikasi hanya untuk usulan').waitFor();
      expect(await history.innerText()).toContain('Nomor KK belum sesuai dokumen');
      // The village sees it back.
      expect((await proposal(b, operatorAuth)).status).toBe('RETURNED');

      // A: verifying needs a field visit first; enter it, then verify.
      await page.goto(`/#/dinsos/usulan/${a}`);
      await page.getByRole('heading', { level: 1, name: 'Usulan Penambahan' }).waitFor();
      await page.getByRole('button', { name: 'Verifikasi usulan' }).click();
      await page.getByText('Usulan ini perlu kunjungan lapangan sebelum diverifikasi.').waitFor();
      await page.getByLabel('Hasil kunjungan').selectOption('CONFIRMED');
      await page.getByLabel('Catatan kunjungan').fill('Rumah dan anggota keluarga sesuai usulan');
      await page.getByRole('button', { name: 'Simpan kunjungan' }).click();
      await page.getByText('Kunjungan lapangan tercatat.').waitFor();
      await page
        .getByText(/Sesuai \(rumah tangga ditemukan\)/)
        .first()
        .waitFor();
      expect((await proposal(a)).fieldVisits).toHaveLength(1);
      await page.getByRole('button', { name: 'Verifikasi usulan' }).click();
      await page.getByText('Usulan terverifikasi.').waitFor();
      expect((await proposal(a)).status).toBe('VERIFIED');

      // C: someone else records a visit while the page is open; the reject meets the stale revision.
      await page.goto(`/#/dinsos/usulan/${c}`);
      await page.getByRole('heading', { level: 1, name: 'Usulan Penambahan' }).waitFor();
      await page.getByText('Belum ada kunjungan lapangan.').waitFor();
      await request(web.t.server)
        .post(`/proposals/${c}/field-visits`)
        .set('Authorization', verifierAuth)
        .send({ visitedAt: '2026-11-20T10:00:00+07:00', outcome: 'NOT_FOUND', notes: 'Rumah kosong' })
        .expect(201);
      const rejectForm = page.getByRole('form', { name: 'Tolak usulan' });
      await rejectForm.getByLabel('Alasan').fill('Rumah tangga tidak ditemukan di alamat');
      await rejectForm.getByRole('button', { name: 'Tolak usulan' }).click();
      await page.getByRole('alert').filter({ hasText: 'Data ini baru saja diubah orang lain' }).waitFor();
      await page
        .getByText(/Tidak ditemukan/)
        .first()
        .waitFor();
      expect((await proposal(c)).status).toBe('APPROVED');
      await rejectForm.getByLabel('Alasan').fill('Rumah tangga tidak ditemukan di alamat');
      await rejectForm.getByRole('button', { name: 'Tolak usulan' }).click();
      await page.getByText('Usulan ditolak.').waitFor();
      expect((await proposal(c)).status).toBe('REJECTED');

      // The month's batch: open it, include A, close early, endorse with the decree's digest.
      await listed('VERIFIED', [a]);
      await page.getByRole('navigation', { name: 'Menu Dinsos' }).getByRole('link', { name: 'Batch bulanan' }).click();
      await page.getByRole('heading', { level: 1, name: 'Batch bulanan ke Pusdatin' }).waitFor();
      await page.getByText('Belum ada batch.').waitFor();
      await expectAccessible(page, 'verifier batches');
      expect(await page.getByLabel('Kode kabupaten/kota').inputValue()).toBe('3515');
      await page.getByRole('button', { name: 'Buka batch' }).click();
      const heading = page.getByRole('heading', { level: 1, name: /^Batch 3515-\d{6}$/ });
      await heading.waitFor();
      batchId = (await heading.innerText()).replace('Batch ', '');
      await page.getByRole('button', { name: `Masukkan Penambahan #${a.slice(0, 8)} ke batch` }).click();
      await page.getByText('Usulan dimasukkan ke batch.').waitFor();
      await page.getByRole('heading', { name: 'Usulan dalam batch (1)' }).waitFor();

      const early = page.getByLabel('Tutup sebelum tanggal batas');
      if (await early.isChecked()) await page.getByLabel('Alasan tutup lebih awal').fill('Uji tutup lebih awal');
      await page.getByRole('button', { name: 'Tutup batch' }).click();
      await page.getByText('Batch ditutup.').waitFor();

      const decree = Buffer.from('%PDF-1.4\n% SK Bupati uji\n');
      await page.getByLabel('Nama Bupati/Wali Kota yang menandatangani').fill('H. Subandi, S.H.');
      await page.getByLabel('Nomor surat keputusan').fill('400/123/438.5.2/2026');
      await page
        .getByLabel('Berkas surat keputusan (PDF hasil pindai)')
        .setInputFiles({ name: 'sk-bupati.pdf', mimeType: 'application/pdf', buffer: decree });
      await page.getByRole('button', { name: 'Simpan pengesahan' }).click();
      await page.getByText('Pengesahan tercatat.').waitFor();
      await page
        .getByText(/Surat 400\/123\/438\.5\.2\/2026 tanggal/)
        .first()
        .waitFor();
      // The decree's SHA-256 as computed in the browser, shown for comparison with the paper.
      await page.getByText(sha256(decree)).waitFor();
      await expectAccessible(page, 'verifier batch');
      await screenshot(page, 'verifier-batch');

      const batch = (
        await request(web.t.server).get(`/batches/${batchId}`).set('Authorization', verifierAuth).expect(200)
      ).body as { status: string; included: string[]; endorsement: { documentDigest: string; endorsedBy: string } };
      expect(batch.status).toBe('ENDORSED');
      expect(batch.included).toEqual([a]);
      expect(batch.endorsement).toMatchObject({ endorsedBy: 'H. Subandi, S.H.', documentDigest: sha256(decree) });
      expect((await proposal(a)).status).toBe('BATCHED');
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('exports the SIKS-NG files, downloads one, submits and imports the results with a progress bar', async () => {
    expect(batchId).toBeDefined();
    const { context, page } = await newPage(web, 'desktop');
    try {
      await signInThroughForm(page, verifierName, PASSWORD);
      // The list (a read model) shows the batch with its status and count; its link opens it.
      await settled(async () => {
        const list = (await request(web.t.server).get('/batches').set('Authorization', verifierAuth).expect(200))
          .body as { items: { id: string; status: string }[] };
        return list.items.some((item) => item.id === batchId && item.status === 'ENDORSED') ? true : undefined;
      }, 60_000);
      await page.goto('/#/dinsos/batch');
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: batchId }) });
      await row.waitFor();
      expect(await row.innerText()).toMatch(/Disahkan\s+1/);
      await expectAccessible(page, 'verifier batches with a batch');
      await screenshot(page, 'verifier-batches');
      await row.getByRole('link', { name: batchId }).click();
      await page.getByRole('heading', { level: 1, name: `Batch ${batchId}` }).waitFor();
      await page.getByRole('button', { name: 'Buat berkas ekspor SIKS-NG' }).click();
      await page.getByRole('progressbar', { name: 'Kemajuan proses' }).waitFor();
      await page.getByText('Ekspor selesai: 1 usulan, 1 baris.').waitFor({ timeout: 60_000 });
      expect(await page.getByRole('progressbar', { name: 'Kemajuan proses' }).getAttribute('value')).toBe('100');
      const xlsxButton = page.getByRole('button', { name: /^Unduh siks-ng-.*\.xlsx$/ });
      await xlsxButton.waitFor();

      const listedFiles = (
        await request(web.t.server).get(`/batches/${batchId}/exports`).set('Authorization', verifierAuth).expect(200)
      ).body as { items: { fileName: string; digest: string }[] };
      expect(listedFiles.items).toHaveLength(3);
      const xlsx = listedFiles.items.find((file) => file.fileName.endsWith('.xlsx'))!;
      const [download] = await Promise.all([page.waitForEvent('download'), xlsxButton.click()]);
      expect(download.suggestedFilename()).toBe(xlsx.fileName);
      // The bytes arrive intact (a binary file, not text).
      expect(sha256(fs.readFileSync(await download.path()))).toBe(xlsx.digest);

      // Back on the page later (a reload), the export's job is shown again, finished.
      await page.reload();
      await page
        .getByRole('region', { name: 'Ekspor SIKS-NG' })
        .getByRole('status')
        .filter({ hasText: 'Selesai (1 dari 1)' })
        .waitFor();

      await page.getByRole('button', { name: 'Kirim ke SIKS-NG' }).click();
      await page.getByText('Pengiriman tercatat.').waitFor();

      const csv = [
        'id_usulan,no_usulan,hasil,nomor_sk,alasan',
        `${a},,DITERIMA,SK-460/7/2026,`,
        ',9,DITERIMA,SK-2,',
      ].join('\n');
      await page.getByRole('button', { name: 'Impor hasil' }).click();
      await page.getByText('Pilih berkas CSV.').waitFor();
      await page
        .getByLabel('Berkas hasil Pusdatin (CSV)')
        .setInputFiles({ name: 'hasil.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: 'Impor hasil' }).click();
      await page
        .getByText('2 baris: 1 tercatat (1 diterima, 0 ditolak), 0 sudah tercatat sebelumnya, 1 tidak cocok.')
        .waitFor({ timeout: 60_000 });
      await page.getByText('Baris 3: no_usulan tidak ada dalam ekspor batch ini').waitFor();
      const importForm = page.getByRole('form', { name: 'Impor hasil Pusdatin' });
      expect(await importForm.getByRole('status').innerText()).toContain('Selesai (1 dari 1)');
      expect(await importForm.getByRole('progressbar').getAttribute('value')).toBe('100');
      await expectAccessible(page, 'verifier batch after import');
      await screenshot(page, 'verifier-batch-imported');

      const batch = (
        await request(web.t.server).get(`/batches/${batchId}`).set('Authorization', verifierAuth).expect(200)
      ).body as { status: string; submission: { exportDigest: string } };
      expect(batch.submission.exportDigest).toBe(xlsx.digest);
      expect(['SUBMITTED', 'COMPLETED']).toContain(batch.status);
      await settled(async () => ((await proposal(a)).status === 'ACCEPTED' ? true : undefined), 60_000);
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('shows the queue as cards and a proposal on a 360 px phone without page-wide scrolling, accessible', async () => {
    const d = (await new WorkflowFixtures(web.t.store).approvedProposal(VILLAGE)).proposalId;
    // A (batched), B (returned) and C (rejected) have left the queue: only D waits.
    await settled(async () => {
      const items = await listed('APPROVED', [d]);
      return items.length === 1 ? items : undefined;
    }, 60_000);
    const { context, page } = await newPage(web, 'phone');
    try {
      await signInThroughForm(page, verifierName, PASSWORD);
      await page.goto('/#/dinsos');
      await page.getByRole('heading', { level: 1, name: 'Antrean verifikasi Dinsos' }).waitFor();
      // On a phone the queue is a list of cards (the table is not rendered).
      const cards = page.locator('.verifier-queue-cards > li');
      await cards.first().waitFor();
      expect(await cards.count()).toBe(1);
      expect(await page.locator('table.verifier-queue').isVisible()).toBe(false);
      expect(await page.locator('dl.verifier-counts').innerText()).toMatch(/Menunggu verifikasi\s+1/);
      expect(await cards.first().innerText()).toContain(`#${d.slice(0, 8)}`);
      expect(await cards.first().innerText()).toContain(VILLAGE);
      const widths = await page.evaluate<{ main: number; viewport: number }>(
        '({ main: document.querySelector("main").scrollWidth, viewport: window.innerWidth })',
      );
      expect(widths.main).toBeLessThanOrEqual(widths.viewport);
      await expectAccessible(page, 'verifier queue (phone)');
      await screenshot(page, 'verifier-queue-phone');

      // The proposal page on the phone: its data and decision forms, no page-wide scrolling either.
      await cards.first().getByRole('link').click();
      await page.getByRole('heading', { level: 1, name: 'Usulan Penambahan' }).waitFor();
      await page.getByRole('button', { name: 'Verifikasi usulan' }).waitFor();
      const proposalWidths = await page.evaluate<{ main: number; viewport: number }>(
        '({ main: document.querySelector("main").scrollWidth, viewport: window.innerWidth })',
      );
      expect(proposalWidths.main).toBeLessThanOrEqual(proposalWidths.viewport);
      await expectAccessible(page, 'verifier proposal (phone)');
      await screenshot(page, 'verifier-proposal-phone');
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
