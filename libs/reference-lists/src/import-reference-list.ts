import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { deterministicId, eventMetadata, type CommandContext } from '@muskel/application';
import {
  DomainError,
  initialReferenceImportState,
  parseReferenceSource,
  referenceImportStreamName,
  referenceListDecider,
  type Actor,
  type RecordReferenceImport,
  type ReferenceSource,
} from '@muskel/domain';
import {
  SCHEMA_LOCK_SQL,
  WrongExpectedVersionError,
  type EventStore,
  type StoreTransaction,
} from '@muskel/event-store';
import { BlindIndex, ensureBlindIndexKey } from '@muskel/projections';
import { REFERENCE_COLUMNS, parseReferenceRow, type ReferenceRowError } from './reference-row';
import { setupReferenceTables } from './schema';

export interface ReferenceImportProgress {
  rows: number;
  accepted: number;
  rejected: number;
}

export interface ReferenceImportOptions {
  source: ReferenceSource;
  fileName: string;
  /** SYSTEM (operator CLI) or an ADMIN with a NATIONAL grant. */
  actor: Actor;
  /** When the import happened (ISO 8601 with offset); default now. */
  occurredAt?: string;
  onProgress?: (progress: ReferenceImportProgress) => void;
  /** Rows between progress calls. Default 10,000. */
  progressEvery?: number;
  /** Rows per INSERT statement. Default 5,000. */
  rowsPerStatement?: number;
  /** At most this many errors listed in the report (all are counted). Default 1,000. */
  maxErrorsListed?: number;
}

export interface ReferenceImportReport {
  importId: string;
  source: ReferenceSource;
  fileName: string;
  /** `sha256:<hex>` of the file: identifies the import (with the source). */
  digest: string;
  startedAt: string;
  finishedAt: string;
  rows: number;
  accepted: number;
  rejected: number;
  errorCount: number;
  errors: ReferenceRowError[];
}

/** The same file of the same source was imported before. */
export class DuplicateReferenceImportError extends Error {
  override readonly name = 'DuplicateReferenceImportError';
  readonly code = 'DUPLICATE_IMPORT';
  constructor(
    readonly importId: string,
    readonly importedAt: string | undefined,
  ) {
    super(`this file was already imported (import ${importId}${importedAt ? `, ${importedAt}` : ''})`);
  }
}

/** The file is not a reference list of this source (missing columns): nothing is imported. */
export class ReferenceFileFormatError extends Error {
  override readonly name = 'ReferenceFileFormatError';
  readonly code = 'INVALID_FILE';
}

/** The import of `digest` from `source`: the same file of the same list is one import. */
export const referenceImportId = (source: ReferenceSource, digest: string): string =>
  deterministicId('reference-import', source, digest);

/** Copies the input to a temporary file while hashing it: the digest decides before anything is stored. */
async function spool(input: Readable): Promise<{ file: string; digest: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'muskel-reference-'));
  const file = path.join(dir, 'list.csv');
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

function recordCommand(
  importId: string,
  source: ReferenceSource,
  digest: string,
  options: ReferenceImportOptions,
  occurredAt: string,
  rows: number,
  accepted: number,
  rejected: number,
): RecordReferenceImport {
  return {
    type: 'RecordReferenceImport',
    data: { importId, source, fileName: options.fileName, fileDigest: digest, rows, accepted, rejected },
    metadata: { actor: options.actor, occurredAt },
  };
}

interface Pending {
  rows: number[];
  hmacs: string[];
  references: string[];
  results: (string | null)[];
}

const emptyPending = (): Pending => ({ rows: [], hmacs: [], references: [], results: [] });

/**
 * Imports one reference list (CSV, streamed: memory stays flat whatever the file's size). Each row is validated
 * and reported (row, column, reason); good rows are stored as (keyed NIK index, the list's reference), many per
 * statement; the NIKs themselves are never stored. The import ends with `ReferenceListImported` on its own stream,
 * which the job dispatcher turns into a matching job. The same file again is refused (DUPLICATE_IMPORT); an import
 * interrupted before its event is continued by importing the file again (rows are keyed by import and row number).
 */
export async function importReferenceList(
  store: EventStore,
  input: Readable,
  options: ReferenceImportOptions,
): Promise<ReferenceImportReport> {
  const source = parseReferenceSource(options.source);
  const startedAt = new Date().toISOString();
  const occurredAt = options.occurredAt ?? startedAt;
  const every = options.progressEvery ?? 10_000;
  const perStatement = options.rowsPerStatement ?? 5_000;
  const maxErrors = options.maxErrorsListed ?? 1_000;
  const { file, digest, cleanup } = await spool(input);
  try {
    const importId = referenceImportId(source, digest);
    const stream = referenceImportStreamName(importId);
    // Who may import, the source and the file name are checked before any row is stored.
    referenceListDecider.decide(
      recordCommand(importId, source, digest, options, occurredAt, 0, 0, 0),
      initialReferenceImportState(),
    );
    const index = await store.withTransaction(async (tx) => {
      await tx.query(SCHEMA_LOCK_SQL); // a worker may be creating the same tables
      await ensureBlindIndexKey(tx);
      await setupReferenceTables(tx);
      return BlindIndex.load(tx);
    });
    // Refused before parsing anything: the log says whether this file was imported.
    for await (const event of store.readStream(stream)) {
      const importedAt = (event.data as { importedAt?: string }).importedAt;
      if (!store.capabilities().transactions) {
        // The event is appended after every row is written; where the rows' completion is a second step (below),
        // an earlier run cut off between the two is completed here.
        await store.withTransaction((tx) =>
          tx.query('UPDATE reference_imports SET completed_at = $2 WHERE import_id = $1 AND completed_at IS NULL', [
            importId,
            importedAt ?? occurredAt,
          ]),
        );
      }
      throw new DuplicateReferenceImportError(importId, importedAt);
    }
    await store.withTransaction(async (tx) => {
      await tx.query(
        `INSERT INTO reference_imports (import_id, source, file_digest, file_name, started_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (import_id) DO NOTHING`,
        [importId, source, digest, options.fileName, startedAt],
      );
      // An interrupted earlier run of this file (no event yet): its rows are written again from the start.
      await tx.query('DELETE FROM reference_entries WHERE import_id = $1', [importId]);
    });

    const errors: ReferenceRowError[] = [];
    let errorCount = 0;
    const progress: ReferenceImportProgress = { rows: 0, accepted: 0, rejected: 0 };
    let pending = emptyPending();
    // Statements in flight while the next chunk is parsed: parsing and the database overlap (PGlite: one at a time).
    const maxInFlight = store.capabilities().concurrentConnections ? 3 : 1;
    const inFlight = new Set<Promise<void>>();
    let writeError: Error | undefined;
    const flush = async () => {
      if (pending.rows.length === 0) return;
      const chunk = pending;
      pending = emptyPending();
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      if (writeError !== undefined) throw writeError;
      const running: Promise<void> = store
        .withTransaction(async (tx) => {
          await tx.query(
            `INSERT INTO reference_entries (import_id, row_number, source, nik_hmac, reference, result)
             SELECT $1, r, $2, h, ref, res FROM unnest($3::int[], $4::text[], $5::text[], $6::text[]) AS t(r, h, ref, res)`,
            [importId, source, chunk.rows, chunk.hmacs, chunk.references, chunk.results],
          );
        })
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

    const required = REFERENCE_COLUMNS[source];
    // Only the columns the list needs are read (names and other columns are never looked at).
    let wanted: { name: string; at: number }[] | undefined;
    let row = 0;
    const handle = (values: string[]) => {
      row++;
      if (wanted === undefined) {
        const header = values.map((name) => name.trim().toLowerCase());
        const missing = required.filter((column) => !header.includes(column));
        if (missing.length > 0) {
          throw new ReferenceFileFormatError(`the file lacks the column(s) ${missing.join(', ')}`);
        }
        wanted = required.map((name) => ({ name, at: header.indexOf(name) }));
        return;
      }
      // An empty line is a row of the spreadsheet, and nothing to import.
      if (values.length === 1 && values[0] === '') return;
      const record: Record<string, string | undefined> = {};
      for (const { name, at } of wanted) record[name] = values[at];
      progress.rows++;
      const parsed = parseReferenceRow(source, record, row);
      if (parsed.row === undefined) {
        progress.rejected++;
        for (const error of parsed.errors) {
          errorCount++;
          if (errors.length < maxErrors) errors.push(error);
        }
      } else {
        progress.accepted++;
        pending.rows.push(row);
        pending.hmacs.push(index.nik(parsed.row.nik));
        pending.references.push(parsed.row.reference);
        pending.results.push(parsed.row.result);
      }
      if (progress.rows % every === 0) options.onProgress?.({ ...progress });
    };
    try {
      // Records as arrays, read synchronously in batches (no per-record promise, no per-record info object: both
      // cost more than the parsing); the row number counts records, as a spreadsheet numbers its rows.
      const parser = createReadStream(file).pipe(parse({ bom: true, relax_column_count: true }));
      await new Promise<void>((resolve, reject) => {
        let waiting = false;
        const fail = (error: unknown) => {
          parser.destroy();
          reject(error instanceof Error ? error : new Error(String(error)));
        };
        const read = () => {
          if (waiting) return;
          try {
            let values: string[] | null;
            while ((values = parser.read() as string[] | null) !== null) {
              handle(values);
              if (pending.rows.length >= perStatement) {
                // Back-pressure: the parser waits while a statement is queued behind the one in flight.
                waiting = true;
                flush().then(() => {
                  waiting = false;
                  read();
                }, fail);
                return;
              }
            }
          } catch (error) {
            fail(error);
          }
        };
        parser.on('readable', read);
        parser.on('error', fail);
        parser.on('end', () => {
          if (wanted === undefined) fail(new ReferenceFileFormatError('the file is empty'));
          else resolve();
        });
      });
      await flush();
    } finally {
      // Never leave a statement running behind an error (a bad header, a failed chunk).
      await Promise.allSettled(inFlight);
    }
    await drain();
    options.onProgress?.({ ...progress });

    const context: CommandContext = {
      actor: options.actor,
      correlationId: importId,
      causationId: importId,
      occurredAt,
    };
    const command = recordCommand(
      importId,
      source,
      digest,
      options,
      occurredAt,
      progress.rows,
      progress.accepted,
      progress.rejected,
    );
    const events = referenceListDecider.decide(command, initialReferenceImportState());
    const eventId = deterministicId('reference-import-event', importId);
    const record = (target: Pick<EventStore, 'appendToStream'>) =>
      target.appendToStream(
        stream,
        events.map((event) => ({
          id: eventId,
          type: event.type,
          data: event.data,
          metadata: eventMetadata(context, eventId),
        })),
        { expected: 'no_stream' },
      );
    const complete = (tx: StoreTransaction) =>
      tx.query('UPDATE reference_imports SET completed_at = $2 WHERE import_id = $1', [importId, occurredAt]);
    try {
      if (store.capabilities().transactions) {
        // The event and the rows' completion commit together: lookups trust only the rows of a recorded import.
        await store.withTransaction(async (tx) => {
          await record(tx);
          await complete(tx);
        });
      } else {
        // Where appends cannot join a transaction (KurrentDB): the event first, then the completion. A crash between
        // leaves rows that lookups ignore until the same file is imported again (refused as a duplicate, after
        // completing them: see the check of the log above).
        await record(store);
        await store.withTransaction(complete);
      }
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw new DuplicateReferenceImportError(importId, undefined);
      throw error;
    }
    return {
      importId,
      source,
      fileName: options.fileName,
      digest,
      startedAt,
      finishedAt: new Date().toISOString(),
      rows: progress.rows,
      accepted: progress.accepted,
      rejected: progress.rejected,
      errorCount,
      errors,
    };
  } catch (error) {
    if (error instanceof DomainError && error.code === 'DUPLICATE_IMPORT') {
      throw new DuplicateReferenceImportError(String(error.details?.['importId'] ?? ''), undefined);
    }
    throw error;
  } finally {
    await cleanup();
  }
}
