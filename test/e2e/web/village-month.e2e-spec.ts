/**
 * The village-month story through the web UI, across roles, on the whole application with a real Redis (the
 * export and import jobs run in the app's worker). Nothing of the story is written through fixtures: people with
 * passwords sign in through the form and do every step in the browser.
 *  1. The secretary of 3515142001 signs in with the keyboard only (the focus is visibly outlined on each control),
 *     registers an ADD proposal for a new household, schedules the musyawarah desa, puts the proposal on the
 *     agenda, takes the attendance, opens the meeting, approves, downloads the berita acara and concludes.
 *  2. The verifier of regency 3515 finds it in the queue, enters the required field visit, verifies it, opens the
 *     month's batch, includes it, closes and endorses the batch, exports the SIKS-NG file (the progress bar
 *     reaches 100), submits it and imports Pusdatin's result that accepts the proposal.
 *  3. An auditor sees the new household active in the village's registry, and the public board counts the month.
 * At each hand-over between people the state is also checked through the API.
 */
import * as fs from 'node:fs';
import request from 'supertest';
import type { Role } from '@muskel/domain';
import { bearer, openSession, seedUser } from '../support/access-app';
import {
  expectAccessible,
  newPage,
  pageErrors,
  screenshot,
  signInThroughForm,
  startWebApp,
  type WebApp,
} from './support/browser';
import { pdfText, settled, signInWithKeyboard } from './support/pages';

const VILLAGE = '3515142001';
const REGENCY = '3515';
const SECRETARY_PASSWORD = 'balai desa sukamaju pagi 7';
const VERIFIER_PASSWORD = 'verifikator-dinsos-bojonegoro-9';
const AUDITOR_PASSWORD = 'Sandi-Auditor-Registri-2026!';

/** The new household: a mother of a family who moved in; her NIK's sex and birth date agree with the form. */
const HOUSEHOLD = {
  address: 'Jl. Kenanga 7',
  rt: '003',
  rw: '001',
  kk: '3515140202110003',
  nik: '3515145204880004',
  name: 'Siti Aminah',
  sex: 'F',
  birthDate: '1988-04-12',
};
const CHAIR = 'H. Ahmad Fauzi';
const ATTENDEES = [
  { name: 'Slamet Riyadi', role: 'SECRETARY' },
  { name: 'Wagiman', role: 'RT' },
  { name: 'Suparno', role: 'RW' },
  { name: 'Dewi Lestari', role: 'PKH_FACILITATOR' },
] as const;
const REASON = 'Keluarga baru pindah, kepala keluarga tanpa penghasilan tetap';

/** Today's date in Jakarta (YYYY-MM-DD), the month as YYYY-MM, and the date as the pages print it. */
const jakartaToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());
const longDate = (isoDate: string) =>
  new Intl.DateTimeFormat('id-ID', { dateStyle: 'long', timeZone: 'Asia/Jakarta' }).format(
    new Date(`${isoDate}T00:00:00Z`),
  );

interface ProposalBody {
  id: string;
  status: string;
  kind: string;
  villageCode: string;
  fieldVisits: unknown[];
}

describe('web: the village month, from sign-in to the registry change', () => {
  let web: WebApp;
  let secretary: { username: string; auth: string };
  let verifier: { username: string; auth: string };
  let auditor: { username: string; auth: string };
  let proposalId = '';
  let meetingId = '';
  let batchId = '';

  const get = (path: string, auth: string) => request(web.t.server).get(path).set('Authorization', auth);
  const proposal = async (auth: string): Promise<ProposalBody> =>
    (await get(`/proposals/${proposalId}`, auth).expect(200)).body as ProposalBody;
  /** Waits until the proposal (the write side) has the status. */
  const reaches = (status: string, auth: string) =>
    settled(async () => ((await proposal(auth)).status === status ? true : undefined));

  beforeAll(async () => {
    web = await startWebApp({ logLevel: 'warn' });
    const person = async (homeRegion: string, role: Role, scope: string, password: string) => {
      const seeded = await seedUser(web.t, {
        homeRegion,
        grants: [{ role, scope }],
        password,
      });
      return {
        username: seeded.username,
        auth: bearer((await openSession(web.t, seeded.userId)).accessToken),
      };
    };
    secretary = await person(VILLAGE, 'VILLAGE_OPERATOR', VILLAGE, SECRETARY_PASSWORD);
    verifier = await person(REGENCY, 'VERIFIER', REGENCY, VERIFIER_PASSWORD);
    auditor = await person('NATIONAL', 'AUDITOR', 'NATIONAL', AUDITOR_PASSWORD);
  }, 180_000);

  afterAll(async () => {
    await web?.close();
  });

  it('the secretary signs in with the keyboard, registers a household and holds the meeting', async () => {
    const { context, page } = await newPage(web, 'desktop');
    try {
      await page.goto('/#/masuk');
      await page.getByRole('heading', { level: 1, name: 'Masuk ke Muskel' }).waitFor();
      await expectAccessible(page, 'sign-in form');
      // Keyboard only: each control reached by Tab shows an outline (the global :focus-visible rule).
      const focus = await signInWithKeyboard(page, secretary.username, SECRETARY_PASSWORD);
      expect(focus.map((f) => f.name ?? f.tag)).toEqual(['username', 'password', 'button']);
      // Not just the browser's default ring ('auto'): the app's own 3 px solid outline.
      for (const f of focus)
        expect({ style: f.outlineStyle, width: f.outlineWidth }).toEqual({ style: 'solid', width: '3px' });
      await expectAccessible(page, 'home after sign-in');
      await screenshot(page, 'story-1-signed-in');

      // The ADD proposal for the new household.
      await page.goto('/#/desa/usulan/baru');
      await page.getByRole('heading', { level: 1, name: 'Daftarkan usulan' }).waitFor();
      await page.getByLabel('Alamat', { exact: true }).fill(HOUSEHOLD.address);
      await page.getByLabel('RT', { exact: true }).fill(HOUSEHOLD.rt);
      await page.getByLabel('RW', { exact: true }).fill(HOUSEHOLD.rw);
      await page.getByLabel('Nomor KK').fill(HOUSEHOLD.kk);
      await page.getByLabel('NIK', { exact: true }).fill(HOUSEHOLD.nik);
      await page.getByLabel('Nama lengkap').fill(HOUSEHOLD.name);
      await page.getByLabel('Jenis kelamin').selectOption(HOUSEHOLD.sex);
      await page.getByLabel('Tanggal lahir').fill(HOUSEHOLD.birthDate);
      // The NIK agrees with the sex and birth date: neither an error nor a warning.
      expect(await page.getByText('NIK tidak valid').count()).toBe(0);
      expect(await page.getByText(/^Peringatan:/).count()).toBe(0);
      await page.getByRole('button', { name: 'Kirim usulan' }).click();
      const saved = page.getByText(/Usulan tersimpan dengan nomor [0-9a-f]{8} dan menunggu musyawarah\./);
      await saved.waitFor();
      const shortId = /nomor ([0-9a-f]{8})/.exec(await saved.innerText())![1]!;
      expect(page.url()).not.toContain(HOUSEHOLD.nik);
      await screenshot(page, 'story-2-proposal');

      // Hand-over check: the village's list holds the proposal, waiting for the meeting.
      const waiting = await settled(async () => {
        const body = (await get(`/proposals?villageCode=${VILLAGE}&status=WAITING`, secretary.auth).expect(200))
          .body as { items: ProposalBody[] };
        return body.items.find((item) => item.id.startsWith(shortId));
      });
      proposalId = waiting.id;
      expect(waiting).toMatchObject({ kind: 'ADD', villageCode: VILLAGE });

      // The musyawarah desa, today in Jakarta (so the public board shows it in this month).
      const today = jakartaToday();
      await page
        .getByRole('navigation', { name: 'Menu operator desa' })
        .getByRole('link', { name: 'Musyawarah' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Musyawarah desa/kelurahan' }).waitFor();
      await page.getByLabel('Jenis musyawarah').selectOption('MUSDES');
      await page.getByLabel('Tanggal dan jam (WIB)').fill(`${today}T09:00`);
      await page.getByLabel('Tempat', { exact: true }).fill('Balai Desa Sukamaju');
      await page.getByLabel('Pimpinan musyawarah').fill(CHAIR);
      await page.getByRole('button', { name: 'Jadwalkan' }).click();
      await page.getByRole('heading', { level: 1, name: /^Musyawarah desa / }).waitFor();
      meetingId = /musyawarah\/([0-9a-f-]{36})/.exec(page.url())![1]!;

      // The agenda: our proposal is the only one waiting.
      const add = page.getByRole('button', { name: `Tambahkan usulan ${shortId} ke acara` });
      await add.click();
      await page.locator('ol.secretary__agenda > li').first().waitFor();
      expect(await page.locator('ol.secretary__agenda > li').count()).toBe(1);
      await page.getByText('Tidak ada usulan lain yang menunggu musyawarah.').waitFor();

      // Attendance: the chair and four more people make the quorum of five.
      await page.getByLabel('Nama peserta 2').fill(ATTENDEES[0].name);
      // Two people are not a quorum: the meeting stays closed.
      await page.getByRole('button', { name: 'Buka musyawarah' }).click();
      await page.getByRole('alert').filter({ hasText: 'Kuorum belum terpenuhi' }).waitFor();
      for (const [index, attendee] of ATTENDEES.slice(1).entries()) {
        await page.getByRole('button', { name: 'Tambah peserta' }).click();
        await page.getByLabel(`Nama peserta ${index + 3}`).fill(attendee.name);
        await page.getByLabel(`Peran peserta ${index + 3}`).selectOption(attendee.role);
      }
      await screenshot(page, 'story-3-attendance');
      await page.getByRole('button', { name: 'Buka musyawarah' }).click();
      await page.getByText('Status: Berlangsung').waitFor();
      await page.getByText('5 orang tercatat hadir.').waitFor();

      // The decision: approved, with its reason.
      await page.getByText('0 dari 1 usulan sudah diputuskan').waitFor();
      const card = page.locator('form.secretary__decision').first();
      expect(await card.innerText()).toContain(shortId);
      await card.getByLabel('Disetujui').check();
      await card.getByLabel('Alasan keputusan').fill(REASON);
      await card.getByRole('button', { name: /^Simpan keputusan usulan \d$/ }).click();
      await page.getByText('1 dari 1 usulan sudah diputuskan').waitFor();
      await page.getByText('Keputusan: Disetujui').waitFor();

      // The berita acara: downloaded, then the meeting is concluded with the digest the page filled in.
      const digestField = page.getByLabel('Sidik berita acara');
      const digest = await settled(async () => {
        const value = await digestField.inputValue();
        return /^sha256:[0-9a-f]{64}$/.test(value) ? value : undefined;
      }, 30_000);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Unduh berita acara (PDF)' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`berita-acara-${meetingId}.pdf`);
      const pdf = fs.readFileSync(await download.path());
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const { spaced, joined } = await pdfText(pdf);
      expect(spaced).toContain('BERITA ACARA MUSYAWARAH DESA');
      expect(spaced).toContain('DISETUJUI');
      expect(spaced).toContain(REASON);
      for (const name of [CHAIR, ...ATTENDEES.map((a) => a.name)]) expect(spaced).toContain(name);
      expect(/sha256:[0-9a-f]{64}/.exec(joined)?.[0]).toBe(digest);

      await page.getByRole('button', { name: 'Tutup musyawarah' }).click();
      await page.getByText('Musyawarah ditutup. Sidik berita acara yang tercatat:').waitFor();
      await page.getByText('Status: Selesai').waitFor();
      await screenshot(page, 'story-4-meeting-concluded');
      expect(pageErrors(page)).toEqual([]);

      // Hand-over check: the meeting concluded with that digest; the proposal is approved by the village.
      const meeting = (await get(`/meetings/${meetingId}`, secretary.auth).expect(200)).body as {
        status: string;
        minutesDigest: string;
      };
      expect(meeting).toMatchObject({ status: 'concluded', minutesDigest: digest });
      await reaches('APPROVED', secretary.auth);
    } finally {
      await context.close();
    }
  }, 300_000);

  it('the verifier verifies it after a field visit, batches, endorses, exports, submits and imports the result', async () => {
    expect(proposalId).not.toBe('');
    // The queue is a read model: wait until it lists the proposal as approved by the village.
    await settled(async () => {
      const body = (await get(`/proposals?status=APPROVED&regencyCode=${REGENCY}`, verifier.auth).expect(200)).body as {
        items: { id: string }[];
      };
      return body.items.some((item) => item.id === proposalId) ? true : undefined;
    });
    const { context, page } = await newPage(web, 'desktop');
    try {
      await signInThroughForm(page, verifier.username, VERIFIER_PASSWORD);
      await page.getByRole('link', { name: 'Verifikasi Dinsos' }).click();
      await page.getByRole('heading', { level: 1, name: 'Antrean verifikasi Dinsos' }).waitFor();
      const row = page.locator('table.verifier-queue tbody tr').filter({ hasText: proposalId.slice(0, 8) });
      await row.waitFor();
      expect(await page.locator('table.verifier-queue tbody tr').count()).toBe(1);
      expect(await row.innerText()).toContain(VILLAGE);
      await screenshot(page, 'story-5-queue');
      await row.getByRole('link').first().click();

      // An ADD needs a field visit before it can be verified: the page says so; the visit is entered.
      await page.getByRole('heading', { level: 1, name: 'Usulan Penambahan' }).waitFor();
      await page.getByRole('rowheader', { name: HOUSEHOLD.name }).waitFor();
      await page.getByRole('button', { name: 'Verifikasi usulan' }).click();
      await page.getByText('Usulan ini perlu kunjungan lapangan sebelum diverifikasi.').waitFor();
      await page.getByLabel('Hasil kunjungan').selectOption('CONFIRMED');
      await page.getByLabel('Catatan kunjungan').fill('Ibu Siti dan anak-anaknya tinggal di alamat ini');
      await page.getByRole('button', { name: 'Simpan kunjungan' }).click();
      await page.getByText('Kunjungan lapangan tercatat.').waitFor();
      await page.getByRole('button', { name: 'Verifikasi usulan' }).click();
      await page.getByText('Usulan terverifikasi.').waitFor();
      await screenshot(page, 'story-6-verified');
      const verified = await proposal(verifier.auth);
      expect(verified.status).toBe('VERIFIED');
      expect(verified.fieldVisits).toHaveLength(1);

      // The month's batch: open, include the proposal, close, endorse.
      await settled(async () => {
        const body = (await get(`/proposals?status=VERIFIED&regencyCode=${REGENCY}`, verifier.auth).expect(200))
          .body as { items: { id: string }[] };
        return body.items.some((item) => item.id === proposalId) ? true : undefined;
      });
      await page.getByRole('navigation', { name: 'Menu Dinsos' }).getByRole('link', { name: 'Batch bulanan' }).click();
      await page.getByRole('heading', { level: 1, name: 'Batch bulanan ke Pusdatin' }).waitFor();
      await page.getByRole('button', { name: 'Buka batch' }).click();
      const heading = page.getByRole('heading', { level: 1, name: /^Batch 3515-\d{6}$/ });
      await heading.waitFor();
      batchId = (await heading.innerText()).replace('Batch ', '');
      await page.getByRole('button', { name: `Masukkan Penambahan #${proposalId.slice(0, 8)} ke batch` }).click();
      await page.getByText('Usulan dimasukkan ke batch.').waitFor();
      await page.getByRole('heading', { name: 'Usulan dalam batch (1)' }).waitFor();
      const early = page.getByLabel('Tutup sebelum tanggal batas');
      if (await early.isChecked()) await page.getByLabel('Alasan tutup lebih awal').fill('Cerita satu bulan desa');
      await page.getByRole('button', { name: 'Tutup batch' }).click();
      await page.getByText('Batch ditutup.').waitFor();
      await page.getByLabel('Nama Bupati/Wali Kota yang menandatangani').fill('H. Subandi, S.H.');
      await page.getByLabel('Nomor surat keputusan').fill('400/321/438.5.2/2026');
      await page.getByLabel('Berkas surat keputusan (PDF hasil pindai)').setInputFiles({
        name: 'sk-bupati.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n% SK Bupati bulan ini\n'),
      });
      await page.getByRole('button', { name: 'Simpan pengesahan' }).click();
      await page.getByText('Pengesahan tercatat.').waitFor();
      await screenshot(page, 'story-7-batch-endorsed');
      const endorsed = (await get(`/batches/${batchId}`, verifier.auth).expect(200)).body as {
        status: string;
        included: string[];
      };
      expect(endorsed).toMatchObject({ status: 'ENDORSED', included: [proposalId] });

      // The SIKS-NG export runs as a job: the progress bar reaches 100 and the file can be downloaded.
      await page.getByRole('button', { name: 'Buat berkas ekspor SIKS-NG' }).click();
      const progress = page.getByRole('progressbar', { name: 'Kemajuan proses' });
      await progress.waitFor();
      await page.getByText('Ekspor selesai: 1 usulan, 1 baris.').waitFor({ timeout: 60_000 });
      expect(await progress.getAttribute('value')).toBe('100');
      await page.getByRole('button', { name: /^Unduh siks-ng-.*\.xlsx$/ }).waitFor();

      await page.getByRole('button', { name: 'Kirim ke SIKS-NG' }).click();
      await page.getByText('Pengiriman tercatat.').waitFor();

      // Pusdatin's result accepts the proposal.
      const csv = ['id_usulan,no_usulan,hasil,nomor_sk,alasan', `${proposalId},,DITERIMA,SK-460/11/2026,`].join('\n');
      await page
        .getByLabel('Berkas hasil Pusdatin (CSV)')
        .setInputFiles({ name: 'hasil-pusdatin.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: 'Impor hasil' }).click();
      await page
        .getByText('1 baris: 1 tercatat (1 diterima, 0 ditolak), 0 sudah tercatat sebelumnya, 0 tidak cocok.')
        .waitFor({ timeout: 60_000 });
      await screenshot(page, 'story-8-imported');
      expect(pageErrors(page)).toEqual([]);

      // Hand-over check: accepted by Pusdatin.
      await reaches('ACCEPTED', verifier.auth);
    } finally {
      await context.close();
    }
  }, 300_000);

  it('the registry holds the new household, and the public board counts the month', async () => {
    expect(proposalId).not.toBe('');
    // Hand-over check: the registry (a read model) lists the household by its KK number, active.
    const household = await settled(async () => {
      const found = (
        await request(web.t.server)
          .post('/registry/search')
          .set('Authorization', auditor.auth)
          .send({ kkNumber: HOUSEHOLD.kk })
          .expect(200)
      ).body as { items: { status: string; villageCode: string }[] };
      return found.items[0];
    });
    expect(household).toMatchObject({ status: 'ACTIVE', villageCode: VILLAGE });

    const desktop = await newPage(web, 'desktop');
    try {
      const page = desktop.page;
      await signInThroughForm(page, auditor.username, AUDITOR_PASSWORD);
      await page.goto('/#/audit/registri');
      await page.getByRole('heading', { level: 1, name: 'Registri desa pada tanggal tertentu' }).waitFor();
      await page.getByLabel('Kode desa/kelurahan').fill(VILLAGE);
      const today = jakartaToday();
      await page.getByLabel('Per tanggal').fill(today);
      await page.getByRole('button', { name: 'Tampilkan registri' }).click();
      await page.getByRole('heading', { level: 2, name: `Registri desa ${VILLAGE} per ${longDate(today)}` }).waitFor();
      await page.getByText('1 rumah tangga aktif, 1 anggota aktif.').waitFor();
      const table = page.getByRole('table');
      expect(await table.innerText()).toContain(HOUSEHOLD.name);
      expect(await table.innerText()).toContain('Usulan musyawarah');
      // The change between the start of the month and today: the household entered through the proposal.
      await page.getByRole('button', { name: 'Tampilkan perubahan' }).click();
      const entered = page.locator('section[aria-labelledby="audit-entered"]');
      await entered.waitFor();
      expect(await entered.innerText()).toContain('Masuk registri (1)');
      expect(await entered.innerText()).toContain(HOUSEHOLD.name);
      // Its cause is the story's proposal.
      expect(await entered.innerText()).toContain(`Usulan ${proposalId}`);
      await expectAccessible(page, 'auditor registry after the story');
      await screenshot(page, 'story-9-registry');
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await desktop.context.close();
    }

    // The public board on a 360 px phone, without signing in: the month's counts, and nobody's name.
    const period = today7();
    await settled(async () => {
      const board = (await request(web.t.server).get(`/public/villages/${VILLAGE}/board?period=${period}`).expect(200))
        .body as { byOutcome: Record<string, number> };
      return board.byOutcome.ACCEPTED === 1 ? true : undefined;
    });
    const phone = await newPage(web, 'phone');
    try {
      const page = phone.page;
      await page.goto('/#/papan');
      await page.getByRole('heading', { level: 1, name: 'Papan transparansi musyawarah' }).waitFor();
      await page.getByLabel('Kode desa/kelurahan').fill(VILLAGE);
      await page.getByLabel('Bulan').fill(period);
      await page.getByRole('button', { name: 'Tampilkan' }).click();
      await page.getByRole('heading', { level: 2, name: new RegExp(`Desa/kelurahan ${VILLAGE}`) }).waitFor();
      const bar = (figure: string, label: string) =>
        page.getByRole('figure').filter({ hasText: figure }).locator('li').filter({ hasText: label }).innerText();
      expect(await bar('Usulan menurut jenis', 'Penambahan')).toMatch(/Penambahan\s+1\b/);
      expect(await bar('Keputusan musyawarah', 'Disetujui')).toMatch(/Disetujui\s+1\b/);
      expect(await bar('Hasil akhir', 'Diterima Pusdatin')).toMatch(/Diterima Pusdatin\s+1\b/);
      const meetings = page.getByRole('table').filter({ hasText: 'Musyawarah desa' });
      expect(await meetings.innerText()).toContain('Selesai');
      const text = await page.locator('main').innerText();
      expect(text).not.toContain(HOUSEHOLD.name);
      expect(text).not.toMatch(/\d{16}/);
      expect(
        await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
      ).toBeLessThanOrEqual(0);
      await screenshot(page, 'story-10-board');
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await phone.context.close();
    }
  }, 300_000);
});

/** The current month in Jakarta as YYYY-MM, the board's period. */
function today7(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date()).slice(0, 7);
}
