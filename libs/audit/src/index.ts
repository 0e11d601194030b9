/** Verifiable audit log primitives: RFC 6962/9162 Merkle trees, RFC 8785 JCS, C2SP signed notes. See README.md. */
export { HASH_SIZE, decodeBase64 } from './bytes';
export {
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle';
export { CompactRange } from './compact-range';
export { type JsonValue, canonicalize, canonicalizeToBytes, isCanonicalJson, parseCanonicalJson } from './jcs';
export {
  MAX_NOTE_SIGNATURES,
  type Note,
  NoteError,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
  openNote,
  parseNote,
  signNote,
} from './note';
export {
  SIGNATURE_TYPE_ED25519,
  type SignatureType,
  ed25519Signer,
  ed25519Verifier,
  formatSignerKey,
  formatVerifierKey,
  generateKeyPair,
  parseSignerKey,
  parseVerifierKey,
} from './keys';
export {
  type Clock,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  cosignatureMessage,
  cosignatureSigner,
  cosignatureTimestamp,
  cosignatureVerifier,
  systemClock,
} from './cosignature';
export {
  type Checkpoint,
  type OpenedCheckpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint';
