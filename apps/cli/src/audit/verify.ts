/**
 * The offline verifier's checks: pure functions over the texts an auditor holds (signed checkpoints, proof bundles,
 * consistency proofs) and their trust policy. No I/O, no network: everything is decided from the inputs.
 */
import {
  EMPTY_ROOT,
  type NoteSignature,
  type NoteVerifier,
  decodeBase64,
  isCanonicalJson,
  leafHash,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
} from '@muskel/audit';

/** Stable failure codes: scripts may match on them. */
export type FailureCode =
  | 'MALFORMED_INPUT'
  | 'UNKNOWN_ORIGIN'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'QUORUM_NOT_MET'
  | 'NO_CHECKPOINT'
  | 'BUNDLE_MISMATCH'
  | 'LEAF_HASH_MISMATCH'
  | 'INCLUSION_FAILED'
  | 'NOT_CANONICAL'
  | 'EVENT_ID_MISMATCH'
  | 'INDEX_MISMATCH'
  | 'SIZE_REGRESSION'
  | 'INCONSISTENT'
  // verify-export: the root history, the archive's own agreement, the stored events against their leaves.
  | 'ROOT_MISMATCH'
  | 'LEAF_COUNT_MISMATCH'
  | 'ARCHIVE_MISMATCH'
  | 'EVENT_MISSING'
  | 'EVENT_EXTRA'
  | 'EVENT_DUPLICATE'
  | 'EVENT_MISMATCH'
  | 'DIGEST_MISMATCH';

export interface Failure {
  code: FailureCode;
  /** Plain-English description of what is wrong. */
  what: string;
  /** Which input, field or signature it is in. */
  where: string;
}

export type Result<T> = ({ ok: true } & T) | { ok: false; failure: Failure };

/** The auditor's trust configuration: the log's origin, the log's and witnesses' verifier keys, the quorum. */
export interface AuditPolicy {
  origin: string;
  verifierKeys: string[];
  /** Distinct policy keys that must sign each checkpoint (default 1). */
  quorum?: number;
}

export interface VerifiedCheckpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** The signed note, exactly as given (the evidence to keep). */
  note: string;
  /** Names of the policy keys whose signatures verified. */
  signers: string[];
}

/** The proof bundle as AuditLog.proofBundle / GET /audit/v1/events/:id/bundle return it. */
export interface ProofBundleInput {
  eventId: string;
  index: number;
  record: string;
  leafHash: string;
  checkpoint: { note: string; size: number; rootHash: string } | null;
  inclusionProof: string[] | null;
}

/** Two validly signed checkpoints of one origin that no consistency proof reconciles: portable proof of a fork. */
export interface ForkEvidence {
  oldNote: string;
  newNote: string;
}

export type ConsistencyResult =
  { ok: true; old: VerifiedCheckpoint; new: VerifiedCheckpoint } | { ok: false; failure: Failure; fork?: ForkEvidence };

interface CompiledPolicy {
  origin: string;
  quorum: number;
  verifiers: Map<string, NoteVerifier>;
}

const fail = (code: FailureCode, what: string, where: string): { ok: false; failure: Failure } => ({
  ok: false,
  failure: { code, what, where },
});

const keyLabel = (name: string, keyId: number): string => `${name}+${keyId.toString(16).padStart(8, '0')}`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates a policy (e.g. parsed from policy.json): every key must parse, the quorum must be reachable. */
export function parsePolicy(value: unknown): Result<{ policy: AuditPolicy }> {
  const compiled = compilePolicy(value);
  if (!compiled.ok) return compiled;
  const { origin, verifierKeys, quorum } = value as AuditPolicy;
  return { ok: true, policy: { origin, verifierKeys: [...verifierKeys], quorum: quorum ?? 1 } };
}

function compilePolicy(value: unknown): Result<{ policy: CompiledPolicy }> {
  if (!isRecord(value)) return fail('MALFORMED_INPUT', 'the policy is not a JSON object', 'policy');
  const { origin, verifierKeys, quorum = 1 } = value;
  if (typeof origin !== 'string' || origin === '') {
    return fail('MALFORMED_INPUT', 'the policy needs a non-empty "origin" string', 'policy.origin');
  }
  if (!Array.isArray(verifierKeys) || verifierKeys.length === 0) {
    return fail('MALFORMED_INPUT', 'the policy needs a non-empty "verifierKeys" array', 'policy.verifierKeys');
  }
  const verifiers = new Map<string, NoteVerifier>();
  for (const [i, vkey] of verifierKeys.entries()) {
    const where = `policy.verifierKeys[${i}]`;
    let verifier: NoteVerifier;
    try {
      if (typeof vkey !== 'string') throw new TypeError('not a string');
      verifier = parseVerifierKey(vkey);
    } catch (error) {
      return fail('MALFORMED_INPUT', `not a valid verifier key (${errorText(error)})`, where);
    }
    const label = keyLabel(verifier.name, verifier.keyId);
    // A repeated key would let one signer count twice towards the quorum.
    if (verifiers.has(label)) return fail('MALFORMED_INPUT', `the key ${label} is listed twice`, where);
    verifiers.set(label, verifier);
  }
  if (typeof quorum !== 'number' || !Number.isSafeInteger(quorum) || quorum < 1 || quorum > verifiers.size) {
    return fail(
      'MALFORMED_INPUT',
      `the quorum must be a whole number from 1 to the number of keys (${verifiers.size})`,
      'policy.quorum',
    );
  }
  return { ok: true, policy: { origin, quorum, verifiers } };
}

/**
 * A checkpoint note satisfies the policy when it parses, names the policy's origin, every signature by a policy key
 * verifies (one bad signature by a known key rejects the note, as c2sp.org/signed-note requires) and at least
 * `quorum` distinct policy keys signed it. Signatures by keys outside the policy are ignored.
 */
export function verifyCheckpointAgainstPolicy(
  note: string,
  policy: AuditPolicy,
  where = 'checkpoint',
): Result<{ checkpoint: VerifiedCheckpoint }> {
  const compiled = compilePolicy(policy);
  if (!compiled.ok) return compiled;
  return checkCheckpoint(note, compiled.policy, where);
}

function checkCheckpoint(
  note: unknown,
  policy: CompiledPolicy,
  where: string,
): Result<{ checkpoint: VerifiedCheckpoint }> {
  if (typeof note !== 'string') return fail('MALFORMED_INPUT', 'the checkpoint note is not text', where);
  let text: string;
  let signatures: NoteSignature[];
  let checkpoint: ReturnType<typeof parseCheckpoint>;
  try {
    ({ text, signatures } = parseNote(note));
    checkpoint = parseCheckpoint(text);
  } catch (error) {
    return fail('MALFORMED_INPUT', `not a signed checkpoint note (${errorText(error)})`, where);
  }
  if (checkpoint.origin !== policy.origin) {
    return fail(
      'UNKNOWN_ORIGIN',
      `the checkpoint is for origin ${JSON.stringify(checkpoint.origin)}, not the policy's ${JSON.stringify(policy.origin)}`,
      `${where}: origin line`,
    );
  }
  const bytes = Buffer.from(text, 'utf8');
  const signed = new Map<string, string>();
  for (const [i, sig] of signatures.entries()) {
    const label = keyLabel(sig.name, sig.keyId);
    const verifier = policy.verifiers.get(label);
    if (verifier === undefined) continue; // unknown keys are ignored (key rotation, other witnesses)
    if (!verifier.verify(bytes, sig.signature)) {
      return fail(
        'BAD_SIGNATURE',
        `the signature by policy key ${label} does not verify: the checkpoint or the signature was altered`,
        `${where}: signature line ${i + 1} (${sig.name})`,
      );
    }
    signed.set(label, sig.name);
  }
  if (signed.size === 0) {
    return fail(
      'UNKNOWN_KEY',
      `none of the ${signatures.length} signature(s) is by a key in the policy`,
      `${where}: signatures`,
    );
  }
  if (signed.size < policy.quorum) {
    return fail(
      'QUORUM_NOT_MET',
      `${signed.size} distinct policy key(s) signed, the policy requires ${policy.quorum}`,
      `${where}: signatures`,
    );
  }
  return {
    ok: true,
    checkpoint: {
      origin: checkpoint.origin,
      size: checkpoint.size,
      rootHash: checkpoint.rootHash,
      note,
      signers: [...signed.values()],
    },
  };
}

/**
 * One event's proof bundle: its checkpoint satisfies the policy, the record hashes to the leaf hash, the inclusion
 * proof leads from that leaf to the checkpoint's root, and the record is canonical JSON for the bundle's event.
 * Size and root are taken from the signed note only; the bundle's copies must merely agree with it.
 */
export function verifyBundle(
  bundle: unknown,
  policy: AuditPolicy,
): Result<{ eventId: string; index: number; checkpoint: VerifiedCheckpoint }> {
  const compiled = compilePolicy(policy);
  if (!compiled.ok) return compiled;
  const shape = checkBundleShape(bundle);
  if (!shape.ok) return shape;
  const { eventId, index, record, leafHash: claimedLeafHash, checkpoint, inclusionProof } = shape.bundle;
  if (checkpoint === null || inclusionProof === null) {
    return fail(
      'NO_CHECKPOINT',
      'the bundle has no checkpoint yet: no signed checkpoint covered this event when it was fetched',
      'bundle.checkpoint',
    );
  }
  const opened = checkCheckpoint(checkpoint.note, compiled.policy, 'bundle.checkpoint.note');
  if (!opened.ok) return opened;
  const signedCheckpoint = opened.checkpoint;
  if (checkpoint.size !== signedCheckpoint.size) {
    return fail('BUNDLE_MISMATCH', 'the bundle states a size the signed note does not', 'bundle.checkpoint.size');
  }
  if (decodeBase64(checkpoint.rootHash)?.equals(signedCheckpoint.rootHash) !== true) {
    return fail('BUNDLE_MISMATCH', 'the bundle states a root the signed note does not', 'bundle.checkpoint.rootHash');
  }
  const recordBytes = Buffer.from(record, 'utf8');
  const computed = leafHash(recordBytes);
  if (decodeBase64(claimedLeafHash)?.equals(computed) !== true) {
    return fail('LEAF_HASH_MISMATCH', 'the record does not hash to the bundle leaf hash', 'bundle.record');
  }
  const proof: Buffer[] = [];
  for (const [i, hash] of inclusionProof.entries()) {
    const bytes = decodeBase64(hash);
    if (bytes === undefined) {
      return fail('MALFORMED_INPUT', 'not strict base64', `bundle.inclusionProof[${i}]`);
    }
    proof.push(bytes);
  }
  if (!verifyInclusion(index, signedCheckpoint.size, computed, proof, signedCheckpoint.rootHash)) {
    return fail(
      'INCLUSION_FAILED',
      `the inclusion proof does not lead from leaf ${index} to the signed root of size ${signedCheckpoint.size}`,
      'bundle.inclusionProof',
    );
  }
  // Only now is the record known to be in the signed log; the remaining checks concern its content.
  if (!isCanonicalJson(recordBytes)) {
    return fail('NOT_CANONICAL', 'the record is not RFC 8785 canonical JSON', 'bundle.record');
  }
  const parsed = JSON.parse(record) as unknown;
  if (!isRecord(parsed) || parsed.eventId !== eventId) {
    return fail('EVENT_ID_MISMATCH', `the record is not about event ${eventId}`, 'bundle.record.eventId');
  }
  if (parsed.seq !== index) {
    return fail('INDEX_MISMATCH', `the record's seq is not the bundle's index ${index}`, 'bundle.record.seq');
  }
  return { ok: true, eventId, index, checkpoint: signedCheckpoint };
}

function checkBundleShape(value: unknown): Result<{ bundle: ProofBundleInput }> {
  const bad = (field: string, want: string) =>
    fail('MALFORMED_INPUT', `the bundle's "${field}" must be ${want}`, `bundle.${field}`);
  if (!isRecord(value)) return fail('MALFORMED_INPUT', 'the bundle is not a JSON object', 'bundle');
  const { eventId, index, record, leafHash: hash, checkpoint, inclusionProof } = value;
  if (typeof eventId !== 'string') return bad('eventId', 'a string');
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0)
    return bad('index', 'a non-negative integer');
  if (typeof record !== 'string') return bad('record', 'a string');
  if (typeof hash !== 'string') return bad('leafHash', 'a base64 string');
  if (checkpoint !== null) {
    if (
      !isRecord(checkpoint) ||
      typeof checkpoint.note !== 'string' ||
      typeof checkpoint.size !== 'number' ||
      typeof checkpoint.rootHash !== 'string'
    ) {
      return bad('checkpoint', 'null or {note, size, rootHash}');
    }
  }
  if (inclusionProof !== null && (!Array.isArray(inclusionProof) || inclusionProof.some((h) => typeof h !== 'string')))
    return bad('inclusionProof', 'null or an array of base64 strings');
  return { ok: true, bundle: value as unknown as ProofBundleInput };
}

/**
 * Proves the log only grew between two checkpoints: both satisfy the policy, share the origin, the new one is not
 * smaller, and the consistency proof links the old root to the new. When both are validly signed and the proof does
 * not link them, the pair of notes is returned as fork evidence.
 */
export function verifyConsistencyBetween(
  oldNote: string,
  newNote: string,
  /** `{from, to, proof: base64[]}` as GET /audit/v1/proofs/consistency returns it, or the bare base64 array. */
  proof: unknown,
  policy: AuditPolicy,
): ConsistencyResult {
  const compiled = compilePolicy(policy);
  if (!compiled.ok) return compiled;
  const old = checkCheckpoint(oldNote, compiled.policy, 'old checkpoint');
  if (!old.ok) return old;
  const current = checkCheckpoint(newNote, compiled.policy, 'new checkpoint');
  if (!current.ok) return current;
  const a = old.checkpoint;
  const b = current.checkpoint;
  if (a.origin !== b.origin) {
    return fail('UNKNOWN_ORIGIN', 'the two checkpoints are for different logs', 'new checkpoint: origin line');
  }
  if (b.size < a.size) {
    return fail(
      'SIZE_REGRESSION',
      `the new checkpoint (size ${b.size}) is smaller than the old one (size ${a.size}): a log never shrinks (or the two files are swapped)`,
      'new checkpoint: size line',
    );
  }
  const hashes = proofHashes(proof, a.size, b.size);
  if (!hashes.ok) return hashes;
  const consistent =
    a.size === 0
      ? a.rootHash.equals(EMPTY_ROOT) && hashes.proof.length === 0 // the empty tree is a prefix of every tree
      : verifyConsistency(a.size, b.size, a.rootHash, b.rootHash, hashes.proof);
  if (consistent) return { ok: true, old: a, new: b };
  const definite = a.size === b.size; // equal sizes, different roots: no proof could reconcile them
  return {
    ok: false,
    failure: {
      code: 'INCONSISTENT',
      what:
        `the checkpoint of size ${b.size} does not extend the checkpoint of size ${a.size}: these two signed ` +
        `checkpoints are the evidence of a fork of ${a.origin}` +
        (definite ? '' : ' (unless the proof itself was corrupted: a log that cannot give a valid one has forked)'),
      where: 'consistency proof',
    },
    fork: { oldNote: a.note, newNote: b.note },
  };
}

function proofHashes(proof: unknown, from: number, to: number): Result<{ proof: Buffer[] }> {
  let list: unknown = proof;
  if (isRecord(proof)) {
    // The API's {from, to, proof}: a proof between other sizes proves nothing about these checkpoints.
    if (proof.from !== undefined && proof.from !== from) {
      return fail(
        'MALFORMED_INPUT',
        `the proof starts at size ${JSON.stringify(proof.from)}, not ${from}`,
        'proof.from',
      );
    }
    if (proof.to !== undefined && proof.to !== to) {
      return fail('MALFORMED_INPUT', `the proof ends at size ${JSON.stringify(proof.to)}, not ${to}`, 'proof.to');
    }
    list = proof.proof;
  }
  if (!Array.isArray(list)) return fail('MALFORMED_INPUT', 'the proof must be an array of base64 hashes', 'proof');
  const hashes: Buffer[] = [];
  for (const [i, hash] of list.entries()) {
    const bytes = typeof hash === 'string' ? decodeBase64(hash) : undefined;
    if (bytes === undefined) return fail('MALFORMED_INPUT', 'not a strict base64 string', `proof[${i}]`);
    hashes.push(bytes);
  }
  return { ok: true, proof: hashes };
}

/**
 * The note in a checkpoint file: either the raw signed note or the API's JSON (`{note, ...}`). The raw text is kept
 * byte for byte, since the signatures cover it.
 */
export function checkpointNoteFromFile(content: string): Result<{ note: string }> {
  if (!content.trimStart().startsWith('{')) return { ok: true, note: content };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    return fail('MALFORMED_INPUT', `invalid JSON (${errorText(error)})`, 'checkpoint file');
  }
  if (!isRecord(parsed) || typeof parsed.note !== 'string') {
    return fail('MALFORMED_INPUT', 'the JSON has no "note" string', 'checkpoint file');
  }
  return { ok: true, note: parsed.note };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
