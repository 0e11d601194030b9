/**
 * The public board in the browser, without signing in: a visitor picks a village and month and sees the counts
 * as charts and a table, the meeting dates and the latest signed checkpoint, in Indonesian, on a phone and on a
 * desktop, with no serious accessibility violation and nothing that identifies a person.
 */
import request from 'supertest';
import { bearer, eventually, openSession, seedUser } from '../support/access-app';
import { WorkflowFixtures } from '../support/workflow-fixtures';
import { expectAccessible, newPage, pageErrors, screenshot, startWebApp, type WebApp } from './support/browser';

const VILLAGE = '3515142001';

/** The current month in Jakarta, as the board's period. */
const jakartaPeriod = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 7);

describe('web: public board (papan transparansi)', () => {
  let web: WebApp;
  let period: string;

  beforeAll(async () => {
    web = await startWebApp({ logLevel: 'warn' });
    const fixtures = new WorkflowFixtures(web.t.store);
    await fixtures.waitingProposal(VILLAGE);
    await fixtures.decidedMeeting(VILLAGE);
    period = jakartaPeriod();
    await eventually(async () => {
      const board = (await request(web.t.server).get(`/public/villages/${VILLAGE}/board?period=${period}`).expect(200))
        .body as { byKind: Record<string, number> };
      return board.byKind.ADD === 2 ? board : undefined;
    }, 60_000);
    const auditor = await seedUser(web.t, { homeRegion: 'NATIONAL', grants: [{ role: 'AUDITOR', scope: 'NATIONAL' }] });
    const { accessToken } = await openSession(web.t, auditor.userId);
    await eventually(async () => {
      const signed = await request(web.t.server)
        .post('/audit/v1/checkpoints')
        .set('Authorization', bearer(accessToken));
      return signed.status === 201 ? signed : undefined;
    }, 60_000);
  }, 180_000);

  afterAll(async () => {
    await web?.close();
  });

  it.each(['phone', 'desktop'] as const)('shows the month of a village on a %s, accessible', async (viewport) => {
    const { context, page } = await newPage(web, viewport);
    try {
      await page.goto('/#/papan');
      await page.getByRole('heading', { level: 1, name: 'Papan transparansi musyawarah' }).waitFor();
      await page.getByLabel('Kode desa/kelurahan').fill('35151');
      await page.getByRole('button', { name: 'Tampilkan' }).click();
      await page.getByText('Kode desa/kelurahan terdiri dari 10 angka.').waitFor();
      await expectAccessible(page, `board form with an error (${viewport})`);

      await page.getByLabel('Kode desa/kelurahan').fill(VILLAGE);
      await page.getByLabel('Bulan').fill(period);
      await page.getByRole('button', { name: 'Tampilkan' }).click();
      await page.getByRole('heading', { level: 2, name: new RegExp(`Desa/kelurahan ${VILLAGE}`) }).waitFor();
      const kinds = page.getByRole('figure').filter({ hasText: 'Usulan menurut jenis' });
      expect(await kinds.locator('li').filter({ hasText: 'Penambahan' }).innerText()).toMatch(/Penambahan\s+2/);
      await page.getByText(/entri, ditandatangani/).waitFor();
      const table = page.getByRole('table').first();
      expect(await table.innerText()).toContain('Penambahan');
      // No personal data: the fixture's name and digits of a NIK never reach the page.
      const text = await page.locator('main').innerText();
      expect(text).not.toContain('Warga Fiktif');
      expect(text).not.toMatch(/\d{16}/);
      await expectAccessible(page, `board (${viewport})`);
      await screenshot(page, `public-board-${viewport}`);
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('welcomes a visitor on the home page and says so plainly for a missing page, accessible', async () => {
    const { context, page } = await newPage(web, 'phone');
    try {
      await page.goto('/');
      await page.getByRole('heading', { level: 1, name: 'Muskel' }).waitFor();
      expect(await page.getByRole('link', { name: 'Masuk' }).count()).toBeGreaterThan(0);
      await expectAccessible(page, 'home (anonymous, phone)');
      await page.goto('/#/tidak-ada');
      await page.getByRole('heading', { level: 1, name: 'Halaman tidak ditemukan' }).waitFor();
      await expectAccessible(page, 'page not found (phone)');
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('opens straight from a link with the village and month in it', async () => {
    const { context, page } = await newPage(web, 'phone');
    try {
      await page.goto(`/#/papan/${VILLAGE}/${period}`);
      await page.getByRole('heading', { level: 2, name: new RegExp(VILLAGE) }).waitFor();
      expect(await page.getByLabel('Kode desa/kelurahan').inputValue()).toBe(VILLAGE);
    } finally {
      await context.close();
    }
  });
});
