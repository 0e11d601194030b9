import type { RecordedEvent, StoreTransaction } from '@muskel/event-store';

/** Anything that runs SQL: a store transaction, or the store's `SqlExecutor`. */
export interface SqlRunner {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

type Row = Record<string, unknown>;

/** When the act happened: the command's `occurredAt`, else the store's time. */
export function occurredAt(event: RecordedEvent): string {
  const value = event.metadata.occurredAt;
  return typeof value === 'string' && value !== '' ? value : event.recordedAt.toISOString();
}

/** The id after the category: `proposal-<id>` → `<id>`. */
export function streamId(event: RecordedEvent): string {
  return event.streamName.slice(event.streamName.indexOf('-') + 1);
}

/** `YYYY-MM` of an ISO timestamp, in UTC. */
export function periodOf(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso.slice(0, 7) : date.toISOString().slice(0, 7);
}

export function digitsOnly(code: string): string {
  return code.replace(/\D/g, '');
}

/** Region prefixes of the reader's scopes, or null when one of them is NATIONAL (no restriction). */
export function scopePrefixes(scopes: readonly string[]): string[] | null {
  if (scopes.some((scope) => scope.toUpperCase() === 'NATIONAL')) return null;
  return scopes.map(digitsOnly).filter((scope) => scope.length > 0);
}

/** The events of the given stream categories: pages handed to a projection may hold others. */
export function ofCategories(events: readonly RecordedEvent[], categories: readonly string[]): RecordedEvent[] {
  return events.filter((event) => categories.includes(event.streamName.slice(0, event.streamName.indexOf('-'))));
}

/** Events a projection has not applied yet, by the stream revision it keeps per row (replays change nothing). */
export function unseen(events: readonly RecordedEvent[], applied: Map<string, number>): RecordedEvent[] {
  const fresh: RecordedEvent[] = [];
  for (const event of events) {
    const revision = applied.get(event.streamName) ?? -1;
    if (event.revision <= revision) continue;
    applied.set(event.streamName, event.revision);
    fresh.push(event);
  }
  return fresh;
}

/**
 * A table `<table>(stream text PRIMARY KEY, revision bigint)`: the stream revisions a projection that keeps no
 * per-stream row (counts, history rows) has applied.
 */
export class StreamRevisions {
  constructor(private readonly table: string) {}

  ddl(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.table} (stream text PRIMARY KEY, revision bigint NOT NULL)`;
  }

  async load(tx: SqlRunner, events: readonly RecordedEvent[]): Promise<Map<string, number>> {
    const streams = [...new Set(events.map((event) => event.streamName))];
    const rows = await tx.query<{ stream: string; revision: string | number }>(
      `SELECT stream, revision FROM ${this.table} WHERE stream = ANY($1::text[])`,
      [streams],
    );
    return new Map(rows.map((row) => [row.stream, Number(row.revision)]));
  }

  async save(tx: SqlRunner, applied: Map<string, number>): Promise<void> {
    if (applied.size === 0) return;
    await tx.query(
      `INSERT INTO ${this.table} (stream, revision)
       SELECT s, r FROM unnest($1::text[], $2::bigint[]) AS x(s, r)
       ON CONFLICT (stream) DO UPDATE SET revision = GREATEST(${this.table}.revision, EXCLUDED.revision)`,
      [[...applied.keys()], [...applied.values()]],
    );
  }
}

/** A column of a document table, derived from the folded document. */
export interface DocColumn<D> {
  name: string;
  /** SQL type, as `jsonb_to_recordset` reads it. */
  type: string;
  value: (doc: D) => unknown;
}

/**
 * A read model of one row per stream: the folded document (jsonb) plus columns derived from it for filters. A page
 * loads the rows it touches in one query, folds in memory, and writes back with one multi-row upsert.
 */
export class DocumentTable<D> {
  constructor(
    readonly table: string,
    private readonly columns: readonly DocColumn<D>[],
  ) {}

  ddl(): string {
    const cols = this.columns.map((column) => `${column.name} ${column.type}`).join(',\n  ');
    return `CREATE TABLE IF NOT EXISTS ${this.table} (
  id text PRIMARY KEY,
  ${cols},
  doc jsonb NOT NULL,
  revision bigint NOT NULL,
  last_position text NOT NULL,
  updated_at timestamptz NOT NULL
)`;
  }

  /**
   * Folds the page's events into the rows of their streams. `fold` returns undefined for a stream that does not
   * exist yet (an event before its creation event, which a well-formed log never has).
   */
  async applyPage(
    tx: SqlRunner,
    events: readonly RecordedEvent[],
    fold: (doc: D | undefined, event: RecordedEvent) => D | undefined,
  ): Promise<Map<string, D>> {
    const ids = [...new Set(events.map(streamId))];
    const rows = await tx.query<{ id: string; doc: D; revision: string | number }>(
      `SELECT id, doc, revision FROM ${this.table} WHERE id = ANY($1::text[])`,
      [ids],
    );
    const current = new Map(rows.map((row) => [row.id, { doc: row.doc, revision: Number(row.revision) }]));
    const changed = new Map<string, { doc: D; revision: number; position: string; at: string }>();
    for (const event of events) {
      const id = streamId(event);
      const entry = changed.get(id) ?? current.get(id);
      if (entry && event.revision <= entry.revision) continue;
      const doc = fold(entry?.doc, event);
      if (doc === undefined) continue;
      changed.set(id, { doc, revision: event.revision, position: event.position, at: occurredAt(event) });
    }
    if (changed.size === 0) return new Map();
    const records: Row[] = [];
    for (const [id, entry] of changed) {
      const record: Row = {
        id,
        doc: entry.doc,
        revision: entry.revision,
        last_position: entry.position,
        updated_at: entry.at,
      };
      for (const column of this.columns) record[column.name] = column.value(entry.doc) ?? null;
      records.push(record);
    }
    const names = [
      'id',
      ...this.columns.map((column) => column.name),
      'doc',
      'revision',
      'last_position',
      'updated_at',
    ];
    const types = [
      'id text',
      ...this.columns.map((column) => `${column.name} ${column.type}`),
      'doc jsonb',
      'revision bigint',
      'last_position text',
      'updated_at timestamptz',
    ];
    await tx.query(
      `INSERT INTO ${this.table} (${names.join(', ')})
       SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${types.join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${names
         .slice(1)
         .map((name) => `${name} = EXCLUDED.${name}`)
         .join(', ')}`,
      [JSON.stringify(records)],
    );
    return new Map([...changed].map(([id, entry]) => [id, entry.doc]));
  }
}

/** Opaque cursor over (sort key, id). */
export function encodeCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): [string, string] | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) {
      return [value[0] as string, value[1] as string];
    }
  } catch {
    // falls through: a malformed cursor
  }
  throw new Error('INVALID_CURSOR');
}

export function clampLimit(limit: number | undefined, fallback = 50, max = 500): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(max, Math.floor(limit)));
}

/** Adds `$n` placeholders as conditions are built. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export type { StoreTransaction };
