import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  NoteError,
  type NoteSigner,
  SIGNATURE_TYPE_ED25519,
  formatSignerKey,
  formatVerifierKey,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
} from '@muskel/audit';
import { MAX_CHECKPOINTS_PAGE, type StoredCheckpoint, latestCheckpoint, toCheckpoint } from './audit-log';
import { AuditLogIntegrityError } from './errors';
import { checkGrowth } from './growth-check';
import { setupAuditLogTables } from './schema';
import type { SqlTransactor } from './sql';
import { toText } from './sql';
import { loadTree } from './tree-state';
import { WitnessClient, type WitnessClientOptions } from './witness-client';

export interface CheckpointSignerOptions {
  /** The log's origin (e.g. `audit.example/log/v1`): the default for `signNow` and the name of a generated key. */
  origin: string;
  /** A configured signer key (`PRIVATE+KEY+<name>+<id>+<base64>`, libs/audit formatSignerKey); else one is generated and stored. */
  signerKey?: string;
  /** Witnesses to cosign each checkpoint and the quorum needed to publish it (default: none, log-signed only). */
  witnesses?: WitnessClientOptions;
}

interface LoadedKey {
  signer: NoteSigner;
  verifierKey: string;
}

/** PKCS#8 DER prefix of an Ed25519 private key: the 32-byte seed follows (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Signs C2SP checkpoints of the audit log with an Ed25519 key. Before each signature it re-checks the stored log:
 * the leaves added since the previous checkpoint must give the frontier's root, and the new tree must be consistent
 * with the previous checkpoint (growth-check.ts).
 * Run it from one checkpointer (the worker): the tree row lock serialises concurrent callers anyway.
 */
export class CheckpointSigner {
  private key: Promise<LoadedKey> | undefined;
  private readonly witnesses: WitnessClient | undefined;

  constructor(
    private readonly db: SqlTransactor,
    private readonly options: CheckpointSignerOptions,
  ) {
    // Validated here, at start-up: a bad witness key or an unreachable quorum is a configuration error.
    this.witnesses = options.witnesses && new WitnessClient(options.witnesses);
  }

  /** The public verifier key string (`<name>+<id>+<base64>`), for auditors' trust configuration. */
  async verifierKey(): Promise<string> {
    return (await this.loadKey()).verifierKey;
  }

  /**
   * Signs and stores a checkpoint of the current tree. Throws AuditLogIntegrityError, and signs nothing, when the
   * stored leaves do not match the frontier or the tree is not an extension of the previous checkpoint.
   */
  async signNow(origin: string = this.options.origin): Promise<StoredCheckpoint> {
    const { signer } = await this.loadKey();
    return this.db.withTransaction(async (tx) => {
      // Locked: no leaf is integrated while the tree is checked and signed.
      const tree = await loadTree(tx, true);
      const size = tree.size;
      const root = tree.root();
      const previous = await latestCheckpoint(tx);
      if (previous) {
        // The root as published in the note, not only the column beside it.
        const published = parseCheckpoint(parseNote(previous.note).text);
        if (published.size !== previous.size || !published.rootHash.equals(previous.rootHash)) {
          throw new AuditLogIntegrityError('refusing to sign: the previous checkpoint row does not match its note');
        }
        if (size < previous.size) {
          throw new AuditLogIntegrityError(`refusing to sign: the tree (${size}) is smaller than the last checkpoint`);
        }
      }
      // O(new leaves + log n): the leaves since the previous checkpoint re-hashed from their records and folded onto
      // its compact range must give the frontier's root, and the consistency proof from it must verify.
      await checkGrowth(tx, previous, size, root);
      const signed = signCheckpoint({ origin, size, rootHash: root, extensions: [] }, [signer]);
      // Stored (published) only with the quorum of witness cosignatures; else WitnessQuorumError rolls it back.
      const note = this.witnesses ? (await this.witnesses.cosign(tx, signed, size)).note : signed;
      const [row] = await tx.query(
        'INSERT INTO audit_checkpoints (size, root, note) VALUES ($1, $2, $3) RETURNING size, root, note, signed_at',
        [size, root, note],
      );
      if (!row) throw new Error('checkpoint insert returned no row');
      return toCheckpoint(row);
    });
  }

  async latest(): Promise<StoredCheckpoint | undefined> {
    return this.db.withTransaction((tx) => latestCheckpoint(tx));
  }

  /** The most recent checkpoints first, at most MAX_CHECKPOINTS_PAGE. */
  async history(limit = 100): Promise<StoredCheckpoint[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`invalid limit ${limit}`);
    const rows = await this.db.withTransaction((tx) =>
      tx.query('SELECT size, root, note, signed_at FROM audit_checkpoints ORDER BY id DESC LIMIT $1', [
        Math.min(limit, MAX_CHECKPOINTS_PAGE),
      ]),
    );
    return rows.map(toCheckpoint);
  }

  private loadKey(): Promise<LoadedKey> {
    this.key ??= this.resolveKey().catch((error: unknown) => {
      this.key = undefined; // a failed load (database down) may be retried
      throw error;
    });
    return this.key;
  }

  private async resolveKey(): Promise<LoadedKey> {
    const configured = this.options.signerKey;
    const signerKey = configured ?? (await this.storedKey());
    const signer = parseSignerKey(signerKey);
    const verifierKey = verifierKeyOf(signerKey);
    if (parseVerifierKey(verifierKey).keyId !== signer.keyId) throw new NoteError('verifier key does not match');
    return { signer, verifierKey };
  }

  /** The embedded default: generated once and kept in audit_signer_key (the first writer wins a race). */
  private async storedKey(): Promise<string> {
    return this.db.withTransaction(async (tx) => {
      await setupAuditLogTables(tx);
      const { privateKey } = generateKeyPairSync('ed25519');
      await tx.query('INSERT INTO audit_signer_key (id, signer_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
        formatSignerKey(this.options.origin, SIGNATURE_TYPE_ED25519, privateKey),
      ]);
      const [row] = await tx.query('SELECT signer_key FROM audit_signer_key WHERE id = 1');
      if (!row) throw new Error('audit signer key could not be stored');
      return toText(row.signer_key);
    });
  }
}

/** The verifier key of an Ed25519 signer key string (libs/audit keeps the seed-to-public step internal). */
export function verifierKeyOf(signerKey: string): string {
  parseSignerKey(signerKey); // validates name, key ID and length
  const [name, , ...rest] = signerKey.slice('PRIVATE+KEY+'.length).split('+');
  const bytes = Buffer.from(rest.join('+'), 'base64');
  if (name === undefined || bytes[0] !== SIGNATURE_TYPE_ED25519) {
    throw new NoteError('the checkpoint signer key must be an Ed25519 (type 0x01) key');
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes.subarray(1)]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return formatVerifierKey(name, SIGNATURE_TYPE_ED25519, spki.subarray(spki.length - 32));
}
