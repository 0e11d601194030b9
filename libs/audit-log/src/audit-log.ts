import { leafHash } from '@muskel/audit';
import { type SqlRunner, toBuffer, toDate, toSafeInteger, toText } from './sql';
import { type TreeHead, storedConsistencyProof, storedInclusionProof, storedRoot } from './stored-tree';
import { loadTree } from './tree-state';

export interface StoredLeaf {
  seq: number;
  eventId: string;
  leafHash: Buffer;
  /** The leaf's exact bytes as UTF-8 text (RFC 8785 canonical JSON of an AuditRecord). */
  record: string;
}

export interface StoredCheckpoint {
  size: number;
  rootHash: Buffer;
  /** The signed C2SP checkpoint note. */
  note: string;
  signedAt: Date;
}

/** Everything an auditor needs to check one event's leaf offline; JSON-ready (hashes in base64). */
export interface ProofBundle {
  eventId: string;
  index: number;
  record: string;
  leafHash: string;
  /** The latest signed checkpoint; null until one covers this leaf. */
  checkpoint: { note: string; size: number; rootHash: string } | null;
  /** Inclusion proof of the leaf in the checkpoint's tree; null with the checkpoint. */
  inclusionProof: string[] | null;
}

/** Most leaves `leaves()` returns at once. */
export const MAX_LEAVES_PAGE = 1000;
/** Most checkpoints `history()` returns at once. */
export const MAX_CHECKPOINTS_PAGE = 1000;

/**
 * Reads of the audit log: sizes, roots, leaves, proofs. The current root comes from the stored frontier; roots of
 * older sizes and all proofs from the stored complete-subtree hashes (audit_nodes, stored-tree.ts): O(log n) rows
 * in one query, each answer checked against the frontier's root before it is returned (AuditLogIntegrityError
 * when a stored hash is missing or does not fit).
 */
export class AuditLog {
  constructor(private readonly sql: SqlRunner) {}

  async size(): Promise<number> {
    return (await loadTree(this.sql)).size;
  }

  /** MTH of the first `size` leaves (default: all of them). */
  async root(size?: number): Promise<Buffer> {
    const head = await this.head();
    if (size === undefined || size === head.size) return head.root;
    checkSize(size, head.size);
    return storedRoot(this.sql, head, size);
  }

  async leaf(seq: number): Promise<StoredLeaf | undefined> {
    if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
    const [row] = await this.sql.query('SELECT seq, event_id, leaf_hash, record FROM audit_leaves WHERE seq = $1', [
      seq,
    ]);
    return row ? toLeaf(row) : undefined;
  }

  async leafByEventId(eventId: string): Promise<StoredLeaf | undefined> {
    const [row] = await this.sql.query(
      'SELECT seq, event_id, leaf_hash, record FROM audit_leaves WHERE event_id = $1',
      [eventId],
    );
    return row ? toLeaf(row) : undefined;
  }

  /** Leaves `from` .. `from + count - 1`, at most MAX_LEAVES_PAGE of them. */
  async leaves(from: number, count: number): Promise<StoredLeaf[]> {
    if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`invalid leaf index ${from}`);
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`invalid leaf count ${count}`);
    const rows = await this.sql.query(
      'SELECT seq, event_id, leaf_hash, record FROM audit_leaves WHERE seq >= $1 ORDER BY seq LIMIT $2',
      [from, Math.min(count, MAX_LEAVES_PAGE)],
    );
    return rows.map(toLeaf);
  }

  /** RFC 9162 inclusion proof of leaf `seq` in the tree of `size` leaves (O(log n), see the class comment). */
  async inclusionProof(seq: number, size: number): Promise<Buffer[]> {
    const head = await this.head();
    checkSize(size, head.size);
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= size)
      throw new RangeError(`leaf ${seq} is not in size ${size}`);
    return storedInclusionProof(this.sql, head, seq, size);
  }

  /** RFC 9162 consistency proof from `size1` to `size2` (O(log n), see the class comment). */
  async consistencyProof(size1: number, size2: number): Promise<Buffer[]> {
    const head = await this.head();
    checkSize(size2, head.size);
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2) {
      throw new RangeError(`invalid sizes ${size1} → ${size2}`);
    }
    return storedConsistencyProof(this.sql, head, size1, size2);
  }

  /** The frontier's size and root: what every older root and proof is checked against. */
  private async head(): Promise<TreeHead> {
    const tree = await loadTree(this.sql);
    return { size: tree.size, root: tree.root() };
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return latestCheckpoint(this.sql);
  }

  /** The event's leaf, its index, the latest signed checkpoint and the inclusion proof to it; undefined if unknown. */
  async proofBundle(eventId: string): Promise<ProofBundle | undefined> {
    const leaf = await this.leafByEventId(eventId);
    if (!leaf) return undefined;
    const checkpoint = await latestCheckpoint(this.sql);
    const covered = checkpoint !== undefined && leaf.seq < checkpoint.size;
    return {
      eventId: leaf.eventId,
      index: leaf.seq,
      record: leaf.record,
      leafHash: leaf.leafHash.toString('base64'),
      checkpoint: covered
        ? { note: checkpoint.note, size: checkpoint.size, rootHash: checkpoint.rootHash.toString('base64') }
        : null,
      inclusionProof: covered
        ? (await this.inclusionProof(leaf.seq, checkpoint.size)).map((h) => h.toString('base64'))
        : null,
    };
  }
}

function checkSize(size: number, current: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > current) {
    throw new RangeError(`invalid tree size ${size} (the log has ${current} leaves)`);
  }
}

function toLeaf(row: Record<string, unknown>): StoredLeaf {
  return {
    seq: toSafeInteger(row.seq),
    eventId: toText(row.event_id),
    leafHash: toBuffer(row.leaf_hash),
    record: toText(row.record),
  };
}

export async function latestCheckpoint(sql: SqlRunner): Promise<StoredCheckpoint | undefined> {
  const [row] = await sql.query('SELECT size, root, note, signed_at FROM audit_checkpoints ORDER BY id DESC LIMIT 1');
  return row ? toCheckpoint(row) : undefined;
}

export function toCheckpoint(row: Record<string, unknown>): StoredCheckpoint {
  return {
    size: toSafeInteger(row.size),
    rootHash: toBuffer(row.root),
    note: toText(row.note),
    signedAt: toDate(row.signed_at),
  };
}

/** The hash a leaf's record must have: lets a reader re-check a stored leaf. */
export function recordLeafHash(record: string): Buffer {
  return leafHash(Buffer.from(record, 'utf8'));
}
