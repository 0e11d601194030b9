import { hashPassword, verifyPassword } from './password-hasher';
import { passwordProblem } from './password-policy';

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('kopi-tubruk-di-pagi-hari');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain('kopi');
    await expect(verifyPassword('kopi-tubruk-di-pagi-hari', hash)).resolves.toBe(true);
    await expect(verifyPassword('kopi-tubruk-di-pagi-hari!', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('sama-sama-saja-123'), hashPassword('sama-sama-saja-123')]);
    expect(a).not.toBe(b);
  });

  it('treats a malformed stored hash as a wrong password', async () => {
    await expect(verifyPassword('anything-at-all', 'md5$abc')).resolves.toBe(false);
    await expect(verifyPassword('anything-at-all', '')).resolves.toBe(false);
  });
});

describe('password policy', () => {
  it.each([
    ['short1!', 'TOO_SHORT'],
    ['x'.repeat(257), 'TOO_LONG'],
    ['password123', 'TOO_COMMON'],
    ['Qwertyuiop', 'TOO_COMMON'],
    ['bismillah123', 'TOO_COMMON'],
    ['123456789012', 'TOO_COMMON'],
    ['ani.lestari-rahasia-2026', 'CONTAINS_USERNAME'],
  ])('refuses %j as %s', (password, problem) => {
    expect(passwordProblem(password, 'ani.lestari')).toBe(problem);
  });

  it('accepts a long uncommon passphrase', () => {
    expect(passwordProblem('sawah hijau di lereng merapi', 'ani.lestari')).toBeUndefined();
  });
});
