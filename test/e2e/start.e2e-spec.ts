/**
 * The real start path: `npm run build`, then `node dist/apps/api/main.js` as a child process (what `npm start`
 * runs), on the embedded PGlite; and a bad configuration stopping the process with a message naming the variable.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isolatedJobsEnv, removeRedisKeys } from './support/redis-keys';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/apps/api/main.js');

/** The environment of the child: the parent's without anything of ours (or Jest's) that would change the result. */
function childEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'PORT',
    'DATABASE_URL',
    'MUSKEL_DATA_DIR',
    'REDIS_URL',
    'MUSKEL_ROLE',
    'LOG_LEVEL',
    'NODE_OPTIONS',
  ]) {
    delete env[name];
  }
  return { ...env, NODE_ENV: 'production', ...JOBS_ENV, ...overrides };
}

/** The started service's jobs go under a prefix of this test's own, removed from Redis afterwards. */
const JOBS_ENV = isolatedJobsEnv();

afterAll(async () => {
  await removeRedisKeys(JOBS_ENV.JOBS_PREFIX);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  await new Promise<void>((resolve, reject) => {
    execFile('npm', ['run', 'build'], { cwd: ROOT, env: childEnv({}) }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm run build failed:\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
  expect(fs.existsSync(MAIN)).toBe(true);
}, 180_000);

describe('node dist/apps/api/main.js', () => {
  it('refuses a bad configuration, naming the variable, with a non-zero exit code', async () => {
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: childEnv({ PORT: 'abc', MUSKEL_ROLE: 'boss' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = await withTimeout(exitOf(child), 20_000, 'exit after a bad configuration');
    expect(exit).toEqual({ code: 1, signal: null });
    expect(stderr).toContain('PORT must be an integer from 1 to 65535 (got "abc")');
    expect(stderr).toContain('MUSKEL_ROLE must be one of all, api, worker (got "boss")');
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  describe('started on PGlite', () => {
    let dataDir: string;
    let child: ChildProcess | undefined;
    let stdout = '';
    let stderr = '';

    beforeAll(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-start-'));
    });

    afterAll(() => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves GET /health, then exits cleanly on SIGTERM', async () => {
      const port = await freePort();
      child = spawn(process.execPath, [MAIN], {
        cwd: ROOT,
        env: childEnv({ PORT: String(port), MUSKEL_DATA_DIR: dataDir, LOG_LEVEL: 'info' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = exitOf(child);

      // The first start runs PGlite's initdb (a few seconds).
      const deadline = Date.now() + 60_000;
      let body: unknown;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`the API exited early:\n${stdout}\n${stderr}`);
        try {
          const response = await fetch(`http://127.0.0.1:${port}/health`);
          if (response.status === 200) {
            body = await response.json();
            break;
          }
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(body).toMatchObject({ status: 'ok', info: { eventStore: { status: 'up', kind: 'pglite' } } });
      // The start-up line is written once listen() has returned, which may come a moment after the first answer.
      const line = `listening on http://localhost:${port} (event store: pglite`;
      for (let waited = 0; !stdout.includes(line) && waited < 10_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(stdout).toContain(line);

      child.kill('SIGTERM');
      const exit = await withTimeout(exited, 15_000, 'exit after SIGTERM');
      expect({ exit, stderr }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
      expect(stdout).toContain('pglite event store closed');
      // Every line on stdout is a JSON log record.
      const lines = stdout.split('\n').filter((line) => line.trim() !== '');
      expect(lines.filter((line) => !line.startsWith('{'))).toEqual([]);
    }, 90_000);
  });
});
