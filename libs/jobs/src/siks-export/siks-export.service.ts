import { stringify } from 'csv-stringify/sync';
import { Workbook } from 'exceljs';
import { CommandPipeline, deterministicId } from '@muskel/application';
import {
  batchDecider,
  householdDecider,
  householdStreamName,
  proposalDecider,
  proposalStreamName,
  type BatchState,
  type HouseholdState,
  type ProposalState,
} from '@muskel/domain';
import { batchStreamOf } from '../batch-id';
import { NonRetryableJobError } from '../job-errors';
import { JobFiles, type JobFileInfo } from '../job-files';
import type { JobPayloads } from '../queues';
import { BNBA_COLUMNS, bnbaRowsOf, ringkasanOf, type BnbaRow } from './bnba';

/** Batches that can be exported: closed (their list no longer changes), endorsed, or already submitted. */
const EXPORTABLE: readonly BatchState['status'][] = ['CLOSED', 'ENDORSED', 'SUBMITTED', 'COMPLETED'];

export const SIKS_EXPORT_FORMATS = ['bnba-csv', 'ringkasan-csv', 'xlsx'] as const;
export type SiksExportFormat = (typeof SIKS_EXPORT_FORMATS)[number];

/** The job's return value: ids, counts and digests only (GET /jobs/:id shows it; no personal data). */
export interface SiksExportResult {
  batchId: string;
  revision: number;
  proposals: number;
  rows: number;
  files: { fileId: string; format: SiksExportFormat; fileName: string; digest: string; size: number }[];
}

export interface SiksExportProgress {
  proposals: number;
  total: number;
}

const CSV = 'text/csv; charset=utf-8';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The stored file of one format of one export job: the same id however often the job runs. */
export function siksExportFileId(jobId: string, format: SiksExportFormat): string {
  return deterministicId('siks-export-file', jobId, format);
}

/**
 * Renders a closed batch's BNBA list and summary for SIKS-NG: a CSV of the list, a CSV of the summary, and one XLSX
 * with both (sheets "BNBA" and "Ringkasan"). Personal data is read decrypted from the proposals' and households'
 * streams in this process only; the files go to the database (job_files), never to Redis.
 */
export class SiksExportService {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly files: JobFiles,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(
    job: JobPayloads['siks-exports'],
    jobId: string,
    onProgress: (progress: SiksExportProgress) => Promise<void> = () => Promise.resolve(),
  ): Promise<SiksExportResult> {
    const stream = batchStreamOf(job.batchId);
    if (!stream) throw new NonRetryableJobError('INVALID_JOB', 'the job names no valid batch id');
    const { state: batch } = await this.pipeline.fold(stream, batchDecider);
    if (batch.status === 'NONE') throw new NonRetryableJobError('BATCH_NOT_FOUND', 'no batch has this id');
    if (!EXPORTABLE.includes(batch.status)) {
      throw new NonRetryableJobError('BATCH_NOT_CLOSED', 'only a closed batch is exported');
    }
    const total = batch.included.length;
    const rows: BnbaRow[] = [];
    const proposals: ProposalState[] = [];
    for (const [index, proposalId] of batch.included.entries()) {
      const { state: proposal } = await this.pipeline.fold(proposalStreamName(proposalId), proposalDecider);
      let household: HouseholdState | undefined;
      if (proposal.content.householdId) {
        household = (await this.pipeline.fold(householdStreamName(proposal.content.householdId), householdDecider))
          .state;
      }
      proposals.push(proposal);
      rows.push(...bnbaRowsOf(index + 1, proposalId, proposal, household));
      if ((index + 1) % 50 === 0 || index + 1 === total) await onProgress({ proposals: index + 1, total });
    }
    if (total === 0) await onProgress({ proposals: 0, total: 0 });
    const exportedAt = this.clock();
    const summary = ringkasanOf(job.batchId, batch, proposals, rows.length, exportedAt);
    const name = `${job.batchId}-r${job.revision}`;
    const contents: { format: SiksExportFormat; fileName: string; mediaType: string; content: Buffer }[] = [
      { format: 'bnba-csv', fileName: `bnba-${name}.csv`, mediaType: CSV, content: bnbaCsv(rows) },
      { format: 'ringkasan-csv', fileName: `ringkasan-${name}.csv`, mediaType: CSV, content: summaryCsv(summary) },
      {
        format: 'xlsx',
        fileName: `siks-ng-${name}.xlsx`,
        mediaType: XLSX,
        content: await workbook(rows, summary, exportedAt),
      },
    ];
    const stored: SiksExportResult['files'] = [];
    for (const file of contents) {
      // A retried job keeps the first file stored under its id: a digest already handed out never changes.
      const info: JobFileInfo = await this.files.put({
        id: siksExportFileId(jobId, file.format),
        kind: 'siks-export',
        batchId: job.batchId,
        fileName: file.fileName,
        mediaType: file.mediaType,
        content: file.content,
        createdBy: job.requestedBy,
        jobId,
        createdAt: exportedAt,
      });
      stored.push({
        fileId: info.id,
        format: file.format,
        fileName: info.fileName,
        digest: info.digest,
        size: info.size,
      });
    }
    return { batchId: job.batchId, revision: job.revision, proposals: total, rows: rows.length, files: stored };
  }
}

function bnbaCsv(rows: readonly BnbaRow[]): Buffer {
  const text = stringify(rows as BnbaRow[], {
    header: true,
    columns: BNBA_COLUMNS.map(({ key, header }) => ({ key, header })),
  });
  return Buffer.from(text, 'utf8');
}

function summaryCsv(summary: readonly [string, string | number][]): Buffer {
  return Buffer.from(stringify([['Keterangan', 'Nilai'], ...summary]), 'utf8');
}

async function workbook(
  rows: readonly BnbaRow[],
  summary: readonly [string, string | number][],
  exportedAt: Date,
): Promise<Buffer> {
  const book = new Workbook();
  book.creator = 'Muskel';
  book.created = exportedAt;
  book.modified = exportedAt;
  const bnba = book.addWorksheet('BNBA');
  bnba.columns = BNBA_COLUMNS.map(({ key, header }) => ({ key, header, width: Math.max(12, header.length + 2) }));
  // NIK and KK numbers are 16-digit identifiers, not numbers: kept as text so no spreadsheet rounds them.
  for (const key of ['nik', 'noKk', 'kodeDesa', 'rt', 'rw'] as const) bnba.getColumn(key).numFmt = '@';
  bnba.addRows(rows as BnbaRow[]);
  bnba.getRow(1).font = { bold: true };
  bnba.views = [{ state: 'frozen', ySplit: 1 }];
  const ringkasan = book.addWorksheet('Ringkasan');
  ringkasan.columns = [
    { key: 'keterangan', header: 'Keterangan', width: 28 },
    { key: 'nilai', header: 'Nilai', width: 40 },
  ];
  ringkasan.addRows(summary.map(([keterangan, nilai]) => ({ keterangan, nilai })));
  ringkasan.getRow(1).font = { bold: true };
  return Buffer.from(await book.xlsx.writeBuffer());
}
