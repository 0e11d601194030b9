/**
 * C2SP signed notes (c2sp.org/signed-note): text ending in a newline, a blank line, then one or more lines
 * "— <key name> base64(key ID || signature)".
 */
import { decodeBase64, decodeUtf8 } from './bytes';

/** Malformed or unverifiable note, key or checkpoint. */
export class NoteError extends Error {
  override readonly name = 'NoteError';
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** Signature bytes over the note text, without the key ID. */
  sign(text: Buffer): Buffer;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Buffer, signature: Buffer): boolean;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** Signature bytes without the 4-byte key ID. */
  readonly signature: Buffer;
}

export interface Note {
  readonly text: string;
  readonly signatures: NoteSignature[];
}

export interface OpenedNote {
  readonly text: string;
  /** Signatures by known keys, all verified. */
  readonly verified: NoteSignature[];
  /** Signatures by keys not in the verifier set, ignored as the spec requires. */
  readonly unknown: NoteSignature[];
}

/** Generous cap on signature lines (the spec requires accepting at least 16); bounds work per note. */
export const MAX_NOTE_SIGNATURES = 100;

const EM_DASH = '\u2014';
// eslint-disable-next-line no-control-regex -- the spec bans ASCII controls other than newline
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const LONE_SURROGATE = /\p{Cs}/u;
const SIGNATURE_LINE = /^\u2014 ([^\s+]+) (\S+)$/u;

/** Key names are non-empty without Unicode spaces or '+' (they are '+'-separated in key strings). */
export function isValidKeyName(name: string): boolean {
  return /^[^\s+]+$/u.test(name) && isValidNoteText(name);
}

/** Signs `text` (which must end in a newline) with every signer, in order. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n') || !isValidNoteText(text))
    throw new NoteError('note text must be valid and end in a newline');
  if (signers.length === 0) throw new NoteError('a note needs at least one signer');
  const bytes = Buffer.from(text, 'utf8');
  const lines = signers.map((s) => signatureLine(s.name, s.keyId, s.sign(bytes)));
  return `${text}\n${lines.join('')}`;
}

function signatureLine(name: string, keyId: number, signature: Buffer): string {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId);
  return `${EM_DASH} ${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/** Splits a note into text and signatures without verifying anything; throws NoteError if malformed. */
export function parseNote(note: string | Uint8Array): Note {
  const message = typeof note === 'string' ? note : decodeUtf8(note);
  if (message === undefined || !isValidNoteText(message)) throw new NoteError('note is not valid UTF-8 text');
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no blank line before its signatures');
  const block = message.slice(split + 2);
  if (!block.endsWith('\n')) throw new NoteError('note does not end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw new NoteError('note has too many signatures');
  return { text: message.slice(0, split + 1), signatures: lines.map(parseSignatureLine) };
}

function parseSignatureLine(line: string): NoteSignature {
  const match = SIGNATURE_LINE.exec(line);
  const bytes = match?.[2] === undefined ? undefined : decodeBase64(match[2]);
  if (match?.[1] === undefined || bytes === undefined || bytes.length <= 4) {
    throw new NoteError(`malformed signature line ${JSON.stringify(line)}`);
  }
  return { name: match[1], keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
}

/**
 * Parses and verifies a note (c2sp.org/signed-note, Signatures): signatures by unknown keys are ignored,
 * any failing signature by a known key rejects the note, and at least one known signature must verify.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const byKey = indexVerifiers(verifiers);
  const { text, signatures } = parseNote(note);
  const bytes = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  for (const sig of signatures) {
    const verifier = byKey.get(keyLabel(sig.name, sig.keyId));
    if (verifier === undefined) unknown.push(sig);
    else if (verifier.verify(bytes, sig.signature)) verified.push(sig);
    else throw new NoteError(`invalid signature by known key ${sig.name}`);
  }
  if (verified.length === 0) throw new NoteError('note has no verified signature from a known key');
  return { text, verified, unknown };
}

function indexVerifiers(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const byKey = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    // Two keys with the same name and ID would make "the" known key ambiguous.
    if (byKey.has(keyLabel(v.name, v.keyId))) throw new NoteError(`ambiguous verifiers for ${v.name}`);
    byKey.set(keyLabel(v.name, v.keyId), v);
  }
  return byKey;
}

function keyLabel(name: string, keyId: number): string {
  return `${name}+${keyId}`;
}

/** Well-formed Unicode without ASCII control characters other than newline (c2sp.org/signed-note, Format). */
export function isValidNoteText(text: string): boolean {
  return !FORBIDDEN_CONTROL.test(text) && !LONE_SURROGATE.test(text);
}
