/**
 * WitnessClient against scripted witness answers (the real HTTP path is in apps/witness/src/witnessed-log.int.spec.ts):
 * configuration checks, the one retry after 409, which answers count as cosignatures, timeouts, best effort at
 * quorum 0, and how AUDIT_QUORUM_NOT_MET reaches the API.
 */
import { randomBytes } from 'node:crypto';
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  generateKeyPair,
  parseNote,
  parseSignerKey,
  signCheckpoint,
  signNote,
} from '@muskel/audit';
import { resolveProblem } from '@muskel/http';
import type { SqlRunner } from './sql';
import { AUDIT_QUORUM_NOT_MET, WitnessClient, type WitnessEndpoint, WitnessQuorumError } from './witness-client';

const ORIGIN = 'audit.test/client/v1';
const log = generateKeyPair(ORIGIN);
const keys = ['w1.test', 'w2.test', 'w3.test'].map((name) => ({
  name,
  ...generateKeyPair(name, SIGNATURE_TYPE_COSIGNATURE_V1),
}));
const endpoints: WitnessEndpoint[] = keys.map((k) => ({
  name: k.name,
  url: `http://${k.name}:3100/`,
  verifierKey: k.verifierKey,
}));
// Requests from size 0 (or from the checkpoint's own size) carry no proof, so no SQL beyond the state table is needed.
const note = signCheckpoint({ origin: ORIGIN, size: 3, rootHash: randomBytes(32), extensions: [] }, [
  parseSignerKey(log.signerKey),
]);
const text = parseNote(note).text;

/** Remembers nothing: every witness starts from size 0. */
const sql: SqlRunner = { query: () => Promise.resolve([]) };

function cosignatureLine(signerKey: string, body = text): string {
  return signNote(body, [parseSignerKey(signerKey, () => 1_790_000_000)]).slice(body.length + 1);
}

type Answer = { status: number; body: string; contentType?: string } | 'hang' | 'refuse';

/** A fetch that answers each witness from a script, one answer per call, and records the request bodies. */
function scriptedFetch(script: Record<string, Answer[]>): { fetch: typeof fetch; bodies: Record<string, string[]> } {
  const bodies: Record<string, string[]> = {};
  // The client always calls fetch(url string, { body: string }).
  const fake = (async (input: string, init?: { body?: string; signal?: AbortSignal }) => {
    const host = new URL(input).hostname;
    (bodies[host] ??= []).push(init?.body ?? '');
    const answer = script[host]?.shift() ?? 'refuse';
    if (answer === 'refuse') throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    if (answer === 'hang') {
      // Rejects as fetch does when its signal aborts: with the signal's reason (a TimeoutError DOMException).
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)),
      );
    }
    return new Response(answer.body, {
      status: answer.status,
      headers: { 'content-type': answer.contentType ?? 'text/plain' },
    });
  }) as unknown as typeof fetch;
  return { fetch: fake, bodies };
}

const ok = (i: number): Answer => ({ status: 200, body: cosignatureLine(keys[i]!.signerKey) });

describe('WitnessClient', () => {
  it('refuses a bad configuration at construction', () => {
    expect(() => new WitnessClient({ witnesses: [{ ...endpoints[0]!, name: 'other.test' }], quorum: 0 })).toThrow(
      /verifier key is named/,
    );
    expect(() => new WitnessClient({ witnesses: [endpoints[0]!, endpoints[0]!], quorum: 1 })).toThrow(/twice/);
    expect(() => new WitnessClient({ witnesses: endpoints, quorum: 4 })).toThrow(/quorum/);
    expect(() => new WitnessClient({ witnesses: [{ ...endpoints[0]!, url: 'ftp://x' }], quorum: 0 })).toThrow(/http/);
  });

  it('appends the valid cosignatures in configuration order and posts to <url>/add-checkpoint', async () => {
    const { fetch, bodies } = scriptedFetch({ 'w1.test': [ok(0)], 'w2.test': [ok(1)], 'w3.test': [ok(2)] });
    const client = new WitnessClient({ witnesses: endpoints, quorum: 2, fetch });
    const result = await client.cosign(sql, note, 3);
    expect(parseNote(result.note).signatures.map((s) => s.name)).toEqual([ORIGIN, 'w1.test', 'w2.test', 'w3.test']);
    expect(result.note.startsWith(note)).toBe(true);
    expect(bodies['w1.test']).toEqual([`old 0\n\n${note}`]);
  });

  it('retries once with the size a 409 names, then gives up', async () => {
    const conflict = (size: number): Answer => ({ status: 409, body: `${size}\n`, contentType: 'text/x.tlog.size' });
    const { fetch, bodies } = scriptedFetch({
      'w1.test': [conflict(0), ok(0), ok(0)], // lost its state: one retry from 0, cosigned
      'w2.test': [conflict(7), ok(1)], // larger than this checkpoint: no retry can succeed
      'w3.test': [{ status: 409, body: '0\n', contentType: 'text/plain' }, ok(2)], // not a size answer
    });
    // The log remembers that w1 cosigned this very size (an earlier attempt that was then rolled back).
    const remembering: SqlRunner = {
      query: (statement) =>
        Promise.resolve(
          statement.startsWith('SELECT witness')
            ? [{ witness: 'w1.test', verifier_key: endpoints[0]!.verifierKey, size: '3' }]
            : [],
        ),
    };
    const client = new WitnessClient({ witnesses: endpoints, quorum: 1, fetch });
    const { outcomes } = await client.cosign(remembering, note, 3);
    expect(outcomes).toEqual([
      { witness: 'w1.test', result: 'cosigned', oldSize: 0 },
      expect.objectContaining({ witness: 'w2.test', result: 'refused', httpStatus: 409 }),
      expect.objectContaining({ witness: 'w3.test', result: 'refused', httpStatus: 409 }),
    ]);
    expect(bodies['w1.test']!.map((body) => body.split('\n')[0])).toEqual(['old 3', 'old 0']);
    expect(bodies['w2.test']).toHaveLength(1);
    expect(bodies['w3.test']).toHaveLength(1);
  });

  it('counts only cosignatures by the configured key that verify over this checkpoint', async () => {
    const stranger = generateKeyPair('w2.test', SIGNATURE_TYPE_COSIGNATURE_V1); // same name, another key
    const otherText = text.replace(ORIGIN, 'elsewhere.test/log');
    const { fetch } = scriptedFetch({
      'w1.test': [{ status: 200, body: cosignatureLine(keys[0]!.signerKey, otherText) }],
      'w2.test': [{ status: 200, body: cosignatureLine(stranger.signerKey) }],
      'w3.test': [{ status: 200, body: 'not a signature line\n' }],
    });
    const client = new WitnessClient({ witnesses: endpoints, quorum: 1, fetch });
    const error = (await client.cosign(sql, note, 3).catch((e: unknown) => e)) as WitnessQuorumError;
    expect(error).toBeInstanceOf(WitnessQuorumError);
    expect(error.outcomes.map((o) => o.result)).toEqual(['invalid_response', 'invalid_response', 'invalid_response']);
  });

  it('reports a witness that does not answer in time or at all as unreachable', async () => {
    const { fetch } = scriptedFetch({ 'w1.test': ['hang'], 'w2.test': ['refuse'], 'w3.test': [ok(2)] });
    const client = new WitnessClient({ witnesses: endpoints, quorum: 2, timeoutMs: 50, fetch });
    const error = (await client.cosign(sql, note, 3).catch((e: unknown) => e)) as WitnessQuorumError;
    expect(error.code).toBe(AUDIT_QUORUM_NOT_MET);
    expect(error.outcomes).toEqual([
      { witness: 'w1.test', result: 'unreachable', detail: 'timed out' },
      { witness: 'w2.test', result: 'unreachable', detail: 'fetch failed: connect ECONNREFUSED' },
      { witness: 'w3.test', result: 'cosigned', oldSize: 0 },
    ]);
    expect(error.message).toBe(
      'The checkpoint was not published: 1 of 3 witness(es) cosigned, the quorum is 2. w1.test: unreachable ' +
        '(timed out); w2.test: unreachable (fetch failed: connect ECONNREFUSED); w3.test: cosigned (from size 0).',
    );
  });

  it('at quorum 0 asks the witnesses but publishes whatever came back', async () => {
    const { fetch } = scriptedFetch({ 'w1.test': [{ status: 422, body: 'bad proof' }], 'w2.test': [ok(1)] });
    const client = new WitnessClient({ witnesses: endpoints, quorum: 0, fetch });
    const result = await client.cosign(sql, note, 3);
    expect(parseNote(result.note).signatures.map((s) => s.name)).toEqual([ORIGIN, 'w2.test']);
    expect(result.outcomes[0]).toEqual({ witness: 'w1.test', result: 'refused', httpStatus: 422, detail: 'bad proof' });
  });

  it('reaches the API as 409 AUDIT_QUORUM_NOT_MET with what each witness said', () => {
    const problem = resolveProblem(
      new WitnessQuorumError(2, [
        { witness: 'w1.test', result: 'cosigned', oldSize: 4 },
        { witness: 'w2.test', result: 'refused', httpStatus: 422, detail: 'bad proof' },
      ]),
    );
    expect(problem).toMatchObject({
      status: 409,
      code: AUDIT_QUORUM_NOT_MET,
      extensions: {
        details: {
          quorum: 2,
          cosigned: 1,
          witnesses: 'w1.test: cosigned (from size 4); w2.test: refused with HTTP 422 (bad proof)',
        },
      },
    });
  });
});
