import { parse } from 'csv-parse/sync';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  batchDecider,
  DomainError,
  hasBatchResult,
  parseBatchResults,
  type Actor,
  type BatchResult,
  type RecordBatchResults,
} from '@muskel/domain';
import { WrongExpectedVersionError } from '@muskel/event-store';
import { batchStreamOf } from '../batch-id';
import { NonRetryableJobError } from '../job-errors';
import type { JobFiles } from '../job-files';
import type { JobPayloads } from '../queues';

/**
 * Pusdatin's result file, one row per proposal: `id_usulan` (the proposal id) or `no_usulan` (its number in the
 * SIKS-NG export, "No. Usulan"), `hasil` DITERIMA | DITOLAK, `nomor_sk` (the decree, for DITERIMA) and `alasan` (the
 * reason, for DITOLAK). Headers are matched case-insensitively; other columns are ignored.
 */
export const RESULT_COLUMNS = ['id_usulan', 'no_usulan', 'hasil', 'nomor_sk', 'alasan'] as const;

/** A row that cannot be recorded: where (spreadsheet numbering, the header is row 1) and why; never the values. */
export interface UnmatchedRow {
  row: number;
  code: string;
  message: string;
}

/** The job's return value (GET /jobs/:id): counts and unmatched rows, no personal data. */
export interface PusdatinResultsReport {
  batchId: string;
  fileId: string;
  digest: string;
  rows: number;
  recorded: number;
  accepted: number;
  rejected: number;
  /** Rows whose proposal already had its result (an earlier file, or this job's earlier attempt). */
  alreadyRecorded: number;
  unmatchedCount: number;
  /** The first MAX_UNMATCHED_LISTED of them. */
  unmatched: UnmatchedRow[];
}

export interface PusdatinResultsProgress {
  rows: number;
  recorded: number;
  total: number;
}

const MAX_UNMATCHED_LISTED = 1000;
/** Results per BatchResultsRecorded event: a large batch is recorded in several appends. */
export const RESULTS_CHUNK = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Imports a Pusdatin result file stored as a job file: validates each row, matches it to a proposal of the batch,
 * and records the results on the batch (RecordBatchResults, in chunks); the reactors then carry each result to its
 * proposal (ProposalAccepted / ProposalRejected). Running twice records once: results already on the batch are
 * counted, not recorded again.
 */
export class PusdatinResultsService {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly files: JobFiles,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(
    job: JobPayloads['pusdatin-results'],
    onProgress: (progress: PusdatinResultsProgress) => Promise<void> = () => Promise.resolve(),
  ): Promise<PusdatinResultsReport> {
    const stream = batchStreamOf(job.batchId);
    if (!stream) throw new NonRetryableJobError('INVALID_JOB', 'the job names no valid batch id');
    const file = await this.files.get(job.fileId);
    if (!file || file.kind !== 'pusdatin-results' || file.batchId !== job.batchId) {
      throw new NonRetryableJobError('FILE_NOT_FOUND', 'the result file of this job is not stored');
    }
    const { state: batch } = await this.pipeline.fold(stream, batchDecider);
    if (batch.status !== 'SUBMITTED' && batch.status !== 'COMPLETED') {
      throw new NonRetryableJobError('NOT_SUBMITTED', 'results are recorded only for a submitted batch');
    }
    const records = parseFile(file.content);
    const unmatched: UnmatchedRow[] = [];
    let unmatchedCount = 0;
    const reject = (row: number, code: string, message: string) => {
      unmatchedCount += 1;
      if (unmatched.length < MAX_UNMATCHED_LISTED) unmatched.push({ row, code, message });
    };
    const seen = new Set<string>();
    const results: BatchResult[] = [];
    let alreadyRecorded = 0;
    for (const [index, record] of records.entries()) {
      const row = index + 2;
      const proposalId = proposalOf(record, batch.included, row, reject);
      if (proposalId === undefined) continue;
      const result = resultOf(record, proposalId, row, reject);
      if (!result) continue;
      if (seen.has(proposalId)) {
        reject(row, 'DUPLICATE_PROPOSAL', 'This proposal already has a row earlier in the file.');
        continue;
      }
      seen.add(proposalId);
      if (hasBatchResult(batch, proposalId)) {
        const earlier = batch.results[proposalId]!;
        if (earlier.outcome !== result.outcome) {
          reject(row, 'CONFLICTING_RESULT', 'This proposal already has a different result recorded.');
        } else alreadyRecorded += 1;
        continue;
      }
      results.push(result);
    }
    const total = records.length;
    await onProgress({ rows: total, recorded: 0, total: results.length });
    const recorded = await this.record(stream, job, results, (done) =>
      onProgress({ rows: total, recorded: done, total: results.length }),
    );
    alreadyRecorded += results.length - recorded;
    const accepted = results.filter((r) => r.outcome === 'ACCEPTED').length;
    return {
      batchId: job.batchId,
      fileId: job.fileId,
      digest: file.digest,
      rows: total,
      recorded,
      accepted,
      rejected: results.length - accepted,
      alreadyRecorded,
      unmatchedCount,
      unmatched,
    };
  }

  /**
   * Appends the results in chunks, each decided on the batch's fresh state: a chunk another attempt of this job (or
   * another file) recorded meanwhile is skipped rather than refused. Returns how many this run recorded.
   */
  private async record(
    stream: string,
    job: JobPayloads['pusdatin-results'],
    results: readonly BatchResult[],
    onChunk: (done: number) => Promise<void>,
  ): Promise<number> {
    let recorded = 0;
    let done = 0;
    for (let conflicts = 0; done < results.length;) {
      const { state, revision } = await this.pipeline.fold(stream, batchDecider);
      const chunk = results.slice(done, done + RESULTS_CHUNK).filter((r) => !hasBatchResult(state, r.proposalId));
      if (chunk.length === 0) {
        done = Math.min(results.length, done + RESULTS_CHUNK);
        continue;
      }
      const regencyCode = state.regencyCode ?? '';
      // The uploader, a verifier of the batch's regency (checked by the API before the job was enqueued), records.
      const actor: Actor = { userId: job.requestedBy, role: 'VERIFIER', scope: regencyCode };
      const now = this.clock().toISOString();
      const context: CommandContext = {
        actor,
        correlationId: job.fileId,
        causationId: job.fileId,
        occurredAt: now,
      };
      const command: RecordBatchResults = {
        type: 'RecordBatchResults',
        data: { results: chunk },
        metadata: { actor, occurredAt: now },
      };
      try {
        await this.pipeline.execute(stream, batchDecider, command, context, { expectedRevision: revision });
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && conflicts++ < 20) continue;
        if (error instanceof DomainError && error.kind !== 'conflict') {
          throw new NonRetryableJobError(error.code, error.message);
        }
        throw error;
      }
      recorded += chunk.length;
      done = Math.min(results.length, done + RESULTS_CHUNK);
      await onChunk(done);
    }
    return recorded;
  }
}

function parseFile(content: Buffer): Record<string, string>[] {
  let columns: string[] = [];
  let records: Record<string, string>[];
  try {
    records = parse<Record<string, string>>(content, {
      bom: true,
      columns: (header: string[]) => (columns = header.map((name) => name.trim().toLowerCase())),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    });
  } catch (error) {
    // The parser's code and line only: its message may quote the file's content.
    const { code, lines } = error as { code?: string; lines?: number };
    throw new NonRetryableJobError(
      'INVALID_CSV',
      `the file is not a readable CSV (${code ?? 'unknown'} at line ${lines ?? '?'})`,
    );
  }
  if (!columns.includes('hasil') || (!columns.includes('id_usulan') && !columns.includes('no_usulan'))) {
    throw new NonRetryableJobError('INVALID_HEADER', 'the header needs hasil, and id_usulan or no_usulan');
  }
  return records;
}

function proposalOf(
  record: Record<string, string>,
  included: readonly string[],
  row: number,
  reject: (row: number, code: string, message: string) => void,
): string | undefined {
  const id = record.id_usulan ?? '';
  const number = record.no_usulan ?? '';
  if (id !== '') {
    if (!UUID.test(id)) return void reject(row, 'INVALID_PROPOSAL_ID', 'id_usulan is not a proposal id.');
    const proposalId = id.toLowerCase();
    if (!included.includes(proposalId)) {
      return void reject(row, 'PROPOSAL_NOT_IN_BATCH', 'No proposal of this batch has this id_usulan.');
    }
    if (number !== '' && included[Number(number) - 1] !== proposalId) {
      return void reject(row, 'ID_NUMBER_MISMATCH', 'id_usulan and no_usulan name different proposals.');
    }
    return proposalId;
  }
  if (number !== '') {
    const n = /^\d{1,7}$/.test(number) ? Number(number) : NaN;
    const proposalId = Number.isInteger(n) && n >= 1 ? included[n - 1] : undefined;
    if (!proposalId) return void reject(row, 'UNKNOWN_ROW_NUMBER', 'No proposal of the export has this no_usulan.');
    return proposalId;
  }
  return void reject(row, 'MISSING_PROPOSAL', 'The row names no proposal (id_usulan or no_usulan).');
}

function resultOf(
  record: Record<string, string>,
  proposalId: string,
  row: number,
  reject: (row: number, code: string, message: string) => void,
): BatchResult | undefined {
  const hasil = (record.hasil ?? '').toUpperCase();
  let result: BatchResult;
  if (hasil === 'DITERIMA') {
    if (!record.nomor_sk) return void reject(row, 'MISSING_DECREE_REF', 'DITERIMA needs nomor_sk.');
    result = { proposalId, outcome: 'ACCEPTED', decreeRef: record.nomor_sk };
  } else if (hasil === 'DITOLAK') {
    if (!record.alasan) return void reject(row, 'MISSING_REASON', 'DITOLAK needs alasan.');
    result = { proposalId, outcome: 'REJECTED', reason: record.alasan };
  } else {
    return void reject(row, 'INVALID_RESULT', 'hasil is DITERIMA or DITOLAK.');
  }
  // The batch's own rules (lengths, control characters), row by row: one bad row must not refuse a whole chunk.
  try {
    return parseBatchResults([result])[0];
  } catch (error) {
    if (error instanceof DomainError) return void reject(row, error.code, error.message);
    throw error;
  }
}
