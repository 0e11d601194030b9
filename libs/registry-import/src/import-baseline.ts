import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { deterministicId, eventMetadata, type CommandContext, type CommandPipeline } from '@muskel/application';
import {
  DomainError,
  householdDecider,
  householdStreamName,
  initialHouseholdState,
  parseRegionCode,
  type Actor,
  type HouseholdCommand,
} from '@muskel/domain';
import {
  TransactionConflictError,
  WrongExpectedVersionError,
  type EventStore,
  type JsonObject,
  type NewEvent,
  type StoreTransaction,
} from '@muskel/event-store';
import { BlindIndex, ensureBlindIndexKey } from '@muskel/projections';
import { CSV_COLUMNS, columnOfField, parseCsvRow, type CsvRow, type ImportRowError } from './csv-row';

export interface ImportProgress {
  rows: number;
  households: number;
  imported: number;
  alreadyImported: number;
  rejected: number;
}

export interface ImportOptions {
  /** The village being imported: rows of another village are errors; an empty village_code cell takes it. */
  villageCode?: string;
  /** SYSTEM (operator CLI) or a VERIFIER whose regency covers the village. */
  actor: Actor;
  fileName: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Rows between progress calls. Default 1,000. */
  progressEvery?: number;
  /** Households appended per transaction. Default 500. */
  householdsPerTransaction?: number;
  /** Transactions in flight at once (PostgreSQL: one connection each). Default 4; PGlite has one connection. */
  concurrentTransactions?: number;
  /** When the import happened (ISO 8601); default now. */
  occurredAt?: string;
  /** At most this many errors listed in the report (all are counted). Default 1,000. */
  maxErrorsListed?: number;
}

export interface ImportReport {
  importId: string;
  /** `sha256:<hex>` of the file: identifies the import. */
  digest: string;
  fileName: string;
  villageCode: string | null;
  /** True when an unfinished import of the same file was continued. */
  resumed: boolean;
  startedAt: string;
  finishedAt: string;
  rows: number;
  households: {
    /** Written by this run. */
    imported: number;
    /** Written by an earlier, interrupted run of the same file. */
    alreadyImported: number;
    /** Not imported: a row with an error, or the KK is on the registry already. */
    rejected: number;
  };
  errorCount: number;
  errors: ImportRowError[];
}

/** The same file was imported before: a file is imported once. */
export class DuplicateImportError extends Error {
  override readonly name = 'DuplicateImportError';
  readonly code = 'DUPLICATE_IMPORT';
  constructor(
    readonly importId: string,
    readonly importedAt: string,
  ) {
    super(`this file was already imported (import ${importId}, finished ${importedAt})`);
  }
}

/** The file is not a baseline CSV (missing columns): nothing is imported. */
export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
  readonly code = 'INVALID_FILE';
}

const REGISTRY_IMPORTS_DDL = `
CREATE TABLE IF NOT EXISTS registry_imports (
  import_id           text PRIMARY KEY,
  digest              text NOT NULL UNIQUE,
  file_name           text NOT NULL,
  village_code        text,
  actor_user_id       text NOT NULL,
  started_at          timestamptz NOT NULL,
  finished_at         timestamptz,
  rows_read           integer NOT NULL DEFAULT 0,
  households_imported integer NOT NULL DEFAULT 0,
  households_rejected integer NOT NULL DEFAULT 0,
  error_count         integer NOT NULL DEFAULT 0
)`;

/**
 * Our household id for a KK number: the same KK always maps to the same registry entry, so none is enrolled twice.
 * Derived from the KK's keyed blind index (HMAC under a secret kept in the database), never from the plain number:
 * an id travels in URLs and logs, and an unkeyed hash of a 16-digit number is undone by brute force (UU PDP).
 */
export type HouseholdIdForKk = (kkNumber: string) => string;

export async function householdIdsForKk(store: EventStore): Promise<HouseholdIdForKk> {
  const index = await store.withTransaction(async (tx) => {
    await ensureBlindIndexKey(tx);
    return BlindIndex.load(tx);
  });
  return (kkNumber) => deterministicId('household', index.kk(kkNumber));
}

/** Our id of the member on the `index`-th row (0-based) of a household's rows in the baseline file. */
export const baselineMemberId = (householdId: string, index: number): string =>
  deterministicId('member', householdId, index);

/** Copies the input to a temporary file while hashing it: the digest decides before anything is imported. */
async function spool(input: Readable): Promise<{ file: string; digest: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'muskel-import-'));
  const file = path.join(dir, 'baseline.csv');
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await streamPipeline(input, hashing, createWriteStream(file, { mode: 0o600 }));
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { file, digest: `sha256:${hash.digest('hex')}`, cleanup };
}

interface ImportRow {
  import_id: string;
  finished_at: Date | string | null;
}

/** Starts an import of `digest`, or continues an unfinished one; refuses a finished one. */
async function claimImport(
  store: EventStore,
  digest: string,
  options: ImportOptions,
  startedAt: string,
): Promise<{ importId: string; resumed: boolean }> {
  return store.withTransaction(async (tx) => {
    await tx.query(REGISTRY_IMPORTS_DDL);
    const importId = deterministicId('registry-import', digest);
    const inserted = await tx.query(
      `INSERT INTO registry_imports (import_id, digest, file_name, village_code, actor_user_id, started_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING import_id`,
      [importId, digest, options.fileName, options.villageCode ?? null, options.actor.userId, startedAt],
    );
    if (inserted.length > 0) return { importId, resumed: false };
    const [existing] = await tx.query<ImportRow & Record<string, unknown>>(
      'SELECT import_id, finished_at FROM registry_imports WHERE digest = $1',
      [digest],
    );
    if (!existing) throw new Error('registry_imports: the import row vanished');
    if (existing.finished_at !== null) {
      const finished = existing.finished_at instanceof Date ? existing.finished_at : new Date(existing.finished_at);
      throw new DuplicateImportError(existing.import_id, finished.toISOString());
    }
    return { importId: existing.import_id, resumed: true };
  });
}

interface PendingHousehold {
  householdId: string;
  firstRow: number;
  data: JsonObject;
}

/**
 * Imports a baseline registry file (DTKS/DTSEN extract, one row per person, the rows of one KK together): one
 * HouseholdEnrolled (source BASELINE_IMPORT) per KK, many per transaction. A household with any bad row is left
 * out and reported; the others are imported. Importing the same file again is refused once it finished, and
 * continues it when it did not (household and event ids derive from the file and the KK, so nothing doubles).
 */
export async function importBaseline(
  store: EventStore,
  _pipeline: CommandPipeline,
  input: Readable,
  options: ImportOptions,
): Promise<ImportReport> {
  const startedAt = new Date().toISOString();
  const village = options.villageCode === undefined ? undefined : parseVillageOption(options.villageCode);
  const every = options.progressEvery ?? 1_000;
  const chunkSize = options.householdsPerTransaction ?? 500;
  const maxErrors = options.maxErrorsListed ?? 1_000;
  const { file, digest, cleanup } = await spool(input);
  try {
    const { importId, resumed } = await claimImport(store, digest, options, startedAt);
    const householdIdForKk = await householdIdsForKk(store);
    const context: CommandContext = {
      actor: options.actor,
      correlationId: importId,
      causationId: importId,
      occurredAt: options.occurredAt ?? startedAt,
    };
    const errors: ImportRowError[] = [];
    let errorCount = 0;
    const report = (error: ImportRowError) => {
      errorCount++;
      if (errors.length < maxErrors) errors.push(error);
    };
    const progress: ImportProgress = { rows: 0, households: 0, imported: 0, alreadyImported: 0, rejected: 0 };
    // Hashes only (not the KK numbers): enough to notice a KK that comes back after other rows.
    const seen = new Set<string>();
    let pending: PendingHousehold[] = [];
    // Chunks written concurrently: the round trips of one transaction overlap with another's and with parsing.
    const inFlight = new Set<Promise<void>>();
    const maxInFlight = store.capabilities().concurrentConnections ? (options.concurrentTransactions ?? 4) : 1;
    let writeError: Error | undefined;
    const write = async (batch: PendingHousehold[]) => {
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      if (writeError !== undefined) throw writeError;
      const running = writeHouseholds(store, batch, importId, context, progress, report)
        .catch((error: unknown) => {
          writeError ??= error instanceof Error ? error : new Error(String(error));
        })
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
    };
    const drain = async () => {
      await Promise.all(inFlight);
      if (writeError !== undefined) throw writeError;
    };

    let group: { kkText: string; rows: CsvRow[]; firstRow: number; bad: boolean } | undefined;
    const finishGroup = async () => {
      if (group === undefined) return;
      const done = group;
      group = undefined;
      progress.households++;
      const enrolled = done.bad ? undefined : decideHousehold(householdIdForKk, done.rows, importId, report);
      if (enrolled === undefined) {
        progress.rejected++;
        return;
      }
      pending.push(enrolled);
      if (pending.length >= chunkSize) {
        const batch = pending;
        pending = [];
        await write(batch);
      }
    };

    try {
      const parser = createReadStream(file).pipe(
        parse({
          bom: true,
          columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
          skip_empty_lines: true,
          relax_column_count: true,
          info: true,
        }),
      );
      let checkedHeader = false;
      for await (const { record, info } of parser as AsyncIterable<{
        record: Record<string, string | undefined>;
        info: { lines: number };
      }>) {
        if (!checkedHeader) {
          const missing = CSV_COLUMNS.filter((column) => !(column in record) && column !== 'village_code');
          if (missing.length > 0) throw new ImportFormatError(`the file lacks the column(s) ${missing.join(', ')}`);
          checkedHeader = true;
        }
        const row = info.lines;
        progress.rows++;
        const kkText = (record['kk_number'] ?? '').trim();
        // Hashed only when a KK starts: the rows of one KK compare by their text.
        if (group === undefined || group.kkText !== kkText) {
          await finishGroup();
          const key = kkKey(kkText);
          const reappears = seen.has(key);
          seen.add(key);
          group = { kkText, rows: [], firstRow: row, bad: reappears };
          if (reappears) {
            report({
              row,
              column: 'kk_number',
              code: 'KK_NOT_CONTIGUOUS',
              message:
                'The rows of this KK are not together: it appeared earlier in the file. Its later rows are not imported.',
            });
          }
        }
        const parsed = parseCsvRow(record, row, village);
        if (parsed.row === undefined) {
          group.bad = true;
          for (const error of parsed.errors) report(error);
        } else if (!group.bad) {
          group.rows.push(parsed.row);
        }
        if (progress.rows % every === 0) options.onProgress?.({ ...progress });
      }
      await finishGroup();
      if (pending.length > 0) await write(pending);
    } finally {
      // Never leave a transaction running behind an error (a bad header, a failed chunk).
      await Promise.allSettled(inFlight);
    }
    await drain();
    options.onProgress?.({ ...progress });

    const finishedAt = new Date().toISOString();
    await store.withTransaction((tx) =>
      tx.query(
        `UPDATE registry_imports SET finished_at = $2, rows_read = $3, households_imported = $4,
           households_rejected = $5, error_count = $6 WHERE import_id = $1`,
        [
          importId,
          finishedAt,
          progress.rows,
          progress.imported + progress.alreadyImported,
          progress.rejected,
          errorCount,
        ],
      ),
    );
    return {
      importId,
      digest,
      fileName: options.fileName,
      villageCode: village ?? null,
      resumed,
      startedAt,
      finishedAt,
      rows: progress.rows,
      households: {
        imported: progress.imported,
        alreadyImported: progress.alreadyImported,
        rejected: progress.rejected,
      },
      errorCount,
      errors,
    };
  } finally {
    await cleanup();
  }
}

function parseVillageOption(input: string): string {
  const region = parseRegionCode(input);
  if (region.level !== 'village')
    throw new DomainError('invalid', 'INVALID_VILLAGE_CODE', 'The village code has 10 digits.');
  return region.code;
}

function kkKey(input: string): string {
  return createHash('sha256').update(input).digest('base64').slice(0, 16);
}

/** The household's HouseholdEnrolled, decided by the domain; its refusal becomes a row error. */
function decideHousehold(
  householdIdForKk: HouseholdIdForKk,
  rows: readonly CsvRow[],
  importId: string,
  report: (error: ImportRowError) => void,
): PendingHousehold | undefined {
  const first = rows[0];
  if (first === undefined) return undefined;
  for (const row of rows.slice(1)) {
    for (const [field, column] of [
      ['address', 'address'],
      ['rt', 'rt'],
      ['rw', 'rw'],
      ['villageCode', 'village_code'],
    ] as const) {
      if (row[field] !== first[field]) {
        report({
          row: row.row,
          column,
          code: 'HOUSEHOLD_ROWS_DIFFER',
          message: 'The rows of one KK give different addresses, RT, RW or villages.',
        });
        return undefined;
      }
    }
  }
  const householdId = householdIdForKk(first.kkNumber);
  const command: HouseholdCommand = {
    type: 'EnrolHousehold',
    data: {
      householdId,
      source: 'BASELINE_IMPORT',
      importId,
      villageCode: first.villageCode,
      address: first.address,
      rt: first.rt,
      rw: first.rw,
      kkNumber: first.kkNumber,
      members: rows.map((row, index) => ({
        memberId: baselineMemberId(householdId, index),
        nik: row.nik,
        name: row.name,
        sex: row.sex,
        birthDate: row.birthDate,
        relationship: row.relationship,
      })),
    },
    // The decider only reads the actor (checked once per chunk's context below) and no clock.
    metadata: { actor: { userId: 'import', role: 'SYSTEM', scope: 'NATIONAL' }, occurredAt: '' },
  };
  try {
    const [event] = householdDecider.decide(command, initialHouseholdState());
    if (event === undefined) return undefined;
    return { householdId, firstRow: first.row, data: event.data as unknown as JsonObject };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const index = error.details?.['index'];
    const row = typeof index === 'number' ? (rows[index]?.row ?? first.row) : first.row;
    report({
      row,
      column: columnOfField(String(error.details?.['field'] ?? '')),
      code: error.code,
      message: error.message,
    });
    return undefined;
  }
}

/**
 * Appends a chunk of households in one transaction: one round trip to find which are on the registry already,
 * then one append each. A household written by an earlier run of this import is recognised by its event id.
 */
async function writeHouseholds(
  store: EventStore,
  households: readonly PendingHousehold[],
  importId: string,
  context: CommandContext,
  progress: ImportProgress,
  report: (error: ImportRowError) => void,
): Promise<void> {
  // The actor's authority over each village: checked by the decider as the actor itself (not the placeholder).
  const allowed = households.filter((household) => authorised(household, context, report));
  progress.rejected += households.length - allowed.length;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await writeChunk(store, allowed, importId, context);
      progress.imported += outcome.counts.imported;
      progress.alreadyImported += outcome.counts.already;
      progress.rejected += outcome.counts.rejected;
      outcome.errors.forEach(report);
      return;
    } catch (error) {
      // Someone enrolled one of these households between our check and our insert: check again, once or twice.
      const conflict = error instanceof TransactionConflictError || error instanceof WrongExpectedVersionError;
      if (!conflict || attempt >= 3) throw error;
    }
  }
}

/**
 * One chunk, all or nothing; row errors are returned, not reported, so a retried chunk reports them once. Where
 * appends join a transaction (SQL stores) the check and the appends share one; elsewhere (KurrentDB) the appends
 * are one multi-stream append, each stream expected not to exist, which fails as a whole on a household enrolled
 * between the check and the append.
 */
async function writeChunk(
  store: EventStore,
  allowed: readonly PendingHousehold[],
  importId: string,
  context: CommandContext,
): Promise<{ counts: { imported: number; already: number; rejected: number }; errors: ImportRowError[] }> {
  const streams = allowed.map((household) => householdStreamName(household.householdId));
  if (!store.capabilities().transactions) {
    const planned = planChunk(allowed, await firstEventIds(store, streams), importId, context);
    if (planned.fresh.length > 0) {
      await store.appendToStreams(planned.fresh.map((entry) => ({ ...entry, expected: 'no_stream' as const })));
    }
    return planned;
  }
  return store.withTransaction(async (tx) => {
    const planned = planChunk(allowed, await firstEventIds(tx, streams), importId, context);
    const { fresh } = planned;
    // One statement for the whole chunk where the store offers it (the import's speed is its round trips); a
    // household enrolled meanwhile by someone else makes it throw, and the chunk is retried by the caller.
    if (tx.appendToNewStreams) {
      if (fresh.length > 0) await tx.appendToNewStreams(fresh);
    } else {
      for (const { stream, events } of fresh) await tx.appendToStream(stream, events, { expected: 'no_stream' });
    }
    return planned;
  });
}

/** Which households of a chunk to enrol, given the first event of each one's stream (if it has one). */
function planChunk(
  allowed: readonly PendingHousehold[],
  existing: ReadonlyMap<string, string>,
  importId: string,
  context: CommandContext,
): {
  counts: { imported: number; already: number; rejected: number };
  errors: ImportRowError[];
  fresh: { stream: string; events: NewEvent[] }[];
} {
  const counts = { imported: 0, already: 0, rejected: 0 };
  const errors: ImportRowError[] = [];
  const fresh: { stream: string; events: NewEvent[] }[] = [];
  for (const household of allowed) {
    const stream = householdStreamName(household.householdId);
    const eventId = deterministicId('baseline-enrolment', importId, household.householdId);
    const found = existing.get(stream);
    if (found === eventId) {
      counts.already++;
      continue;
    }
    if (found !== undefined) {
      counts.rejected++;
      errors.push({
        row: household.firstRow,
        column: 'kk_number',
        code: 'KK_ALREADY_ENROLLED',
        message: 'A household with this KK number is on the registry already; it was not enrolled again.',
      });
      continue;
    }
    fresh.push({
      stream,
      events: [
        { id: eventId, type: 'HouseholdEnrolled', data: household.data, metadata: eventMetadata(context, eventId) },
      ],
    });
    counts.imported++;
  }
  return { counts, errors, fresh };
}

function authorised(
  household: PendingHousehold,
  context: CommandContext,
  report: (error: ImportRowError) => void,
): boolean {
  if (context.actor.role === 'SYSTEM') return true;
  try {
    householdDecider.decide(
      {
        type: 'EnrolHousehold',
        data: household.data as never,
        metadata: { actor: context.actor, occurredAt: context.occurredAt },
      },
      initialHouseholdState(),
    );
    return true;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    report({ row: household.firstRow, column: 'village_code', code: error.code, message: error.message });
    return false;
  }
}

async function firstEventIds(
  reader: Pick<StoreTransaction, 'readEvents'>,
  streams: readonly string[],
): Promise<Map<string, string>> {
  if (streams.length === 0) return new Map();
  // In a transaction: on its connection where the log is in the same database (PGlite has only that one).
  const first = await reader.readEvents(streams.map((stream) => ({ stream, revision: 0 })));
  return new Map(first.map((event) => [event.streamName, event.id]));
}
