/**
 * C2SP checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n]*
 */
import { HASH_SIZE, decodeBase64 } from './bytes';
import { isSize } from './merkle';
import {
  NoteError,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
  isValidNoteText,
  openNote,
  signNote,
} from './note';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  /** Opaque extension lines, without newlines; C2SP advises against them. */
  readonly extensions: readonly string[];
}

export interface OpenedCheckpoint extends OpenedNote {
  readonly checkpoint: Checkpoint;
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/** The checkpoint note text; throws NoteError on anything parseCheckpoint would reject. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions } = checkpoint;
  const text = [origin, String(size), Buffer.from(rootHash).toString('base64'), ...extensions].join('\n') + '\n';
  parseCheckpoint(text); // one set of rules for both directions
  return text;
}

/** Strict parse of checkpoint note text (no signatures); throws NoteError if malformed. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n') || !isValidNoteText(text))
    throw new NoteError('checkpoint must be valid text ending in a newline');
  const [origin, sizeLine, rootLine, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || origin === '') throw new NoteError('checkpoint origin must be non-empty');
  if (sizeLine === undefined || !DECIMAL.test(sizeLine) || !isSize(Number(sizeLine))) {
    throw new NoteError('checkpoint size must be a decimal without leading zeroes');
  }
  const rootHash = rootLine === undefined ? undefined : decodeBase64(rootLine);
  if (rootHash?.length !== HASH_SIZE) throw new NoteError('checkpoint root must be base64 of 32 bytes');
  if (extensions.some((line) => line === '')) throw new NoteError('checkpoint extension lines must be non-empty');
  return { origin, size: Number(sizeLine), rootHash, extensions };
}

/** Formats and signs a checkpoint (the log's own key first, by convention named like the origin). */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Verifies a checkpoint note with `verifiers` (openNote rules) and parses its text. When `origin` is given,
 * the checkpoint must be for that log: a valid signature on another log's checkpoint proves nothing here.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin?: string,
): OpenedCheckpoint {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new NoteError(`checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(origin)}`);
  }
  return { ...opened, checkpoint };
}
