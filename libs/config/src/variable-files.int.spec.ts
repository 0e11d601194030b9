/** `<NAME>_FILE`: secrets given as files (Compose secrets under /run/secrets), read by validateConfig. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigValidationError, FILE_VARIABLES, validateConfig } from './index';

describe('validateConfig with <NAME>_FILE', () => {
  let dir: string;
  const file = (name: string, content: string): string => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, content);
    return target;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-config-files-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads each secret from its file, dropping the trailing newline', () => {
    const config = validateConfig({
      DATABASE_URL_FILE: file('database_url', 'postgres://muskel:s3cret@postgres:5432/muskel\n'),
      AUTH_TOKEN_SECRET_FILE: file('auth', `${'k'.repeat(48)}\n`),
      METRICS_TOKEN_FILE: file('metrics', 'm'.repeat(40)),
    });
    expect(config.DATABASE_URL).toBe('postgres://muskel:s3cret@postgres:5432/muskel');
    expect(config.AUTH_TOKEN_SECRET).toBe('k'.repeat(48));
    expect(config.METRICS_TOKEN).toBe('m'.repeat(40));
    expect(FILE_VARIABLES).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'AUTH_TOKEN_SECRET', 'AUDIT_SIGNER_KEY', 'METRICS_TOKEN']),
    );
  });

  it('refuses a variable given both ways, an unreadable file, and a short token, echoing no secret', () => {
    let error: unknown;
    try {
      validateConfig({
        AUTH_TOKEN_SECRET: 'x'.repeat(40),
        AUTH_TOKEN_SECRET_FILE: file('auth-again', 'y'.repeat(40)),
        DATABASE_URL_FILE: path.join(dir, 'missing'),
        METRICS_TOKEN_FILE: file('short-metrics', 'too-short-token'),
        PORT: 'abc',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const { message, problems } = error as ConfigValidationError;
    expect(problems.map((p) => p.variable)).toEqual(['DATABASE_URL', 'AUTH_TOKEN_SECRET', 'PORT', 'METRICS_TOKEN']);
    expect(message).toContain('AUTH_TOKEN_SECRET and AUTH_TOKEN_SECRET_FILE are both set: set one of them');
    expect(message).toContain('DATABASE_URL_FILE must name a readable file');
    expect(message).toContain('METRICS_TOKEN must be at least 32 characters');
    expect(message).not.toContain('too-short-token');
    expect(message).not.toContain('x'.repeat(40));
  });

  it('ignores an empty <NAME>_FILE, as it ignores any empty value', () => {
    expect(validateConfig({ METRICS_TOKEN_FILE: '' }).METRICS_TOKEN).toBeUndefined();
  });
});
