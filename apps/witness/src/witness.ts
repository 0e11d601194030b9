/**
 * c2sp.org/tlog-witness add-checkpoint: checks a log's signed checkpoint and the consistency proof from the size
 * this witness last cosigned, moves its state forward atomically, and answers with a cosignature/v1 line.
 */
import {
  EMPTY_ROOT,
  type NoteSigner,
  type NoteVerifier,
  type OpenedCheckpoint,
  decodeBase64,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  signNote,
  verifyConsistency,
} from '@muskel/audit';
import type { WitnessStore } from './witness-store';

export interface WitnessReply {
  status: number;
  contentType: string;
  body: string;
}

/** The spec: "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63;
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
const text = (status: number, body: string): WitnessReply => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body.endsWith('\n') ? body : `${body}\n`,
});
const conflict = (size: number): WitnessReply => ({
  status: 409,
  contentType: TLOG_SIZE_CONTENT_TYPE,
  body: `${size}\n`,
});

interface AddCheckpointRequest {
  oldSize: number;
  proof: Buffer[];
  note: string;
}

export class Witness {
  constructor(
    private readonly store: WitnessStore,
    private readonly signer: NoteSigner,
    /** The logs this witness follows: origin -> the log's verifier keys. */
    private readonly logs: ReadonlyMap<string, readonly NoteVerifier[]>,
  ) {}

  get name(): string {
    return this.signer.name;
  }

  async addCheckpoint(body: Buffer): Promise<WitnessReply> {
    const request = parseRequest(body);
    if (typeof request === 'string') return text(400, request);
    let size: number;
    let origin: string;
    try {
      ({ size, origin } = parseCheckpoint(parseNote(request.note).text));
    } catch (error) {
      return text(400, `malformed checkpoint: ${(error as Error).message}`);
    }
    const verifiers = this.logs.get(origin);
    if (verifiers === undefined) return text(404, 'unknown log origin');
    let opened: OpenedCheckpoint;
    try {
      // Unknown keys are ignored; a bad signature by a known key, or none at all, is refused.
      opened = openCheckpoint(request.note, verifiers, origin);
    } catch {
      return text(403, 'the checkpoint is not signed by a known key of this log');
    }
    const checkpoint = opened.checkpoint;
    if (request.oldSize > size) return text(400, 'old size is larger than the checkpoint size');

    const held = await this.store.state(origin);
    if (request.oldSize !== held.size) return conflict(held.size);
    const refusal = inconsistency(request, held.root, checkpoint.size, checkpoint.rootHash);
    if (refusal !== undefined) return text(422, refusal);

    const next = { size: checkpoint.size, root: checkpoint.rootHash };
    if (!(await this.store.compareAndSwap(origin, held, next))) {
      // Another request moved the state between the read and the swap: report what is held now.
      return conflict((await this.store.state(origin)).size);
    }
    // The cosignature line alone: signNote's text, the blank line, then the signature line.
    const signed = signNote(opened.text, [this.signer]);
    return text(200, signed.slice(opened.text.length + 1));
  }
}

/** Why the checkpoint does not extend the held tree, or undefined when it does (the held size is `oldSize`). */
function inconsistency(
  request: AddCheckpointRequest,
  heldRoot: Buffer,
  size: number,
  root: Buffer,
): string | undefined {
  const { oldSize, proof } = request;
  if (oldSize === 0) {
    if (proof.length > 0) return 'the consistency proof from size 0 must be empty';
    if (size === 0 && !root.equals(EMPTY_ROOT)) return 'a checkpoint of size 0 must have the empty root';
    return undefined;
  }
  if (oldSize === size) {
    // 422 as this project's witness contract (T26) has it; the current C2SP text answers this case with 409.
    if (proof.length > 0) return 'the consistency proof between equal sizes must be empty';
    return root.equals(heldRoot) ? undefined : 'same size as the cosigned checkpoint, different root';
  }
  return verifyConsistency(oldSize, size, heldRoot, root, proof)
    ? undefined
    : `the consistency proof from size ${oldSize} does not verify`;
}

/** `old <size>\n` [<base64 hash>\n]* `\n` <signed checkpoint note>, or the reason it is malformed. */
function parseRequest(body: Buffer): AddCheckpointRequest | string {
  let message: string;
  try {
    message = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return 'the body is not UTF-8';
  }
  // The header (old size and proof lines, none of them empty) ends at the first blank line.
  const end = message.indexOf('\n\n');
  if (end < 0) return 'no blank line after the old size and proof lines';
  const [oldLine, ...proofLines] = message.slice(0, end).split('\n');
  const oldSize = oldLine?.startsWith('old ') ? oldLine.slice(4) : undefined;
  if (oldSize === undefined || !DECIMAL.test(oldSize) || !Number.isSafeInteger(Number(oldSize))) {
    return 'the first line must be "old <size>" (decimal, no leading zeroes)';
  }
  if (proofLines.length > MAX_PROOF_LINES) return `more than ${MAX_PROOF_LINES} consistency proof lines`;
  const proof: Buffer[] = [];
  for (const line of proofLines) {
    const hash = decodeBase64(line);
    if (hash?.length !== 32) return 'each consistency proof line must be the base64 of a 32-byte hash';
    proof.push(hash);
  }
  return { oldSize: Number(oldSize), proof, note: message.slice(end + 2) };
}
