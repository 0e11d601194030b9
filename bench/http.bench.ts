/**
 * HTTP command throughput (part of `npm run bench`): POST /proposals (submit an ADD proposal) at 16 connections
 * with autocannon against the built API on PostgreSQL (MUSKEL_ROLE=api, so only the API runs in that process), and
 * beside it the event store alone: 16 writers appending the same one-event commit, no HTTP, no auth, no decider.
 * Target: at least 800 commands/s. It reports and never fails on a missed target.
 *
 * Needs `nest build api` first (the `bench` script does it). Environment: BENCH_DATABASE_URL (or TEST_DATABASE_URL),
 * default postgres://postgres@127.0.0.1:5432/test; BENCH_HTTP_SECONDS (default 10); BENCH_API_ARGS: Node flags for the
 * API's process, space-separated (`--cpu-prof --cpu-prof-dir=prof` profiles it: Node refuses those in NODE_OPTIONS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { validateConfig } from '@muskel/config';
import { createPostgresEventStore } from '@muskel/event-store';
import { createAdmin } from '../apps/cli/src/create-admin';

const SERVER_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = 16;
export const HTTP_TARGET = 800;
const VILLAGE = '3515142001';
const PASSWORD = 'bench passphrase lereng merapi 7';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function waitForHealth(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error('the API did not become healthy within 60 s');
}

async function json(base: string, route: string, body: object, tokenValue?: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(tokenValue ? { authorization: `Bearer ${tokenValue}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

const proposalBody = JSON.stringify({
  kind: 'ADD',
  villageCode: VILLAGE,
  channel: 'RT_RW',
  household: {
    address: 'Jl. Bench 1',
    rt: '001',
    rw: '002',
    kkNumber: '3515140101090001',
    members: [
      { nik: '3515140508680001', name: 'Warga Bench', sex: 'M', birthDate: '1968-08-05', relationship: 'HEAD' },
    ],
  },
});

function cannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error: unknown, result) =>
      error
        ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }))
        : resolve(result),
    );
  });
}

/** The event store alone: 16 writers, each appending one-event commits to new streams, for `ms`. */
async function storeOnlyRate(url: string, ms: number): Promise<number> {
  const store = await createPostgresEventStore({ connectionString: url, poolSize: CONNECTIONS + 1 });
  await store.init();
  try {
    const payload = JSON.parse(proposalBody) as Record<string, never>;
    let count = 0;
    const until = Date.now() + ms;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < until) {
          const id = randomUUID();
          await store.appendToStream(
            `benchproposal-${id}`,
            [{ id: randomUUID(), type: 'ProposalSubmitted', data: payload }],
            {
              expected: 'no_stream',
            },
          );
          count += 1;
        }
      }),
    );
    return count / (ms / 1000);
  } finally {
    await store.close();
  }
}

export async function benchHttpCommands(): Promise<{ commandsPerSecond: number; storeOnlyPerSecond: number }> {
  const database = `muskel_bench_http_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8'`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  try {
    await createAdmin(validateConfig({ DATABASE_URL: databaseUrl }), {
      username: 'bench.admin',
      displayName: 'Bench',
      password: PASSWORD,
    });
    const nodeArgs = (process.env.BENCH_API_ARGS ?? '').split(' ').filter((arg) => arg !== '');
    child = spawn(process.execPath, [...nodeArgs, path.resolve(__dirname, '../dist/apps/api/main.js')], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, MUSKEL_ROLE: 'api', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForHealth(base, child);
    const adminToken = (await json(base, '/auth/login', { username: 'bench.admin', password: PASSWORD }))
      .accessToken as string;
    await json(
      base,
      '/users',
      {
        username: 'bench.operator',
        displayName: 'Operator Bench',
        homeRegion: VILLAGE,
        password: PASSWORD,
        grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
      },
      adminToken,
    );
    const operatorToken = (await json(base, '/auth/login', { username: 'bench.operator', password: PASSWORD }))
      .accessToken as string;
    const request = {
      url: `${base}/proposals`,
      method: 'POST' as const,
      connections: CONNECTIONS,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` },
      body: proposalBody,
    };
    await cannon({ ...request, duration: 3 }); // warm-up: JIT, pools, caches
    const result = await cannon({ ...request, duration: SECONDS });
    const ok = result['2xx'];
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${result.non2xx} answers were not 2xx and ${result.errors} requests failed`);
    }
    const commandsPerSecond = ok / SECONDS;
    const storeOnlyPerSecond = await storeOnlyRate(databaseUrl, 5_000);
    return { commandsPerSecond, storeOnlyPerSecond };
  } finally {
    if (child && child.exitCode === null) {
      // Until it has shut down (a profile is written then), at most 10 s.
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
    }
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  }
}

if (require.main === module) {
  benchHttpCommands()
    .then(({ commandsPerSecond, storeOnlyPerSecond }) => {
      const mark = commandsPerSecond >= HTTP_TARGET ? 'met' : 'MISSED';
      process.stdout.write(
        `HTTP submit-proposal at ${CONNECTIONS} connections (PostgreSQL): ${Math.round(commandsPerSecond)} commands/s ` +
          `(target ≥ ${HTTP_TARGET}: ${mark}); event store alone: ${Math.round(storeOnlyPerSecond)} appends/s\n`,
      );
    })
    .catch((error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
