import { randomBytes } from 'node:crypto';
import { validateConfig } from './index';

describe('PERSONAL_DATA_KEK', () => {
  it('is optional (generated and kept in the database when unset)', () => {
    expect(validateConfig({}).PERSONAL_DATA_KEK).toBeUndefined();
  });

  it('takes 32 bytes as base64 or as 64 hex digits', () => {
    const key = randomBytes(32);
    expect(validateConfig({ PERSONAL_DATA_KEK: key.toString('base64') }).PERSONAL_DATA_KEK).toBe(
      key.toString('base64'),
    );
    expect(validateConfig({ PERSONAL_DATA_KEK: key.toString('hex') }).PERSONAL_DATA_KEK).toBe(key.toString('hex'));
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('base64')],
    ['not base64', 'this-is-not-a-key-but-a-secret-like-string!!'],
  ])('refuses a key %s, naming the variable and never echoing the value', (_what, value) => {
    expect(() => validateConfig({ PERSONAL_DATA_KEK: value })).toThrow(/PERSONAL_DATA_KEK must be a 256-bit key/);
    let message = '';
    try {
      validateConfig({ PERSONAL_DATA_KEK: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain(value);
  });
});
