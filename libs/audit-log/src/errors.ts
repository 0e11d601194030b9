/** The stored log does not add up (a leaf hash, the frontier or a checkpoint was changed): never sign over it. */
export class AuditLogIntegrityError extends Error {
  override readonly name = 'AuditLogIntegrityError';
}
