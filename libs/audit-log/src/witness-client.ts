/**
 * The log's side of c2sp.org/tlog-witness: sends a freshly signed checkpoint to each configured witness with a
 * consistency proof from the size that witness last cosigned, verifies the cosignatures that come back against the
 * configured witness keys, and refuses (AUDIT_QUORUM_NOT_MET) unless the policy's quorum cosigned.
 */
import { type NoteSignature, type NoteVerifier, NoteError, parseNote, parseVerifierKey } from '@muskel/audit';
import { AuditLog } from './audit-log';
import { type SqlRunner, toSafeInteger, toText } from './sql';

export interface WitnessEndpoint {
  /** The witness's key name, as in its cosignature lines and its verifier key. */
  name: string;
  /** The submission prefix: `<url>/add-checkpoint` is called. */
  url: string;
  /** The witness's verifier key (`<name>+<id>+<base64>`, normally a cosignature/v1 key, type 0x04). */
  verifierKey: string;
}

export interface WitnessClientOptions {
  witnesses: readonly WitnessEndpoint[];
  /** How many distinct witnesses must cosign before a checkpoint is published (0: none needed). */
  quorum: number;
  /** Per request (a retry after 409 gets its own); default 5 seconds. */
  timeoutMs?: number;
  /** The global fetch by default; a parameter for tests. */
  fetch?: typeof fetch;
}

/** What one witness did with one checkpoint, for the operator (no personal data: sizes, statuses, names). */
export type WitnessOutcome =
  | { witness: string; result: 'cosigned'; oldSize: number }
  | { witness: string; result: 'refused'; httpStatus: number; detail: string }
  | { witness: string; result: 'unreachable'; detail: string }
  | { witness: string; result: 'invalid_response'; detail: string };

export const AUDIT_QUORUM_NOT_MET = 'AUDIT_QUORUM_NOT_MET';

/**
 * Too few witnesses cosigned: nothing was published. Shaped like a domain error (kind, code, message, details) so
 * libs/http maps it to problem+json without knowing this library: `conflict` (409), since the log could not get
 * its checkpoint agreed, whether the witnesses refused it or could not be reached.
 */
export class WitnessQuorumError extends Error {
  override readonly name = 'WitnessQuorumError';
  readonly kind = 'conflict';
  readonly code = AUDIT_QUORUM_NOT_MET;
  readonly details: Readonly<Record<string, string | number>>;

  constructor(
    readonly quorum: number,
    readonly outcomes: readonly WitnessOutcome[],
  ) {
    const cosigned = outcomes.filter((o) => o.result === 'cosigned').length;
    super(
      `The checkpoint was not published: ${cosigned} of ${outcomes.length} witness(es) cosigned, the quorum is ` +
        `${quorum}. ${outcomes.map(describeOutcome).join('; ')}.`,
    );
    this.details = { quorum, cosigned, witnesses: outcomes.map(describeOutcome).join('; ') };
  }
}

export function describeOutcome(outcome: WitnessOutcome): string {
  switch (outcome.result) {
    case 'cosigned':
      return `${outcome.witness}: cosigned (from size ${outcome.oldSize})`;
    case 'refused':
      return `${outcome.witness}: refused with HTTP ${outcome.httpStatus}${outcome.detail ? ` (${outcome.detail})` : ''}`;
    case 'unreachable':
      return `${outcome.witness}: unreachable (${outcome.detail})`;
    case 'invalid_response':
      return `${outcome.witness}: invalid answer (${outcome.detail})`;
    default: {
      const _: never = outcome;
      return _;
    }
  }
}

/** The tlog-witness spec caps a consistency proof at 63 lines; a log of 2^53 leaves never needs more. */
const MAX_PROOF_LINES = 63;
/** A witness's answer is a few signature lines; anything far bigger is not one. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const TLOG_SIZE_TYPE = 'text/x.tlog.size';
const EM_DASH = '\u2014';

interface Witness {
  endpoint: WitnessEndpoint;
  verifier: NoteVerifier;
  addCheckpointUrl: string;
}

type Attempt =
  { kind: 'cosigned'; line: string } | { kind: 'conflict'; size: number } | { kind: 'failed'; outcome: WitnessOutcome };

/** Validates the configuration once; `cosign` then runs inside the signer's transaction. */
export class WitnessClient {
  private readonly witnesses: Witness[];
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(readonly options: WitnessClientOptions) {
    const names = new Set<string>();
    this.witnesses = options.witnesses.map((endpoint) => {
      const verifier = parseVerifierKey(endpoint.verifierKey);
      if (verifier.name !== endpoint.name) {
        throw new NoteError(`witness ${endpoint.name}: its verifier key is named ${verifier.name}`);
      }
      if (names.has(endpoint.name)) throw new NoteError(`witness ${endpoint.name} is listed twice`);
      names.add(endpoint.name);
      const url = new URL(endpoint.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new NoteError(`witness ${endpoint.name}: the URL must be http or https`);
      }
      return { endpoint, verifier, addCheckpointUrl: `${endpoint.url.replace(/\/+$/, '')}/add-checkpoint` };
    });
    if (!Number.isSafeInteger(options.quorum) || options.quorum < 0 || options.quorum > this.witnesses.length) {
      throw new RangeError(`the witness quorum must be from 0 to ${this.witnesses.length} (got ${options.quorum})`);
    }
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetch = options.fetch ?? fetch;
  }

  /**
   * Collects cosignatures on `note` (a checkpoint of `size` leaves signed by the log) and returns the note with the
   * valid cosignature lines appended. Throws WitnessQuorumError when fewer than the quorum cosigned. `sql` is the
   * signer's transaction: the tree is locked, so the proofs are computed on exactly the signed tree, and the sizes
   * the witnesses now hold are remembered in it (lost with it on a rollback: the next attempt then meets a 409,
   * learns the size and retries).
   */
  async cosign(sql: SqlRunner, note: string, size: number): Promise<{ note: string; outcomes: WitnessOutcome[] }> {
    if (this.witnesses.length === 0) return { note, outcomes: [] };
    const { text } = parseNote(note);
    await sql.query(`CREATE TABLE IF NOT EXISTS audit_witness_state (
      witness text PRIMARY KEY,
      verifier_key text NOT NULL,
      size bigint NOT NULL CHECK (size >= 0),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    const remembered = new Map<string, number>();
    for (const row of await sql.query('SELECT witness, verifier_key, size FROM audit_witness_state')) {
      const witness = this.witnesses.find((w) => w.endpoint.name === toText(row.witness));
      // A witness with a new key is a new witness: it starts from nothing.
      if (witness && toText(row.verifier_key) === witness.endpoint.verifierKey) {
        remembered.set(witness.endpoint.name, toSafeInteger(row.size));
      }
    }
    const proofs = new ProofCache(sql, size);
    const results = await Promise.all(
      this.witnesses.map((w) => this.askWitness(w, note, text, size, remembered.get(w.endpoint.name) ?? 0, proofs)),
    );
    const outcomes = results.map((r) => r.outcome);
    const lines: string[] = [];
    for (const [i, result] of results.entries()) {
      if (result.line === undefined) continue;
      lines.push(result.line);
      await sql.query(
        `INSERT INTO audit_witness_state (witness, verifier_key, size) VALUES ($1, $2, $3)
         ON CONFLICT (witness) DO UPDATE SET verifier_key = EXCLUDED.verifier_key, size = EXCLUDED.size,
           updated_at = now()`,
        [this.witnesses[i]!.endpoint.name, this.witnesses[i]!.endpoint.verifierKey, size],
      );
    }
    if (lines.length < this.options.quorum) throw new WitnessQuorumError(this.options.quorum, outcomes);
    return { note: note + lines.join(''), outcomes };
  }

  private async askWitness(
    witness: Witness,
    note: string,
    text: string,
    size: number,
    oldSize: number,
    proofs: ProofCache,
  ): Promise<{ outcome: WitnessOutcome; line?: string }> {
    const name = witness.endpoint.name;
    let old = oldSize;
    // One retry after a 409: the witness says which size it holds (c2sp.org/tlog-witness, add-checkpoint).
    for (let attempt = 0; attempt < 2; attempt++) {
      if (old > size) {
        return {
          outcome: {
            witness: name,
            result: 'refused',
            httpStatus: 409,
            detail: `the witness holds size ${old}, larger than this checkpoint's ${size}`,
          },
        };
      }
      const result = await this.addCheckpoint(witness, note, text, old, await proofs.from(old));
      if (result.kind === 'cosigned')
        return { outcome: { witness: name, result: 'cosigned', oldSize: old }, line: result.line };
      if (result.kind === 'failed') return { outcome: result.outcome };
      if (attempt === 1 || result.size === old) {
        return {
          outcome: {
            witness: name,
            result: 'refused',
            httpStatus: 409,
            detail: `the witness holds size ${result.size}`,
          },
        };
      }
      old = result.size;
    }
    throw new Error('unreachable: the loop above always returns');
  }

  private async addCheckpoint(
    witness: Witness,
    note: string,
    text: string,
    old: number,
    proof: readonly Buffer[],
  ): Promise<Attempt> {
    const name = witness.endpoint.name;
    const body = `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`;
    let status: number;
    let contentType: string;
    let answer: string;
    try {
      const response = await this.fetch(witness.addCheckpointUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
      status = response.status;
      contentType = response.headers.get('content-type') ?? '';
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > MAX_RESPONSE_BYTES) {
        return { kind: 'failed', outcome: { witness: name, result: 'invalid_response', detail: 'answer too large' } };
      }
      answer = bytes.toString('utf8');
    } catch (error) {
      return { kind: 'failed', outcome: { witness: name, result: 'unreachable', detail: errorText(error) } };
    }
    if (status === 409 && contentType.split(';')[0]?.trim() === TLOG_SIZE_TYPE && /^(0|[1-9][0-9]*)\n$/.test(answer)) {
      const held = Number(answer.trim());
      if (Number.isSafeInteger(held)) return { kind: 'conflict', size: held };
    }
    if (status !== 200) {
      return {
        kind: 'failed',
        outcome: { witness: name, result: 'refused', httpStatus: status, detail: shortText(answer) },
      };
    }
    const line = validCosignature(witness.verifier, text, answer);
    if (line === undefined) {
      return {
        kind: 'failed',
        outcome: {
          witness: name,
          result: 'invalid_response',
          detail: 'no valid cosignature by the configured witness key in the answer',
        },
      };
    }
    return { kind: 'cosigned', line };
  }
}

/**
 * The first signature line of `answer` by `verifier`'s key that verifies over the checkpoint text, re-encoded;
 * lines by other keys are ignored, as the spec asks. Undefined when there is none or the answer is malformed.
 */
function validCosignature(verifier: NoteVerifier, text: string, answer: string): string | undefined {
  if (!answer.startsWith(EM_DASH) || !answer.endsWith('\n')) return undefined;
  let signatures: NoteSignature[];
  try {
    // The spec's suggestion: the answer appended to the checkpoint text parses as a note.
    signatures = parseNote(`${text}\n${answer}`).signatures;
  } catch {
    return undefined;
  }
  const bytes = Buffer.from(text, 'utf8');
  for (const sig of signatures) {
    if (sig.name !== verifier.name || sig.keyId !== verifier.keyId) continue;
    if (!verifier.verify(bytes, sig.signature)) return undefined;
    const id = Buffer.alloc(4);
    id.writeUInt32BE(sig.keyId);
    return `${EM_DASH} ${sig.name} ${Buffer.concat([id, sig.signature]).toString('base64')}\n`;
  }
  return undefined;
}

/**
 * Consistency proofs to `size` from the sizes the witnesses hold, each computed once (each is O(n) in the log) and
 * one at a time, since they share the signer's transaction.
 */
class ProofCache {
  private readonly proofs = new Map<number, Promise<Buffer[]>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: SqlRunner,
    private readonly size: number,
  ) {}

  from(old: number): Promise<Buffer[]> {
    // Empty from 0 (the spec requires it) and between equal sizes.
    if (old === 0 || old === this.size) return Promise.resolve([]);
    let proof = this.proofs.get(old);
    if (proof === undefined) {
      proof = this.queue.then(() => new AuditLog(this.sql).consistencyProof(old, this.size));
      this.queue = proof.catch(() => undefined);
      this.proofs.set(old, proof);
    }
    return proof.then((hashes) => {
      if (hashes.length > MAX_PROOF_LINES) throw new RangeError(`consistency proof of ${hashes.length} hashes`);
      return hashes;
    });
  }
}

/** A witness's error text, shortened and reduced to printable ASCII for the operator's message. */
function shortText(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}

function errorText(error: unknown): string {
  // Structural: fetch's abort reason is a DOMException, not always an Error of this realm.
  if ((error as { name?: unknown } | null)?.name === 'TimeoutError') return 'timed out';
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
