/**
 * The administrator's pages in the browser: create a user (a weak password is refused next to its field), give them
 * a role in a village, create an API token (shown once, and it works) and revoke it (it stops working); each change
 * is asserted through the API as well. The users page passes axe on a desktop and on a 360 px phone.
 */
import request from 'supertest';
import { bearer, eventually, openSession, seedUser, signIn } from '../support/access-app';
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
const PASSWORD = 'Sandi-Admin-Kuat-2026!';
const NEW_USER = 'operator.sukamaju';

interface UserSummary {
  userId: string;
  username: string;
  status: string;
  grants: { role: string; scope: string }[];
}

describe('web: administrator pages', () => {
  let web: WebApp;
  let admin: { username: string; userId: string };
  let token: string;

  const get = (path: string) => request(web.t.server).get(path).set('Authorization', bearer(token));

  beforeAll(async () => {
    web = await startWebApp({ logLevel: 'warn' });
    admin = await seedUser(web.t, {
      homeRegion: 'NATIONAL',
      grants: [{ role: 'ADMIN', scope: 'NATIONAL' }],
      password: PASSWORD,
    });
    token = (await openSession(web.t, admin.userId)).accessToken;
  }, 180_000);

  afterAll(async () => {
    await web?.close();
  });

  it('creates a user, grants and revokes a role, resets the password, disables and enables, manages API tokens', async () => {
    const { context, page } = await newPage(web, 'desktop');
    try {
      await signInThroughForm(page, admin.username, PASSWORD);
      await page.getByRole('link', { name: 'Administrasi', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Administrasi pengguna' }).waitFor();
      // The admin themself is listed.
      await page.getByRole('link', { name: admin.username, exact: true }).waitFor();

      await page.getByLabel('Nama pengguna', { exact: true }).fill(NEW_USER);
      await page.getByLabel('Nama lengkap', { exact: true }).fill('Operator Desa Sukamaju');
      await page.getByLabel('Wilayah asal', { exact: true }).fill(VILLAGE);
      await page.getByLabel('Kata sandi awal', { exact: true }).fill('abc');
      await page.getByRole('button', { name: 'Tambah pengguna', exact: true }).click();
      // The server's password rule, in Indonesian, next to the password field.
      await page.getByText('Kata sandi terlalu pendek.').waitFor();
      await page.getByLabel('Kata sandi awal', { exact: true }).fill('Sandi-Operator-Kuat-2026!');
      await page.getByRole('button', { name: 'Tambah pengguna', exact: true }).click();
      await page.getByText(`Pengguna ${NEW_USER} ditambahkan.`).waitFor();

      const created = await eventually(async () => {
        const list = (await get(`/users?region=${VILLAGE}`).expect(200)).body as { items: UserSummary[] };
        return list.items.find((user) => user.username === NEW_USER);
      }, 30_000);
      expect(created).toMatchObject({ status: 'active', grants: [] });

      await page.getByRole('button', { name: 'Tampilkan', exact: true }).click();
      await page.getByRole('link', { name: NEW_USER, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: `Pengguna ${NEW_USER}` }).waitFor();
      await page.getByText('Pengguna ini belum memiliki peran.').waitFor();

      // A role in the village.
      await page.getByLabel('Peran', { exact: true }).selectOption('VILLAGE_OPERATOR');
      await page.getByLabel('Wilayah', { exact: true }).fill(VILLAGE);
      await page.getByRole('button', { name: 'Beri peran', exact: true }).click();
      await page.getByText('Peran diberikan.').waitFor();
      await page.getByText(`Operator desa/kelurahan di ${VILLAGE}`).waitFor();
      const detail = (await get(`/users/${created.userId}`).expect(200)).body as UserSummary;
      expect(detail.grants).toEqual([expect.objectContaining({ role: 'VILLAGE_OPERATOR', scope: VILLAGE })]);

      // An API token: its secret is shown once, and it acts as the user.
      await page.getByLabel('Nama token', { exact: true }).fill('siks-ng-sync');
      await page.getByRole('button', { name: 'Buat token', exact: true }).click();
      const secret = page.locator('code[data-token-name="siks-ng-sync"]');
      await secret.waitFor();
      const apiToken = await secret.innerText();
      expect(apiToken).toMatch(/^mkt_/);
      await request(web.t.server).get('/me').set('Authorization', bearer(apiToken)).expect(200);
      const tokens = (await get(`/users/${created.userId}/api-tokens`).expect(200)).body as {
        name: string;
        revokedAt: string | null;
      }[];
      expect(tokens).toEqual([expect.objectContaining({ name: 'siks-ng-sync', revokedAt: null })]);
      await expectAccessible(page, 'admin user page');

      await page.getByRole('button', { name: 'Cabut token siks-ng-sync' }).click();
      await page.getByText('Token dicabut.').waitFor();
      await page.getByText(/Dicabut /).waitFor();
      const revoked = (await get(`/users/${created.userId}/api-tokens`).expect(200)).body as {
        revokedAt: string | null;
      }[];
      expect(revoked[0]!.revokedAt).not.toBeNull();
      await request(web.t.server).get('/me').set('Authorization', bearer(apiToken)).expect(401);

      // A new password set by the administrator: the user signs in with it.
      await page.getByLabel('Kata sandi baru', { exact: true }).fill('Sandi-Baru-Operator-2026!');
      await page.getByRole('button', { name: 'Atur ulang kata sandi', exact: true }).click();
      await page.getByText('Kata sandi diatur ulang.', { exact: false }).waitFor();
      await expect(signIn(web.t, NEW_USER, 'Sandi-Baru-Operator-2026!')).resolves.toHaveProperty('accessToken');

      // Disable the account (a reason is required and recorded), then enable it again.
      await page.getByRole('button', { name: 'Nonaktifkan akun', exact: true }).click();
      await page.getByText('Wajib diisi.').waitFor();
      await page.getByLabel('Alasan', { exact: true }).fill('Pindah tugas');
      await page.getByRole('button', { name: 'Nonaktifkan akun', exact: true }).click();
      await page.getByText('Akun dinonaktifkan.').waitFor();
      expect(((await get(`/users/${created.userId}`).expect(200)).body as UserSummary).status).toBe('disabled');
      await page.getByRole('button', { name: 'Aktifkan kembali akun', exact: true }).click();
      await page.getByText('Akun diaktifkan kembali.').waitFor();
      expect(((await get(`/users/${created.userId}`).expect(200)).body as UserSummary).status).toBe('active');

      // Revoke the role (the reason given above is reused and recorded).
      await page.getByRole('button', { name: `Cabut peran Operator desa/kelurahan di ${VILLAGE}` }).click();
      await page.getByText('Peran dicabut.').waitFor();
      await page.getByText('Pengguna ini belum memiliki peran.').waitFor();
      expect(((await get(`/users/${created.userId}`).expect(200)).body as UserSummary).grants).toEqual([]);
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.each(['desktop', 'phone'] as const)('lists the users on a %s, accessible', async (viewport) => {
    const { context, page } = await newPage(web, viewport);
    try {
      await signInThroughForm(page, admin.username, PASSWORD);
      await page.goto('/#/admin');
      await page.getByRole('heading', { level: 1, name: 'Administrasi pengguna' }).waitFor();
      await page.getByRole('link', { name: admin.username, exact: true }).waitFor();
      await page.getByLabel('Nama atau nama pengguna').fill('tidak-ada-yang-begini');
      await page.getByText('0 pengguna ditampilkan.').waitFor();
      await page.getByLabel('Nama atau nama pengguna').fill('');
      await expectAccessible(page, `admin users (${viewport})`);
      if (viewport === 'phone') {
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      } else {
        await screenshot(page, 'admin-users');
      }
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
