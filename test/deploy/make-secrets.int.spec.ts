/**
 * docker/make-secrets.sh writes every secret docker-compose.yml mounts, in a form the service accepts (read through
 * `<NAME>_FILE` by validateConfig), consistent between the services that share one (PostgreSQL and Redis passwords),
 * and keeps existing files when run again.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { validateConfig } from '@muskel/config';

const ROOT = path.resolve(__dirname, '../..');

describe('docker/make-secrets.sh', () => {
  let dir: string;
  const secret = (name: string) => fs.readFileSync(path.join(dir, 'secrets', name), 'utf8').replace(/\n$/, '');
  const run = () => execFileSync('sh', [path.join(dir, 'docker/make-secrets.sh')], { encoding: 'utf8' });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-secrets-'));
    fs.mkdirSync(path.join(dir, 'docker'));
    fs.copyFileSync(path.join(ROOT, 'docker/make-secrets.sh'), path.join(dir, 'docker/make-secrets.sh'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes every secret the compose file declares, readable by the containers, in a private directory', () => {
    run();
    const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      secrets: Record<string, { file: string }>;
    };
    const written = fs.readdirSync(path.join(dir, 'secrets')).sort();
    expect(written).toEqual(Object.keys(compose.secrets).sort());
    expect(fs.statSync(path.join(dir, 'secrets')).mode & 0o777).toBe(0o700);
    for (const name of written) expect(fs.statSync(path.join(dir, 'secrets', name)).mode & 0o777).toBe(0o644);
  });

  it('in a form the service accepts, each shared password the same on both sides', () => {
    const file = (name: string) => path.join(dir, 'secrets', name);
    const config = validateConfig({
      DATABASE_URL_FILE: file('database_url'),
      REDIS_URL_FILE: file('redis_url'),
      AUTH_TOKEN_SECRET_FILE: file('auth_token_secret'),
      METRICS_TOKEN_FILE: file('metrics_token'),
      PERSONAL_DATA_KEK_FILE: file('personal_data_kek'),
    });
    const database = new URL(config.DATABASE_URL!);
    expect([database.username, database.password, database.host, database.pathname]).toEqual([
      'muskel',
      secret('postgres_password'),
      'postgres:5432',
      '/muskel',
    ]);
    const redis = new URL(config.REDIS_URL);
    expect(`requirepass ${redis.password}`).toBe(secret('redis_conf'));
    expect(config.AUTH_TOKEN_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(config.METRICS_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(config.METRICS_TOKEN).not.toBe(config.AUTH_TOKEN_SECRET);
  });

  it('keeps existing secrets when run again, and replaces only a deleted one', () => {
    const before = secret('auth_token_secret');
    const password = secret('postgres_password');
    const metricsBefore = secret('metrics_token');
    fs.rmSync(path.join(dir, 'secrets', 'metrics_token'));
    const output = run();
    expect(output).toContain('secrets/metrics_token: written');
    expect(output).toContain('secrets/auth_token_secret: kept');
    expect(secret('auth_token_secret')).toBe(before);
    expect(secret('metrics_token')).not.toBe(metricsBefore);
    expect(secret('database_url')).toContain(`:${password}@`);
  });
});
