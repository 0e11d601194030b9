/** The audit log's integrator (a projection), its storage, proofs and signed checkpoints. See README.md. */
export { AUDIT_LOG_BATCH_SIZE, AUDIT_LOG_PROJECTION, AuditLogProjection, integrate } from './audit-log.projection';
export {
  AuditLog,
  MAX_CHECKPOINTS_PAGE,
  MAX_LEAVES_PAGE,
  type ProofBundle,
  type StoredCheckpoint,
  type StoredLeaf,
  recordLeafHash,
} from './audit-log';
export { CheckpointSigner, type CheckpointSignerOptions, verifierKeyOf } from './checkpoint-signer';
export { AuditLogIntegrityError } from './errors';
export { type AuditRecord, PSEUDONYM_LENGTH, actorPseudonym, auditRecord, eventDigest, recordText } from './record';
export { leafHashOfText, leafHashTextOfText } from './fast-record';
export { setupAuditLogTables } from './schema';
export type { SqlRunner, SqlTransactor } from './sql';
export {
  CHECKPOINT_FILE,
  EXPORT_FORMAT,
  type ExportManifest,
  type ExportOptions,
  type ExportedCheckpoint,
  type ExportedEvent,
  type ExportedLeaf,
  MANIFEST_FILE,
  PART_MAX_BYTES,
  PART_MAX_LINES,
  PART_PATTERN,
  type PreparedExport,
  VERIFIER_KEY_FILE,
  partName,
  prepareExport,
} from './export';
export {
  AUDIT_QUORUM_NOT_MET,
  WitnessClient,
  type WitnessClientOptions,
  type WitnessEndpoint,
  type WitnessOutcome,
  WitnessQuorumError,
  describeOutcome,
} from './witness-client';
