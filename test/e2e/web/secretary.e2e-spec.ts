/**
 * The village secretary's month in the browser: an operator signs in through the form, registers an ADD proposal
 * (a NIK with an impossible province is refused in the form, a NIK whose sex disagrees is only a warning),
 * schedules a musyawarah desa, builds its agenda from the waiting proposals, takes the attendance (the quorum is
 * refused first), opens it, records both decisions, downloads the berita acara and concludes with its digest, then
 * records the digest of the signed, scanned copy (computed in the browser from the chosen file).
 * The PDF is then read back: Indonesian text, the attendees, the decisions, and the digest it prints equal to the
 * one the meeting recorded. The QR code's public page compares digests without showing any name. Every page passes
 * axe; the month and meeting pages are also checked on a 360 px phone.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import request from 'supertest';
import { bearer, eventually, openSession, seedUser } from '../support/access-app';
import { WorkflowFixtures } from '../support/workflow-fixtures';
import { pdfText } from '../../support/pdf-text';
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
const PASSWORD = 'balai desa sukamaju pagi 7';
const ATTENDEES = [
  { name: 'Slamet Riyadi', role: 'SECRETARY' },
  { name: 'Wagiman', role: 'RT' },
  { name: 'Suparno', role: 'RW' },
  { name: 'Dewi Lestari', role: 'PKH_FACILITATOR' },
] as const;
const CHAIR = 'H. Ahmad Fauzi';
const REASON_APPROVED = 'Memenuhi kriteria: keluarga baru tanpa penghasilan tetap';
const REASON_DEFERRED = 'Menunggu surat keterangan domisili dari RT';

describe('web: the village secretary (operator desa)', () => {
  let web: WebApp;
  let username: string;
  let token: string;
  let meetingId = '';

  const api = (path: string) => request(web.t.server).get(path).set('Authorization', bearer(token));

  beforeAll(async () => {
    web = await startWebApp({ logLevel: 'warn' });
    const operator = await seedUser(web.t, {
      homeRegion: VILLAGE,
      grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
      password: PASSWORD,
    });
    username = operator.username;
    token = (await openSession(web.t, operator.userId)).accessToken;
    // A proposal from the neighbourhoods already waits for the meeting.
    const fixtures = new WorkflowFixtures(web.t.store);
    await fixtures.waitingProposal(VILLAGE);
    // A household on the village registry, for the removal proposal.
    await fixtures.household(VILLAGE);
    await eventually(async () => {
      const body = (await api(`/proposals?villageCode=${VILLAGE}&status=WAITING`).expect(200)).body as {
        items: unknown[];
      };
      return body.items.length === 1 ? true : undefined;
    }, 60_000);
  }, 180_000);

  afterAll(async () => {
    await web?.close();
  });

  it('runs a month from proposal to concluded meeting, and the PDF prints the recorded digest', async () => {
    const { context, page } = await newPage(web, 'desktop');
    try {
      await signInThroughForm(page, username, PASSWORD);

      // 1. The month at a glance.
      await page.goto('/#/desa');
      await page.getByRole('heading', { level: 1, name: `Bulan ini di desa/kelurahan ${VILLAGE}` }).waitFor();
      await page.getByText('1 usulan menunggu musyawarah.').waitFor();
      await page.getByText('Belum ada musyawarah yang dijadwalkan.').waitFor();
      expect(await page.locator('main table').innerText()).toContain('Penambahan');
      await expectAccessible(page, 'secretary month');
      await screenshot(page, 'secretary-month');

      // 2. An ADD proposal: a hard NIK error blocks, a soft warning does not.
      await page.getByRole('link', { name: 'Daftarkan usulan baru' }).click();
      await page.getByRole('heading', { level: 1, name: 'Daftarkan usulan' }).waitFor();
      await page.getByLabel('Alamat', { exact: true }).fill('Jl. Flamboyan 2');
      await page.getByLabel('RT', { exact: true }).fill('004');
      await page.getByLabel('RW', { exact: true }).fill('002');
      await page.getByLabel('Nomor KK').fill('3515140101100005');
      await page.getByLabel('NIK', { exact: true }).fill('0515145504900006');
      await page.getByText('NIK tidak valid: kode provinsi (angka 1-2) tidak boleh diawali 0.').waitFor();
      await page.getByLabel('Nama lengkap').fill('Sri Wahyuni');
      await page.getByLabel('Jenis kelamin').selectOption('M');
      await page.getByLabel('Tanggal lahir').fill('1990-04-15');
      await page.getByRole('button', { name: 'Kirim usulan' }).click();
      await page.getByRole('alert').filter({ hasText: 'Masih ada isian yang salah' }).waitFor();
      expect(await page.getByLabel('NIK', { exact: true }).getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('NIK', { exact: true }).fill('3515145504900006');
      await page.getByText('Peringatan: jenis kelamin di NIK berbeda dengan jenis kelamin yang dipilih.').waitFor();
      expect(await page.getByLabel('NIK', { exact: true }).getAttribute('aria-invalid')).toBe('false');
      expect(await page.getByText('NIK tidak valid').count()).toBe(0);
      await expectAccessible(page, 'secretary proposal with a warning');
      await screenshot(page, 'secretary-proposal');
      await page.getByRole('button', { name: 'Kirim usulan' }).click();
      const saved = page.getByText(/Usulan tersimpan dengan nomor [0-9a-f]{8} dan menunggu musyawarah\./);
      await saved.waitFor();
      const sri = /nomor ([0-9a-f]{8})/.exec(await saved.innerText())![1]!;
      // The NIK never travels in a URL.
      expect(page.url()).not.toContain('3515145504900006');
      await eventually(async () => {
        const body = (await api(`/proposals?villageCode=${VILLAGE}&status=WAITING`).expect(200)).body as {
          items: unknown[];
        };
        return body.items.length === 2 ? true : undefined;
      }, 30_000);

      // 3. Schedule the musyawarah desa.
      await page
        .getByRole('navigation', { name: 'Menu operator desa' })
        .getByRole('link', { name: 'Musyawarah' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Musyawarah desa/kelurahan' }).waitFor();
      await expectAccessible(page, 'secretary meetings');
      await page.getByLabel('Jenis musyawarah').selectOption('MUSDES');
      await page.getByLabel('Tanggal dan jam (WIB)').fill('2026-11-25T09:00');
      await page.getByLabel('Tempat', { exact: true }).fill('Balai Desa Sukamaju');
      await page.getByLabel('Pimpinan musyawarah').fill(CHAIR);
      await page.getByRole('button', { name: 'Jadwalkan' }).click();
      await page.getByRole('heading', { level: 1, name: /^Musyawarah desa 25 Nov 2026/ }).waitFor();
      meetingId = /musyawarah\/([0-9a-f-]{36})/.exec(page.url())![1]!;

      // 4. The agenda from the waiting proposals.
      const addButtons = page.getByRole('button', { name: /^Tambahkan usulan [0-9a-f]{8} ke acara$/ });
      await addButtons.first().waitFor();
      expect(await addButtons.count()).toBe(2);
      for (const expected of [1, 2]) {
        await addButtons.first().click();
        await page
          .locator('ol.secretary__agenda > li')
          .nth(expected - 1)
          .waitFor();
      }
      await page.getByText('Tidak ada usulan lain yang menunggu musyawarah.').waitFor();

      // 5. Attendance: two people are not a quorum; five with the chair are.
      await page.getByLabel('Nama peserta 2').fill(ATTENDEES[0].name);
      await expectAccessible(page, 'secretary meeting scheduled');
      await page.getByRole('button', { name: 'Buka musyawarah' }).click();
      await page.getByRole('alert').filter({ hasText: 'Kuorum belum terpenuhi' }).waitFor();
      await page.getByText('Baru 2 peserta hadir; kuorum memerlukan paling sedikit 5.').waitFor();
      for (const [index, attendee] of ATTENDEES.slice(1).entries()) {
        await page.getByRole('button', { name: 'Tambah peserta' }).click();
        await page.getByLabel(`Nama peserta ${index + 3}`).fill(attendee.name);
        await page.getByLabel(`Peran peserta ${index + 3}`).selectOption(attendee.role);
      }
      await page.getByRole('button', { name: 'Buka musyawarah' }).click();
      await page.getByText('Status: Berlangsung').waitFor();
      await page.getByText('5 orang tercatat hadir.').waitFor();

      // 6. Both decisions on one screen.
      await page.getByText('0 dari 2 usulan sudah diputuskan').waitFor();
      // Bu Sri's proposal is approved, the other one deferred (each card is found by its proposal number).
      const decide = async (done: number, decision: string, reason: string, which: (text: string) => boolean) => {
        const cards = page.locator('form.secretary__decision');
        const texts = await cards.allInnerTexts();
        const card = cards.nth(texts.findIndex(which));
        await card.getByLabel(decision).check();
        await card.getByLabel('Alasan keputusan').fill(reason);
        await card.getByRole('button', { name: /^Simpan keputusan usulan \d$/ }).click();
        await page.getByText(`${done} dari 2 usulan sudah diputuskan`).waitFor();
      };
      await decide(1, 'Disetujui', REASON_APPROVED, (text) => text.includes(sri));
      await decide(2, 'Ditunda', REASON_DEFERRED, () => true);
      await page.getByText('Keputusan: Disetujui').waitFor();
      await page.getByText('Keputusan: Ditunda').waitFor();

      // 7. The berita acara: the digest field is filled from the minutes, the PDF downloads.
      const digestField = page.getByLabel('Sidik berita acara');
      const shownDigest = await eventually(async () => {
        const value = await digestField.inputValue();
        return /^sha256:[0-9a-f]{64}$/.test(value) ? value : undefined;
      }, 30_000);
      await expectAccessible(page, 'secretary meeting with decisions');
      await screenshot(page, 'secretary-meeting');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Unduh berita acara (PDF)' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`berita-acara-${meetingId}.pdf`);
      const pdf = fs.readFileSync(await download.path());
      const [bnbaDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Unduh daftar BNBA (PDF)' }).click(),
      ]);
      const bnba = fs.readFileSync(await bnbaDownload.path());

      // 8. Conclude with the pre-filled digest and the default signatories (the chair and the secretary).
      await page.getByRole('button', { name: 'Tutup musyawarah' }).click();
      await page.getByText('Musyawarah ditutup. Sidik berita acara yang tercatat:').waitFor();
      const meeting = (await api(`/meetings/${meetingId}`).expect(200)).body as {
        status: string;
        minutesDigest: string;
        signatories: { name: string; role: string }[];
      };
      expect(meeting.status).toBe('concluded');
      expect(meeting.minutesDigest).toBe(shownDigest);
      expect(meeting.signatories).toEqual([
        { name: CHAIR, role: 'KEPALA_DESA' },
        { name: ATTENDEES[0].name, role: 'SECRETARY' },
      ]);

      // 9. The paper copy, signed and scanned: its SHA-256 is computed in the browser (nothing is uploaded),
      // shown, and recorded on the meeting.
      const scan = Buffer.from(`%PDF-1.4\n% berita acara ${meetingId} ditandatangani\n%%EOF\n`, 'latin1');
      const scanDigest = `sha256:${createHash('sha256').update(scan).digest('hex')}`;
      await page.getByRole('heading', { level: 2, name: 'Berita acara yang sudah ditandatangani' }).waitFor();
      await page
        .getByLabel('Berkas pindaian berita acara yang ditandatangani')
        .setInputFiles({ name: 'berita-acara-ttd.pdf', mimeType: 'application/pdf', buffer: scan });
      await page.getByText(scanDigest).waitFor();
      await expectAccessible(page, 'secretary signed minutes chosen');
      await screenshot(page, 'secretary-signed-minutes-chosen');
      await page.getByRole('button', { name: 'Catat berita acara yang ditandatangani' }).click();
      await page.getByText(/^Berita acara yang ditandatangani tercatat pada \d/).waitFor();
      await expect(page.locator('.secretary__digest', { hasText: scanDigest }).count()).resolves.toBe(1);
      const signed = (await api(`/meetings/${meetingId}`).expect(200)).body as { signedCopyDigest?: string };
      expect(signed.signedCopyDigest).toBe(scanDigest);
      expect(signed.signedCopyDigest).not.toBe(meeting.minutesDigest);
      await expectAccessible(page, 'secretary signed minutes recorded');
      await screenshot(page, 'secretary-signed-minutes');

      // (a) The PDF, read back: Indonesian, the attendees, the decisions, and the recorded digest printed in full.
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const { spaced, joined } = await pdfText(pdf);
      expect(spaced).toContain('BERITA ACARA MUSYAWARAH DESA');
      expect(spaced).toContain('Pada hari ini,');
      expect(spaced).toMatch(
        /(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} [A-Z][a-z]+ \d{4} pukul \d{2}\.\d{2} WIB/,
      );
      expect(spaced).toContain('Balai Desa Sukamaju');
      expect(spaced).toContain('Daftar hadir');
      for (const name of [CHAIR, ...ATTENDEES.map((a) => a.name)]) expect(spaced).toContain(name);
      expect(spaced).toContain('Pendamping PKH');
      expect(spaced).toContain('DISETUJUI');
      expect(spaced).toContain('DITUNDA');
      expect(spaced).toContain(REASON_APPROVED);
      expect(spaced).toContain(REASON_DEFERRED);
      expect(spaced).toContain('Tanda tangan');
      const printed = /sha256:[0-9a-f]{64}/.exec(joined)?.[0];
      expect(printed).toBe(meeting.minutesDigest);
      expect(spaced).toContain(`/#/verifikasi/berita-acara/${meetingId}`);
      expect(pageErrors(page)).toEqual([]);

      // The BNBA list: only the approved household, by name and address.
      const list = (await pdfText(bnba)).spaced;
      expect(list).toContain('DAFTAR BY NAME BY ADDRESS (BNBA) USULAN YANG DISETUJUI');
      expect(list).toContain('Sri Wahyuni');
      expect(list).toContain('Jl. Flamboyan 2');
      expect(list).toContain('004/002');
      expect(list).not.toContain('Warga Fiktif');

      // The QR code's page: the recorded digest matches the printed one, and no name is shown.
      await page.goto(`/#/verifikasi/berita-acara/${meetingId}?digest=${printed}`);
      await page.getByRole('heading', { level: 1, name: 'Pemeriksaan berita acara musyawarah' }).waitFor();
      await page.getByText('COCOK: sidik yang tercetak sama dengan yang tercatat.').waitFor();
      const checkText = await page.locator('main').innerText();
      expect(checkText).toContain(meeting.minutesDigest);
      // The signed copy's digest is shown too, under its own label.
      expect(checkText).toContain('Sidik berita acara yang ditandatangani');
      expect(checkText).toContain(scanDigest);
      for (const name of [CHAIR, ...ATTENDEES.map((a) => a.name)]) expect(checkText).not.toContain(name);
      await expectAccessible(page, 'minutes check');
      await page.goto(`/#/verifikasi/berita-acara/${meetingId}?digest=sha256:${'0'.repeat(64)}`);
      await page.getByText(/^TIDAK COCOK/).waitFor();
    } finally {
      await context.close();
    }
  }, 240_000);

  it('works on a 360 px phone: the month and the concluded meeting', async () => {
    expect(meetingId).not.toBe('');
    const { context, page } = await newPage(web, 'phone');
    try {
      await signInThroughForm(page, username, PASSWORD);
      await page.goto('/#/desa');
      await page.getByRole('heading', { level: 1, name: `Bulan ini di desa/kelurahan ${VILLAGE}` }).waitFor();
      await expectAccessible(page, 'secretary month (phone)');
      await screenshot(page, 'secretary-month-phone');

      await page.goto(`/#/desa/musyawarah/${meetingId}`);
      await page.getByText('Status: Selesai').waitFor();
      await page.getByText('Keputusan: Disetujui').waitFor();
      await page.getByText(/^Berita acara yang ditandatangani tercatat pada \d/).waitFor();
      await expectAccessible(page, 'secretary meeting (phone)');
      // A string is evaluated in the page (this file is compiled without the DOM's types).
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'secretary-meeting-phone');
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('registers a removal with its evidence and a birth for a household found by KK number, and cancels a meeting', async () => {
    await eventually(async () => {
      const found = await request(web.t.server)
        .post('/registry/search')
        .set('Authorization', bearer(token))
        .send({ kkNumber: '3515140101090002' });
      return (found.body as { items?: unknown[] }).items?.length === 1 ? true : undefined;
    }, 30_000);
    const { context, page } = await newPage(web, 'phone');
    try {
      await signInThroughForm(page, username, PASSWORD);
      await page.goto('/#/desa/usulan/baru');
      await page.getByLabel('Jenis usulan').selectOption('REMOVE');
      await page.getByLabel('Nomor KK', { exact: true }).fill('3515140101090002');
      await page.getByRole('button', { name: 'Cari', exact: true }).click();
      await page.getByRole('button', { name: 'Pilih keluarga Warga Terdaftar' }).click();
      await page.getByText('Keluarga dipilih: Warga Terdaftar, Jl. Fixture 2 RT 002/RW 001').waitFor();
      // "Not found" needs two failed field visits on different dates.
      await page.getByLabel('Alasan penghapusan', { exact: true }).selectOption('NOT_FOUND');
      await page.getByLabel('Tanggal kunjungan 1').fill('2026-11-02');
      await page.getByLabel('Tanggal kunjungan 2').fill('2026-11-02');
      await page.getByRole('button', { name: 'Kirim usulan' }).click();
      await page.getByText('Tanggal kunjungan harus berbeda.').waitFor();
      await expectAccessible(page, 'removal with missing evidence (phone)');
      await page.getByLabel('Tanggal kunjungan 2').fill('2026-11-09');
      await page.getByRole('button', { name: 'Kirim usulan' }).click();
      await page.getByText(/Usulan tersimpan dengan nomor [0-9a-f]{8}/).waitFor();
      await eventually(async () => {
        const body = (await api(`/proposals?villageCode=${VILLAGE}&kind=REMOVE`).expect(200)).body as {
          items: { removalReason: string }[];
        };
        return body.items[0]?.removalReason === 'NOT_FOUND' ? true : undefined;
      }, 30_000);

      // A birth in the same household: a CORRECT that adds a member, whose NIK is checked like any other.
      await page.getByRole('button', { name: 'Daftarkan usulan lain' }).click();
      await page.getByLabel('Jenis usulan').selectOption('CORRECT');
      await page.getByLabel('Nomor KK', { exact: true }).fill('3515140101090002');
      await page.getByRole('button', { name: 'Cari', exact: true }).click();
      await page.getByRole('button', { name: 'Pilih keluarga Warga Terdaftar' }).click();
      await page.getByLabel('Jenis perbaikan').selectOption('member');
      await page.getByLabel('NIK', { exact: true }).fill('3515143102260007');
      await page.getByText('NIK tidak valid: tanggal lahir di dalam NIK (angka 7-12) tidak ada di kalender.').waitFor();
      await page.getByLabel('NIK', { exact: true }).fill('3515140109260007');
      await page.getByLabel('Nama lengkap').fill('Ahmad Rizki');
      await page.getByLabel('Jenis kelamin').selectOption('M');
      await page.getByLabel('Tanggal lahir').fill('2026-09-01');
      await page.getByLabel('Keterangan').fill('kelahiran anak');
      expect(await page.getByText('NIK tidak valid').count()).toBe(0);
      await expectAccessible(page, 'correction adding a member (phone)');
      await page.getByRole('button', { name: 'Kirim usulan' }).click();
      await page.getByText(/Usulan tersimpan dengan nomor [0-9a-f]{8}/).waitFor();
      await eventually(async () => {
        const body = (await api(`/proposals?villageCode=${VILLAGE}&kind=CORRECT`).expect(200)).body as {
          items: { memberCount: number }[];
        };
        return body.items.length === 1 ? true : undefined;
      }, 30_000);

      // A meeting that cannot take place is cancelled with its reason.
      await page.goto('/#/desa/musyawarah');
      await page.getByLabel('Tanggal dan jam (WIB)').fill('2026-12-02T09:00');
      await page.getByLabel('Tempat', { exact: true }).fill('Balai Desa Sukamaju');
      await page.getByLabel('Pimpinan musyawarah').fill(CHAIR);
      await page.getByRole('button', { name: 'Jadwalkan' }).click();
      await page.getByRole('heading', { level: 1, name: /^Musyawarah desa 2 Des 2026/ }).waitFor();
      await page.getByText('Batalkan musyawarah', { exact: true }).click();
      await page.getByLabel('Alasan pembatalan').fill('Banjir di balai desa');
      await page.getByRole('button', { name: 'Batalkan musyawarah ini' }).click();
      await page.getByText('Musyawarah ini dibatalkan. Alasan: Banjir di balai desa').waitFor();
      await page.getByText('Status: Dibatalkan').waitFor();
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
