/** The audit log's integrator (a projection), its storage, proofs and signed checkpoints. See README.md. */
export { AUDIT_LOG_PROJECTION, AuditLogProjection, integrate } from './audit-log.projection';
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
export { setupAuditLogTables } from './schema';
export type { SqlRunner, SqlTransactor } from './sql';
