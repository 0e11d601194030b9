/**
 * POST /add-checkpoint under fuzzed bodies (the witness is not part of the API, so the API's fuzz suite does not
 * reach it): random bytes and mutations of a valid request are refused with a 4xx, never a 5xx, never a
 * cosignature, and never move the witness's state.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  consistencyProof,
  generateKeyPair,
  leafHash,
  parseSignerKey,
  rootFromLeafHashes,
  signCheckpoint,
} from '@muskel/audit';
import { type RunningWitness, startWitness } from './witness-app';

const ORIGIN = 'fuzz.test/log';
const log = generateKeyPair(ORIGIN);
const leaves = Array.from({ length: 9 }, () => leafHash(randomBytes(8)));
const checkpoint = (size: number) =>
  signCheckpoint({ origin: ORIGIN, size, rootHash: rootFromLeafHashes(leaves.slice(0, size)), extensions: [] }, [
    parseSignerKey(log.signerKey),
  ]);
const body = (old: number, size: number) =>
  `old ${old}\n${consistencyProof(old, leaves.slice(0, size))
    .map((h) => `${h.toString('base64')}\n`)
    .join('')}\n${checkpoint(size)}`;

async function post(witness: RunningWitness, payload: Uint8Array | string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${witness.url}/add-checkpoint`, { method: 'POST', body: payload });
  return { status: response.status, text: await response.text() };
}

describe('add-checkpoint under fuzzed bodies', () => {
  let witness: RunningWitness;

  beforeAll(async () => {
    witness = await startWitness(
      { name: 'fuzz-witness.test', logs: [{ origin: ORIGIN, verifierKey: log.verifierKey }] },
      { port: 0, host: '127.0.0.1' },
    );
    expect((await post(witness, body(0, 5))).status).toBe(200);
  });

  afterAll(async () => {
    await witness?.close();
  });

  it('refuses every mutation of a valid request with a 4xx and keeps its state', async () => {
    const valid = Buffer.from(body(5, 9), 'utf8');
    const mutated = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      // One byte changed, or a slice removed, or bytes inserted somewhere in the valid request.
      fc
        .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }))
        .map(([at, xor]) => Buffer.from(valid.map((b, i) => (i === at ? b ^ xor : b)))),
      fc
        .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 40 }))
        .map(([at, length]) => Buffer.concat([valid.subarray(0, at), valid.subarray(at + length)])),
      fc
        .tuple(fc.nat({ max: valid.length }), fc.uint8Array({ minLength: 1, maxLength: 20 }))
        .map(([at, extra]) => Buffer.concat([valid.subarray(0, at), extra, valid.subarray(at)])),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async (payload) => {
        const answer = await post(witness, payload);
        // Every byte of the request is covered by the log's signature, the proof or strict parsing.
        expect([400, 403, 404, 409, 413, 422]).toContain(answer.status);
      }),
      { numRuns: 150 },
    );
    // Still at 5: nothing above moved it, and the valid request is still accepted.
    expect(await post(witness, body(0, 9))).toEqual({ status: 409, text: '5\n' });
    expect((await post(witness, valid)).status).toBe(200);
  });
});
