import type { Projection } from '@muskel/application';
import { CompactRange, HASH_SIZE } from '@muskel/audit';
import { type RecordedEvent, type StoreTransaction, comparePositions } from '@muskel/event-store';
import { LeafTextBuilder, leafHashOfText } from './fast-record';
import { setupAuditLogTables } from './schema';
import { type SqlRunner, toBuffer, toText } from './sql';
import { INSERT_NODES_SQL, nodesParams } from './stored-tree';
import { appendLeaves } from './tree-nodes';
import { treeFromRow } from './tree-state';

export const AUDIT_LOG_PROJECTION = 'audit-log';

/**
 * Events per page (and transaction) when the worker runs the integrator: larger pages spread each page's fixed
 * cost (frontier read and write, checkpoint) over more leaves; 2,000 measured about 15% faster than the runner's
 * default of 500. The bench uses the same constant, so its figure is the worker's.
 */
export const AUDIT_LOG_BATCH_SIZE = 2000;

/**
 * The integrator: every event of the store, in global order, becomes the next leaf (seq 0, 1, 2, ... without gaps,
 * since seq is the tree size, not a SEQUENCE). Leaves, tree nodes and the frontier are written in the runner's
 * transaction, together with its checkpoint, so a crash loses all or none of them.
 */
export class AuditLogProjection implements Projection {
  readonly name = AUDIT_LOG_PROJECTION;

  async setup(tx: StoreTransaction): Promise<void> {
    await setupAuditLogTables(tx);
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    await this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    await integrate(tx, events);
  }

  /** An append-only log is never rebuilt: its leaves are already signed into checkpoints others hold. */
  reset(): Promise<void> {
    return Promise.reject(
      new Error('the audit log is append-only and cannot be reset or rebuilt; its checkpoints are already published'),
    );
  }
}

/**
 * Leaves of a chunk in one statement: arrays, not one bind parameter per value, so the statement text and its plan
 * stay the same whatever the chunk size (and 65,535 parameters are never a limit). Hashes go as one bytea; records
 * as one text joined by line feeds, which canonical JSON never contains (RFC 8785 escapes every control
 * character), measured a quarter faster than a text[] whose JSON quotes must all be escaped. Should a record hold
 * one anyway, the split gives more records than ids and the NOT NULL event_id refuses the insert.
 */
const INSERT_LEAVES_SQL = `
  INSERT INTO audit_leaves (seq, event_id, leaf_hash, record)
  SELECT $1::bigint + i - 1, e, substring($3::bytea FROM (i::int - 1) * ${HASH_SIZE} + 1 FOR ${HASH_SIZE}), r
    FROM unnest($2::text[], string_to_array($4::text, E'\\n')) WITH ORDINALITY AS t(e, r, i)`;

/**
 * Leaves per INSERT within a page. The statement for one chunk is sent before the next chunk is computed, so the
 * server writes while this process canonicalises and hashes.
 */
const PIPELINE_CHUNK = 256;

/**
 * Appends the events not yet in the log as leaves; returns how many were new. Idempotent per event id. Leaves,
 * the complete subtree hashes they finish (audit_nodes) and the frontier are written set-based: one INSERT per
 * PIPELINE_CHUNK leaves, one for the nodes and one UPDATE of the tree row per page.
 */
export async function integrate(sql: SqlRunner, events: readonly RecordedEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  // One round trip: the tree row, locked (a second integrator or a checkpointer waits instead of forking the
  // sequence), the pseudonym key, and no wait for this commit's WAL flush (a third of the integrator's time,
  // measured). A crash may then lose the last pages, but with the runner's checkpoint in the same transaction, and
  // the replay rebuilds the very same leaves (same events, same global order, same key). A signed checkpoint cannot
  // cover a lost leaf: its own commit is synchronous and flushes the WAL written before it. As rebuildProjection does.
  const [row] = await sql.query(`
    SELECT t.size, t.frontier, t.last_position, k.key, set_config('synchronous_commit', 'off', true) AS sync
      FROM audit_tree t CROSS JOIN audit_pseudonym_key k
     WHERE t.id = 1 AND k.id = 1
       FOR UPDATE OF t`);
  if (!row) throw new Error('audit log tree or pseudonym key is missing (run AuditLogProjection.setup first)');
  const tree = treeFromRow(row);
  const builder = new LeafTextBuilder(toBuffer(row.key));
  // Which of these events are leaves already (a replay). Every leaf's event lies at or before the tree's
  // last_position (each call moves it to the furthest event it integrated), so a page that starts after it holds
  // none and needs no look-up: a round trip and 2,000 index probes a page, most of the integrator's wait. After the
  // lock, so a concurrent integrator's leaves (committed while this one waited) are seen. Should anything still slip
  // through, the unique event_id refuses the page rather than log an event twice.
  let earliest = events[0]!.position;
  let furthest = earliest;
  for (const event of events) {
    if (comparePositions(event.position, earliest) < 0) earliest = event.position;
    if (comparePositions(event.position, furthest) > 0) furthest = event.position;
  }
  const last = row.last_position === null || row.last_position === undefined ? null : toText(row.last_position);
  const known =
    last === null || comparePositions(earliest, last) <= 0
      ? await sql.query('SELECT event_id FROM audit_leaves WHERE event_id = ANY($1::text[])', [events.map((e) => e.id)])
      : [];
  const seen = new Set(known.map((row) => toText(row.event_id)));
  const first = tree.size;
  const hashes: Buffer[] = [];
  // One statement in flight at a time (a connection runs one anyway): chunk k is written while k + 1 is computed.
  let inFlight: Promise<unknown> = Promise.resolve();
  let ids: string[] = [];
  let texts: string[] = [];
  const flush = async () => {
    if (ids.length === 0) return;
    const start = first + hashes.length - ids.length;
    const params = [start, ids, Buffer.concat(hashes.slice(-ids.length)), texts.join('\n')];
    ids = [];
    texts = [];
    await inFlight;
    inFlight = sql.query(INSERT_LEAVES_SQL, params);
    inFlight.catch(() => undefined); // awaited later; should the loop throw first, not an unhandled rejection
  };
  for (const event of events) {
    if (seen.has(event.id)) continue; // a replay: already a leaf
    seen.add(event.id);
    const text = builder.text(event, first + hashes.length);
    ids.push(event.id);
    texts.push(text);
    hashes.push(leafHashOfText(text));
    if (ids.length === PIPELINE_CHUNK) await flush();
  }
  await flush();
  if (hashes.length === 0) {
    await inFlight;
    return 0;
  }
  // The nodes are hashed while the last chunk is written.
  const grown = appendLeaves(tree.size, tree.frontier(), hashes);
  const next = CompactRange.fromFrontier(grown.size, grown.frontier);
  const furthestIntegrated = last !== null && comparePositions(last, furthest) > 0 ? last : furthest;
  const params = [...nodesParams(grown.nodes), next.size, Buffer.concat(next.frontier()), furthestIntegrated];
  await inFlight;
  // The nodes and the tree row in one statement (one round trip).
  await sql.query(
    `WITH nodes AS (${INSERT_NODES_SQL}) UPDATE audit_tree SET size = $4, frontier = $5, last_position = $6 WHERE id = 1`,
    params,
  );
  return hashes.length;
}
