/**
 * The audit log as one archive an auditor can take away and check offline (`muskel audit verify-export`): every
 * leaf up to a signed checkpoint, every signed checkpoint up to it, the verifier key, and for auditors the stored
 * events themselves, so each leaf's digest can be recomputed. Streamed page by page: memory stays bounded by one
 * part file whatever the size of the log, and the archive is produced only as fast as the reader takes it.
 */
import { Readable, pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import { pack as tarPack, type Pack } from 'tar-stream';
import { parseCheckpoint, parseNote } from '@muskel/audit';
import { InvalidArgumentError, type EventPlace, type EventStore, type RecordedEvent } from '@muskel/event-store';
import { type StoredCheckpoint, toCheckpoint } from './audit-log';
import { type SqlRunner, toSafeInteger, toText } from './sql';

/**
 * Names the archive's layout; a verifier refuses a format it does not know. Format 2: each line of a leaves part is
 * the leaf's record itself, the exact bytes hashed into the tree (format 1 wrapped it in a JSON string beside its
 * seq, event id and leaf hash, all inside the record or computed from it: unwrapping was a third of verifying).
 */
export const EXPORT_FORMAT = 'muskel-audit-export/2';

/**
 * Tar needs each entry's size before its bytes, so a JSON Lines file cannot be streamed into the archive as it is
 * read. Rather than spooling whole files to a temporary file first (disk as large as the log, and nothing sent
 * until the whole log has been read), the lines are cut into numbered parts of bounded size, each held in memory
 * only while it is written: memory is bounded by one part, no temporary disk is needed (read-only containers), and
 * the first bytes leave at once. A leaves part and the events part after it cover the same leaves, so a verifier
 * can match events to leaves holding one part at a time.
 */
export const PART_MAX_LINES = 10_000;
/** A part is also closed once it reaches this many bytes (events with large payloads). */
export const PART_MAX_BYTES = 8 * 1024 * 1024;
/** Rows per keyset read. */
const PAGE = 1000;

export const MANIFEST_FILE = 'manifest.json';
export const VERIFIER_KEY_FILE = 'verifier-key';
export const CHECKPOINT_FILE = 'checkpoint';
export const partName = (kind: 'checkpoints' | 'leaves' | 'events', n: number): string =>
  `${kind}-${String(n).padStart(6, '0')}.jsonl`;
/** `leaves-000001.jsonl` -> ['leaves', 1]. */
export const PART_PATTERN = /^(checkpoints|leaves|events)-(\d{6})\.jsonl$/;

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  origin: string;
  /** The tree size of the checkpoint the export is cut at: the number of leaves it should hold. */
  size: number;
  /** Base64 root hash of that checkpoint. */
  rootHash: string;
  /** `events`: null without events; with them, the events expected (one per leaf; the verifier names any missing). */
  counts: { leaves: number; checkpoints: number; events: number | null };
  /** Lines per part at most (and PART_MAX_BYTES). */
  partMaxLines: number;
  created: string;
}

/**
 * One line of `leaves-*.jsonl` parsed: the leaf's record (RFC 8785 canonical JSON, so never a raw newline). The
 * line's UTF-8 bytes are the leaf: its hash is SHA-256(0x00 || line).
 */
export interface ExportedLeaf {
  seq: number;
  eventId: string;
  [field: string]: unknown;
}

/** One line of `events-*.jsonl`: the stored event, as stored. */
export interface ExportedEvent {
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: unknown;
  recordedAt: string;
}

/** One line of `checkpoints-*.jsonl`. */
export interface ExportedCheckpoint {
  size: number;
  rootHash: string;
  signedAt: string;
  note: string;
}

export interface ExportOptions {
  /** Cut at the latest checkpoint of this tree size; default the latest checkpoint. */
  size?: number;
  /** Add the stored events (personal data: auditors only, and the read must be recorded by the caller). */
  events?: boolean;
  /** Where the events are read, as stored (`store.raw()`): required with `events`. */
  log?: Pick<EventStore, 'readEvents'>;
  gzip?: boolean;
  /** The log's verifier key, written as `verifier-key`. */
  verifierKey: string;
  now?: Date;
  /** Smaller parts for tests; default PART_MAX_LINES. */
  partMaxLines?: number;
}

/** What an export will hold, decided before the first byte is sent (so the caller can still answer 404). */
export interface PreparedExport {
  manifest: ExportManifest;
  checkpoint: StoredCheckpoint;
  /** The archive; errors while reading the log destroy it. */
  open(): Readable;
}

/** Resolves the cut; undefined when there is no such checkpoint (none signed, or none of that size). */
export async function prepareExport(sql: SqlRunner, options: ExportOptions): Promise<PreparedExport | undefined> {
  const [cutRow] =
    options.size === undefined
      ? await sql.query('SELECT id, size, root, note, signed_at FROM audit_checkpoints ORDER BY id DESC LIMIT 1')
      : await sql.query(
          'SELECT id, size, root, note, signed_at FROM audit_checkpoints WHERE size = $1 ORDER BY id DESC LIMIT 1',
          [options.size],
        );
  if (!cutRow) return undefined;
  const cutId = toSafeInteger(cutRow.id);
  const checkpoint = toCheckpoint(cutRow);
  const origin = parseCheckpoint(parseNote(checkpoint.note).text).origin;
  const [counts] = await sql.query(
    `SELECT (SELECT count(*) FROM audit_checkpoints WHERE id <= $1) AS checkpoints,
            (SELECT count(*) FROM audit_leaves WHERE seq < $2) AS leaves`,
    [cutId, checkpoint.size],
  );
  if (options.events && !options.log) throw new Error('an export with events needs the log to read them from');
  const leaves = toSafeInteger(counts?.leaves);
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    origin,
    size: checkpoint.size,
    rootHash: checkpoint.rootHash.toString('base64'),
    counts: { leaves, checkpoints: toSafeInteger(counts?.checkpoints), events: options.events ? leaves : null },
    partMaxLines: options.partMaxLines ?? PART_MAX_LINES,
    created: (options.now ?? new Date()).toISOString(),
  };
  return {
    manifest,
    checkpoint,
    open: () => {
      const archive = tarPack();
      // A Node stream over the streamx pack, pulled as the reader drains it (closing it early stops the export).
      const source = Readable.from(archive, { objectMode: false });
      writeArchive(archive, sql, cutId, manifest, checkpoint, options).then(
        () => archive.finalize(),
        (error: unknown) => archive.destroy(error instanceof Error ? error : new Error(String(error))),
      );
      return options.gzip ? pipeline(source, createGzip(), () => undefined) : source;
    },
  };
}

/** Adds one entry and waits until the archive has taken it: the backpressure point of the whole export. */
function addEntry(archive: Pack, name: string, content: string | Buffer, mtime: Date): Promise<void> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return new Promise((resolve, reject) => {
    archive.entry({ name, size: bytes.length, mtime, mode: 0o644 }, bytes, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

/** Collects JSON lines into parts of at most `maxLines` lines or PART_MAX_BYTES bytes. */
class PartWriter {
  private lines: string[] = [];
  bytes = 0;
  count = 0;

  constructor(private readonly maxLines: number) {}

  add(value: unknown): void {
    this.addLine(JSON.stringify(value));
  }

  addLine(text: string): void {
    const line = `${text}\n`;
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line, 'utf8');
  }

  get full(): boolean {
    return this.lines.length >= this.maxLines || this.bytes >= PART_MAX_BYTES;
  }

  get empty(): boolean {
    return this.lines.length === 0;
  }

  take(): Buffer {
    const content = Buffer.from(this.lines.join(''), 'utf8');
    this.lines = [];
    this.bytes = 0;
    this.count += 1;
    return content;
  }
}

async function writeArchive(
  archive: Pack,
  sql: SqlRunner,
  cutId: number,
  manifest: ExportManifest,
  checkpoint: StoredCheckpoint,
  options: ExportOptions,
): Promise<void> {
  const mtime = new Date(manifest.created);
  const maxLines = manifest.partMaxLines;
  await addEntry(archive, MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`, mtime);
  await addEntry(archive, VERIFIER_KEY_FILE, `${options.verifierKey}\n`, mtime);
  await addEntry(archive, CHECKPOINT_FILE, checkpoint.note, mtime);

  // Every checkpoint up to the cut, in signing order: the verifier checks the root history at each of them.
  const checkpoints = new PartWriter(maxLines);
  for (let after = 0; ;) {
    const rows = await sql.query(
      'SELECT id, size, root, note, signed_at FROM audit_checkpoints WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3',
      [after, cutId, PAGE],
    );
    for (const row of rows) {
      const c = toCheckpoint(row);
      checkpoints.add({
        size: c.size,
        rootHash: c.rootHash.toString('base64'),
        signedAt: c.signedAt.toISOString(),
        note: c.note,
      } satisfies ExportedCheckpoint);
      if (checkpoints.full)
        await addEntry(archive, partName('checkpoints', checkpoints.count + 1), checkpoints.take(), mtime);
    }
    if (rows.length < PAGE) break;
    after = toSafeInteger(rows.at(-1)?.id);
  }
  if (!checkpoints.empty)
    await addEntry(archive, partName('checkpoints', checkpoints.count + 1), checkpoints.take(), mtime);

  // Leaves by keyset on seq (and their events, read from the log at the stream and revision each leaf names), one
  // part at a time.
  const leaves = new PartWriter(maxLines);
  const events = new PartWriter(Number.MAX_SAFE_INTEGER); // closed together with its leaves part
  let part = 0;
  const flush = async (): Promise<void> => {
    part += 1;
    await addEntry(archive, partName('leaves', part), leaves.take(), mtime);
    if (options.events) await addEntry(archive, partName('events', part), events.take(), mtime);
  };
  for (let from = 0; ;) {
    const rows = await sql.query(
      'SELECT seq, event_id, record FROM audit_leaves WHERE seq >= $1 AND seq < $2 ORDER BY seq LIMIT $3',
      [from, manifest.size, PAGE],
    );
    const stored = options.log && options.events ? await readEvents(options.log, rows) : undefined;
    for (const row of rows) {
      const eventId = toText(row.event_id);
      leaves.addLine(toText(row.record));
      // A leaf whose event is gone gets no line: the verifier reports it missing.
      const event = stored?.get(eventId);
      if (event) events.add(event);
      if (leaves.full || events.bytes >= PART_MAX_BYTES) await flush();
    }
    if (rows.length < PAGE) break;
    from = toSafeInteger(rows.at(-1)?.seq) + 1;
  }
  if (!leaves.empty) await flush();
}

/**
 * The events the leaves name, by event id, read at the place (stream, revision) each leaf's record gives. An event
 * that is not there, or another event in its place, is left out: the verifier reports the leaf's event missing.
 */
async function readEvents(
  log: Pick<EventStore, 'readEvents'>,
  rows: readonly Record<string, unknown>[],
): Promise<Map<string, ExportedEvent>> {
  const places: EventPlace[] = [];
  for (const row of rows) {
    const place = placeOf(toText(row.record));
    if (place) places.push(place);
  }
  const found = new Map<string, ExportedEvent>();
  const wanted = new Set(rows.map((row) => toText(row.event_id)));
  for (const event of places.length > 0 ? await readPlaces(log, places) : []) {
    if (!wanted.has(event.id)) continue;
    found.set(event.id, {
      id: event.id,
      stream: event.streamName,
      revision: event.revision,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      recordedAt: event.recordedAt.toISOString(),
    });
  }
  return found;
}

/** The events at `places`; a place no stream can have (named by an altered leaf) is skipped, not fatal. */
async function readPlaces(log: Pick<EventStore, 'readEvents'>, places: EventPlace[]): Promise<RecordedEvent[]> {
  try {
    return await log.readEvents(places);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    const events: RecordedEvent[] = [];
    for (const place of places) {
      try {
        events.push(...(await log.readEvents([place])));
      } catch (one) {
        if (!(one instanceof InvalidArgumentError)) throw one;
      }
    }
    return events;
  }
}

/** A leaf record's stream and revision; undefined for a record that does not name them (the verifier says so). */
function placeOf(record: string): EventPlace | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { stream, revision } = parsed as { stream?: unknown; revision?: unknown };
  if (typeof stream !== 'string' || stream === '' || !Number.isSafeInteger(revision) || (revision as number) < 0) {
    return undefined;
  }
  return { stream, revision: revision as number };
}
