/**
 * The witness over real HTTP on both storages (PostgreSQL, PGlite in a directory): every add-checkpoint status code
 * of c2sp.org/tlog-witness (T26), no rollback when requests for N and N+K race (T27), and a restarted witness
 * still refusing an inconsistent checkpoint (T28).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import {
  consistencyProof,
  generateKeyPair,
  leafHash,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  rootFromLeafHashes,
  signCheckpoint,
} from '@muskel/audit';
import { type RunningWitness, startWitness } from './witness-app';
import type { WitnessLogConfig } from './witness-config';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LOG_A = 'log-a.test/audit/v1';
const LOG_B = 'log-b.test/audit/v1';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A log kept in memory: its key and leaves, and signed checkpoints of any prefix. */
class TestLog {
  readonly key: { signerKey: string; verifierKey: string };
  leaves: Buffer[] = [];
  constructor(readonly origin: string) {
    this.key = generateKeyPair(origin);
  }
  grow(count: number, leaves = this.leaves): Buffer[] {
    for (let i = 0; i < count; i++) leaves.push(leafHash(randomBytes(16)));
    return leaves;
  }
  checkpoint(size: number, leaves = this.leaves, signerKey = this.key.signerKey): string {
    const rootHash = rootFromLeafHashes(leaves.slice(0, size));
    return signCheckpoint({ origin: this.origin, size, rootHash, extensions: [] }, [parseSignerKey(signerKey)]);
  }
  proof(from: number, to: number, leaves = this.leaves): Buffer[] {
    return consistencyProof(from, leaves.slice(0, to));
  }
}

function requestBody(old: number | string, proof: readonly Buffer[], note: string): string {
  return `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

async function post(witness: RunningWitness, body: string | Buffer): Promise<Answer> {
  const response = await fetch(`${witness.url}/add-checkpoint`, { method: 'POST', body });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

async function addCheckpoint(
  witness: RunningWitness,
  log: TestLog,
  old: number,
  size: number,
  leaves = log.leaves,
): Promise<Answer> {
  const proof = old === 0 || old === size ? [] : log.proof(old, size, leaves);
  return post(witness, requestBody(old, proof, log.checkpoint(size, leaves)));
}

/** The size the witness holds for a log, as its 409 answer to `old 0` tells (or 0 when it accepts `old 0`). */
async function heldSize(witness: RunningWitness, log: TestLog): Promise<number> {
  const answer = await post(witness, requestBody(0, [], log.checkpoint(log.leaves.length)));
  if (answer.status === 409) return Number(answer.text);
  throw new Error(`expected a 409, got ${answer.status}: ${answer.text}`);
}

interface Storage {
  databaseUrl?: string;
  dataDir?: string;
  cleanup(): Promise<void>;
}

describe.each([
  [
    'PostgreSQL',
    async (): Promise<Storage> => {
      const name = `muskel_witness_${randomBytes(6).toString('hex')}`;
      await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
      const url = new URL(SERVER_URL);
      url.pathname = `/${name}`;
      return { databaseUrl: url.toString(), cleanup: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
    },
  ],
  [
    'PGlite',
    (): Promise<Storage> => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-witness-'));
      const cleanup = () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true }));
      return Promise.resolve({ dataDir: dir, cleanup });
    },
  ],
] as const)('witness on %s', (_kind, openStorage) => {
  const logA = new TestLog(LOG_A);
  const logB = new TestLog(LOG_B);
  const logs: WitnessLogConfig[] = [
    { origin: LOG_A, verifierKey: logA.key.verifierKey },
    { origin: LOG_B, verifierKey: logB.key.verifierKey },
  ];
  let storage: Storage;
  let witness: RunningWitness;
  const start = () =>
    startWitness(
      { name: 'witness-1.test', logs, databaseUrl: storage.databaseUrl, dataDir: storage.dataDir },
      { port: 0, host: '127.0.0.1' },
    );

  beforeAll(async () => {
    storage = await openStorage();
    witness = await start();
  });

  afterAll(async () => {
    await witness?.close();
    await storage?.cleanup();
  });

  it('publishes its cosignature/v1 verifier key', async () => {
    const response = await fetch(`${witness.url}/verifier-key`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { name: string; verifierKey: string };
    expect(body).toEqual({ name: 'witness-1.test', verifierKey: witness.verifierKey });
    expect(Buffer.from(body.verifierKey.split('+')[2]!, 'base64')[0]).toBe(0x04);
  });

  it('T26: answers every add-checkpoint status of the spec', async () => {
    logA.grow(5);
    // 200: the first checkpoint from size 0, with a cosignature that verifies under the published key.
    const first = await addCheckpoint(witness, logA, 0, 5);
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/^\u2014 witness-1\.test \S+\n$/u);
    const cosigned = openCheckpoint(logA.checkpoint(5) + first.text, [parseVerifierKey(witness.verifierKey)], LOG_A);
    expect(cosigned.verified.map((s) => s.name)).toEqual(['witness-1.test']);

    // 409: the old size is not what the witness holds; the body says what it holds.
    logA.grow(3);
    const stale = await addCheckpoint(witness, logA, 0, 8);
    expect(stale).toEqual({ status: 409, contentType: 'text/x.tlog.size', text: '5\n' });
    expect((await addCheckpoint(witness, logA, 4, 8)).text).toBe('5\n');

    // 404: a log this witness does not follow.
    const stranger = new TestLog('stranger.test/log');
    stranger.grow(2);
    expect((await addCheckpoint(witness, stranger, 0, 2)).status).toBe(404);

    // 403: signed by another key under the log's name; a known key's signature altered.
    const impostor = generateKeyPair(LOG_A);
    expect(
      (await post(witness, requestBody(5, logA.proof(5, 8), logA.checkpoint(8, logA.leaves, impostor.signerKey))))
        .status,
    ).toBe(403);
    const note = logA.checkpoint(8);
    const lastLine = note.slice(note.lastIndexOf('\u2014'));
    const signature = Buffer.from(lastLine.split(' ')[2]!.trim(), 'base64');
    signature[10] = signature[10]! ^ 1;
    const altered = note.replace(lastLine, `\u2014 ${LOG_A} ${signature.toString('base64')}\n`);
    expect((await post(witness, requestBody(5, logA.proof(5, 8), altered))).status).toBe(403);

    // 400: malformed bodies, and an old size above the checkpoint's.
    for (const body of [
      'garbage',
      requestBody('05', logA.proof(5, 8), note),
      requestBody('-1', [], note),
      requestBody(5, [], note).replace('\n\n', '\nnot-base64!\n\n'),
      requestBody(5, logA.proof(5, 8), 'origin\nnot a checkpoint\n'),
      requestBody(
        5,
        Array.from({ length: 64 }, () => randomBytes(32)),
        note,
      ),
      Buffer.concat([Buffer.from('old 5\n\n'), Buffer.from([0xff, 0xfe])]),
    ]) {
      expect((await post(witness, body)).status).toBe(400);
    }
    expect((await post(witness, requestBody(9, [randomBytes(32)], note))).status).toBe(400);

    // 422: a consistency proof that does not verify.
    const badProof = logA.proof(5, 8);
    badProof[0] = Buffer.from(badProof[0]!);
    badProof[0][0] = badProof[0][0]! ^ 1;
    expect((await post(witness, requestBody(5, badProof, note))).status).toBe(422);
    // 422: the same size with a different root (a fork at the held size).
    const fork = logA.leaves.slice(0, 4);
    logA.grow(1, fork);
    expect((await addCheckpoint(witness, logA, 5, 5, fork)).status).toBe(422);
    // 422: a proof line from size 0, and a checkpoint of size 0 whose root is not the empty root.
    expect((await post(witness, requestBody(0, [randomBytes(32)], logB.checkpoint(0)))).status).toBe(422);
    const fakeEmpty = signCheckpoint({ origin: LOG_B, size: 0, rootHash: randomBytes(32), extensions: [] }, [
      parseSignerKey(logB.key.signerKey),
    ]);
    expect((await post(witness, requestBody(0, [], fakeEmpty))).status).toBe(422);
    expect((await addCheckpoint(witness, logB, 0, 0)).status).toBe(200); // the true empty tree is fine

    // None of the refusals moved the state; the valid extension does.
    expect(await heldSize(witness, logA)).toBe(5);
    expect((await addCheckpoint(witness, logA, 5, 5)).status).toBe(200); // the same checkpoint again
    const extended = await addCheckpoint(witness, logA, 5, 8);
    expect(extended.status).toBe(200);
    expect(await heldSize(witness, logA)).toBe(8);
    // Other routes and methods.
    expect((await fetch(`${witness.url}/add-checkpoint`)).status).toBe(405);
    expect((await fetch(`${witness.url}/nothing`)).status).toBe(404);
    expect((await post(witness, Buffer.alloc(70 * 1024, 'a'))).status).toBe(413);
  });

  it('T27: racing requests for N and N+K never roll the stored size back', async () => {
    let held = await heldSize(witness, logA);
    for (let round = 0; round < 12; round++) {
      const k = 1 + (round % 4);
      logA.grow(1 + k);
      const n = held + 1;
      // Alternate which request leaves first.
      const [small, large] =
        round % 2 === 0
          ? await Promise.all([addCheckpoint(witness, logA, held, n), addCheckpoint(witness, logA, held, n + k)])
          : (
              await Promise.all([addCheckpoint(witness, logA, held, n + k), addCheckpoint(witness, logA, held, n)])
            ).reverse();
      const statuses = [small!.status, large!.status].sort();
      // Both started from the same held size, so exactly one wins; the other learns the winner's size.
      expect(statuses).toEqual([200, 409]);
      const winner = small!.status === 200 ? n : n + k;
      const loser = small!.status === 200 ? large! : small!;
      expect(loser).toEqual({ status: 409, contentType: 'text/x.tlog.size', text: `${winner}\n` });
      const now = await heldSize(witness, logA);
      expect(now).toBe(winner);
      expect(now).toBeGreaterThan(held);
      held = now;
    }
    // Bring the witness to the full log for the next test.
    expect((await addCheckpoint(witness, logA, held, logA.leaves.length)).status).toBe(200);
  });

  it('T28: a restarted witness keeps its key and state and still refuses an inconsistent checkpoint', async () => {
    const held = await heldSize(witness, logA);
    expect(held).toBe(logA.leaves.length);
    const key = witness.verifierKey;
    await witness.close();
    witness = await start(); // a new instance on the same storage

    expect(witness.verifierKey).toBe(key);
    expect(await heldSize(witness, logA)).toBe(held);
    // A fork: the same first held-1 leaves, then different ones, extended past the held size.
    const fork = logA.leaves.slice(0, held - 1);
    logA.grow(4, fork);
    expect((await addCheckpoint(witness, logA, held, held + 3, fork)).status).toBe(422);
    expect((await addCheckpoint(witness, logA, held - 1, held + 3, fork)).text).toBe(`${held}\n`);
    expect((await addCheckpoint(witness, logA, 0, held + 3, fork)).status).toBe(409);
    // The true log still extends.
    logA.grow(2);
    const next = await addCheckpoint(witness, logA, held, held + 2);
    expect(next.status).toBe(200);
    expect(openCheckpoint(logA.checkpoint(held + 2) + next.text, [parseVerifierKey(key)]).verified).toHaveLength(1);
  });
});
