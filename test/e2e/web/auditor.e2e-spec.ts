/**
 * The auditor's pages and the public log-verification page in the browser: an auditor signs in, finds a person by
 * NIK (sent in a POST body, never in the URL) and sees their timeline with each step's audit-log leaf checked in the
 * browser against the latest signed checkpoint; the village's registry as of a date and the changes between two
 * dates; and anyone, on a 360 px phone, checks an event's inclusion proof on /verifikasi, where a tampered bundle
 * fails. Each page passes axe and is saved as a screenshot.
 */
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
const PASSWORD = 'Sandi-Auditor-Kuat-2026!';

interface Leaf {
  seq: number;
  eventId: string;
  record: string;
}

interface Bundle {
  index: number;
  record: string;
  leafHash: string;
  checkpoint: { note: string; size: number; rootHash: string } | null;
  inclusionProof: string[] | null;
}

describe('web: auditor pages and public log verification', () => {
  let web: WebApp;
  let auditor: { username: string; userId: string };
  let token: string;
  let householdId: string;
  let nik: string;
  let proposedNik: string;
  let enrolment: Leaf;

  const get = (path: string) => request(web.t.server).get(path).set('Authorization', bearer(token));

  beforeAll(async () => {
    web = await startWebApp({ logLevel: 'warn' });
    const fixtures = new WorkflowFixtures(web.t.store);
    // A proposal deliberated by a meeting first: its person has several steps, and the household's leaf is not 0.
    const approved = await fixtures.approvedProposal(VILLAGE);
    householdId = await fixtures.household(VILLAGE);
    auditor = await seedUser(web.t, {
      homeRegion: 'NATIONAL',
      grants: [{ role: 'AUDITOR', scope: 'NATIONAL' }],
      password: PASSWORD,
    });
    token = (await openSession(web.t, auditor.userId)).accessToken;
    const household = (await get(`/registry/households/${householdId}`).expect(200)).body as {
      members: Record<string, { nik: string }>;
    };
    // Members are kept by member id in the household's state.
    nik = Object.values(household.members)[0]!.nik;
    const proposal = (await get(`/proposals/${approved.proposalId}`).expect(200)).text;
    proposedNik = /"nik":"(\d{16})"/.exec(proposal)![1]!;
    // The person's history is a projection, the audit log is integrated by the worker: wait for both.
    await eventually(async () => {
      const history = (
        await request(web.t.server)
          .post('/persons/history')
          .set('Authorization', bearer(token))
          .send({ nik })
          .expect(200)
      ).body as { entries: unknown[] };
      return history.entries.length > 0 ? true : undefined;
    }, 60_000);
    enrolment = await eventually(async () => {
      const leaves = (await get('/audit/v1/leaves?from=0&count=1000').expect(200)).body as { items: Leaf[] };
      return leaves.items.find((leaf) => leaf.record.includes(`"stream":"household-${householdId}"`));
    }, 60_000);
    const signed = await eventually(async () => {
      const response = await request(web.t.server).post('/audit/v1/checkpoints').set('Authorization', bearer(token));
      return response.status === 201 ? (response.body as { size: number }) : undefined;
    }, 60_000);
    expect(signed.size).toBeGreaterThan(enrolment.seq);
  }, 180_000);

  afterAll(async () => {
    await web?.close();
  });

  it('finds a person by NIK and shows the timeline with a verified audit-log proof', async () => {
    const { context, page } = await newPage(web, 'desktop');
    try {
      await signInThroughForm(page, auditor.username, PASSWORD);
      await page.getByRole('link', { name: 'Audit', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Audit data kesejahteraan sosial' }).waitFor();
      // A wrong NIK is refused next to the field, before anything is sent.
      await page.getByLabel('NIK (16 angka)').fill('12345');
      await page.getByRole('button', { name: 'Cari', exact: true }).click();
      await page.getByText('Isi 16 angka.').waitFor();

      await page.getByLabel('NIK (16 angka)').fill(nik);
      await page.getByRole('button', { name: 'Cari', exact: true }).click();
      await page.getByRole('heading', { level: 2, name: 'Riwayat penduduk' }).waitFor();
      const step = page.locator('.timeline > li').filter({ hasText: 'Rumah tangga masuk registri' });
      await step.waitFor();
      expect(await step.innerText()).toContain('Sistem');
      const proof = step.locator('[data-proof]');
      await proof.waitFor();
      expect(await proof.getAttribute('data-proof')).toBe('verified');
      expect(await proof.innerText()).toContain(`Terverifikasi (entri ke-${enrolment.seq})`);
      expect(enrolment.seq).toBeGreaterThan(0);
      // The NIK went in a POST body: never into the address bar.
      expect(page.url()).not.toContain(nik);
      await expectAccessible(page, 'auditor timeline');

      // A person named in a proposal: submitted, tabled and decided by a meeting, every step proven in the log.
      await page.getByLabel('NIK (16 angka)').fill(proposedNik);
      await page.getByRole('button', { name: 'Cari', exact: true }).click();
      const decided = page.locator('.timeline > li').filter({ hasText: 'Usulan diputuskan musyawarah' });
      await decided.waitFor();
      expect(await decided.innerText()).toContain('Disetujui');
      // Each of these events precedes the signed checkpoint: each is proven, none failed.
      for (const what of ['Usulan diajukan', 'Usulan masuk agenda musyawarah', 'Usulan diputuskan musyawarah']) {
        const step = page.locator('.timeline > li').filter({ hasText: what });
        expect(await step.count()).toBe(1);
        await step.locator('[data-proof="verified"]').waitFor();
      }
      expect(await page.locator('[data-proof="failed"]').count()).toBe(0);
      await page.getByRole('heading', { level: 2, name: 'Musyawarah terkait' }).waitFor();
      await expectAccessible(page, 'auditor timeline of a proposal');
      await screenshot(page, 'auditor-timeline');

      // A household by its KK number (in a POST body too), then its own timeline by id (an id may be in the URL).
      await page.getByLabel('Cari menurut').selectOption('kk');
      await page.getByLabel('Nomor KK (16 angka)').fill('3515140101090002');
      await page.getByRole('button', { name: 'Cari', exact: true }).click();
      await page.getByRole('heading', { level: 2, name: 'Rumah tangga yang ditemukan' }).waitFor();
      expect(page.url()).not.toContain('3515140101090002');
      await page.getByRole('link', { name: /Lihat riwayat rumah tangga Jl\. Fixture 2/ }).click();
      await page.getByRole('heading', { level: 2, name: 'Riwayat rumah tangga' }).waitFor();
      expect(page.url()).toContain(`/audit/riwayat/household/${householdId}`);
      const enrolled = page.locator('.timeline > li').filter({ hasText: 'Rumah tangga masuk registri' });
      await enrolled.locator('[data-proof="verified"]').waitFor();
      expect(await enrolled.innerText()).toContain(`entri ke-${enrolment.seq}`);
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the registry of the village as of a date and the changes between two dates', async () => {
    const { context, page } = await newPage(web, 'desktop');
    try {
      await signInThroughForm(page, auditor.username, PASSWORD);
      await page.goto('/#/audit/registri');
      await page.getByRole('heading', { level: 1, name: 'Registri desa pada tanggal tertentu' }).waitFor();
      await page.getByLabel('Kode desa/kelurahan').fill(VILLAGE);
      // Before anything was enrolled: an empty registry.
      await page.getByLabel('Per tanggal').fill('2020-01-01');
      await page.getByRole('button', { name: 'Tampilkan registri' }).click();
      await page.getByText('0 rumah tangga aktif, 0 anggota aktif.').waitFor();
      // Today (in Jakarta): the household enrolled by the baseline import.
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());
      const todayText = new Intl.DateTimeFormat('id-ID', { dateStyle: 'long', timeZone: 'Asia/Jakarta' }).format(
        new Date(`${today}T00:00:00Z`),
      );
      await page.getByLabel('Per tanggal').fill(today);
      await page.getByRole('button', { name: 'Tampilkan registri' }).click();
      await page.getByRole('heading', { level: 2, name: `Registri desa ${VILLAGE} per ${todayText}` }).waitFor();
      await page.getByText('1 rumah tangga aktif, 1 anggota aktif.').waitFor();
      const table = page.getByRole('table');
      expect(await table.innerText()).toContain('Warga Terdaftar');
      expect(await table.innerText()).toContain('Impor data awal');

      await page.getByRole('button', { name: 'Tampilkan perubahan' }).click();
      const heading = page.getByRole('heading', { level: 2, name: new RegExp(`Perubahan registri desa ${VILLAGE}`) });
      await heading.waitFor();
      expect(await heading.innerText()).toContain(`sampai ${todayText}`);
      const entered = page.locator('section[aria-labelledby="audit-entered"]');
      expect(await entered.innerText()).toContain('Masuk registri (1)');
      expect(await entered.innerText()).toContain('Warga Terdaftar');
      expect(await entered.innerText()).toContain('Rumah tangga masuk registri');
      await expectAccessible(page, 'auditor registry');
      await screenshot(page, 'auditor-registry');
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('checks an inclusion proof in the browser on a 360 px phone, and a tampered bundle fails', async () => {
    const bundle = (await request(web.t.server).get(`/audit/v1/events/${enrolment.eventId}/bundle`).expect(200))
      .body as Bundle;
    expect(bundle.checkpoint).not.toBeNull();
    const { context, page } = await newPage(web, 'phone');
    try {
      await page.goto('/#/verifikasi');
      await page.getByRole('heading', { level: 1, name: 'Verifikasi log audit' }).waitFor();
      await page.getByText(/entri, ditandatangani/).waitFor();
      expect(await page.locator('pre').first().innerText()).toContain(bundle.checkpoint!.rootHash);
      const signature = page.locator('[data-signature]');
      await signature.waitFor();
      // The checkpoint's Ed25519 signature, checked by the browser's WebCrypto against the log's verifier key.
      expect(await signature.getAttribute('data-signature')).toBe('valid');
      expect(await signature.innerText()).toContain('Tanda tangan checkpoint sah');

      await page.getByLabel('ID peristiwa').fill(enrolment.eventId);
      await page.getByRole('button', { name: 'Periksa bukti' }).click();
      const result = page.locator('[data-result]');
      await result.waitFor();
      expect(await result.getAttribute('data-result')).toBe('verified');
      expect(await result.innerText()).toContain(`entri ke-${enrolment.seq}`);
      await expectAccessible(page, 'public verify, verified (phone)');
      await screenshot(page, 'public-verify');
      // Nothing wider than the phone.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);

      // Something that is not a bundle is refused next to the bundle field.
      await page.getByLabel('Bundel bukti (JSON, tidak wajib)').fill('{"bukan": "bundel"}');
      await page.getByRole('button', { name: 'Periksa bukti' }).click();
      await page.getByText('Bundel bukti tidak dapat dibaca').waitFor();
      // The same bundle with one changed byte of the record: the browser's own hash no longer matches.
      const tampered = { ...bundle, record: bundle.record.replace('"HouseholdEnrolled"', '"HouseholdErased"') };
      expect(tampered.record).not.toBe(bundle.record);
      await page.getByLabel('Bundel bukti (JSON, tidak wajib)').fill(JSON.stringify(tampered));
      await page.getByRole('button', { name: 'Periksa bukti' }).click();
      await page.locator('[data-result="failed"]').waitFor();
      expect(await page.locator('[data-result]').innerText()).toContain('TIDAK terverifikasi');
      // A proof whose path was changed does not reach the signed root either.
      const badProof = { ...bundle, inclusionProof: (bundle.inclusionProof ?? []).map(() => 'A'.repeat(43) + '=') };
      await page.getByLabel('Bundel bukti (JSON, tidak wajib)').fill(JSON.stringify(badProof));
      await page.getByRole('button', { name: 'Periksa bukti' }).click();
      await page.locator('[data-result="failed"]', { hasText: 'bukti keterlibatan' }).waitFor();
      await expectAccessible(page, 'public verify, failed (phone)');
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
