/**
 * The SIKS-NG export and the Pusdatin results import, their logic called directly on PGlite (the queue path is
 * covered end to end in test/e2e/jobs/siks-ng.e2e-spec.ts): the BNBA list and summary parse back from CSV and XLSX
 * with the right rows, digests are the files' SHA-256, and a result file records each matched row once, reporting
 * the rows it cannot match by row number and reason only.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Workbook } from 'exceljs';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  batchDecider,
  batchStreamName,
  proposalDecider,
  proposalStreamName,
  type Actor,
  type BatchCommand,
  type ProposalCommand,
} from '@muskel/domain';
import { createPgliteEventStore, type SqlEventStore } from '@muskel/event-store';
import { batchStreamOf } from '../batch-id';
import { NonRetryableJobError } from '../job-errors';
import { JobFiles, setupJobFilesTable } from '../job-files';
import { PusdatinResultsService } from '../pusdatin-results/pusdatin-results.service';
import { SiksExportService } from './siks-export.service';

const VILLAGE = '3515142001';
const REGENCY = '3515';
const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: VILLAGE };
const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: REGENCY };
const context = (actor: Actor): CommandContext => {
  const id = randomUUID();
  return { actor, correlationId: id, causationId: id, occurredAt: new Date().toISOString() };
};
const meta = (actor: Actor) => ({ actor, occurredAt: new Date().toISOString() });
const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;
const sha256 = (content: Buffer) => `sha256:${createHash('sha256').update(content).digest('hex')}`;

let dir: string;
let store: SqlEventStore;
let pipeline: CommandPipeline;
let files: JobFiles;
let period = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-siks-'));
  store = await createPgliteEventStore({ dataDir: dir });
  await store.init();
  await setupJobFilesTable(store.executor);
  pipeline = new CommandPipeline(store);
  files = new JobFiles(store.executor);
});

afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function submitAdd(members: { nik: string; name: string }[]): Promise<string> {
  const proposalId = randomUUID();
  const command: ProposalCommand = {
    type: 'SubmitProposal',
    data: {
      proposalId,
      kind: 'ADD',
      villageCode: VILLAGE,
      channel: 'RT_RW',
      household: {
        address: 'Jl. Melati 7',
        rt: '003',
        rw: '002',
        kkNumber: '3515140101100077',
        members: members.map((m, i) => ({
          nik: m.nik,
          name: m.name,
          sex: i === 0 ? ('M' as const) : ('F' as const),
          birthDate: '1968-08-05',
          relationship: i === 0 ? ('HEAD' as const) : ('SPOUSE' as const),
        })),
      },
    },
    metadata: meta(operator),
  };
  await pipeline.execute(proposalStreamName(proposalId), proposalDecider, command, context(operator));
  return proposalId;
}

/**
 * A batch with these proposals, in the given status. The batch decider takes the proposals' status from its
 * caller, so the proposals need not walk the whole workflow here (the e2e test does).
 */
async function batchWith(proposalIds: string[], status: 'OPEN' | 'CLOSED' | 'SUBMITTED'): Promise<string> {
  period += 1;
  const month = `2040-${String(period).padStart(2, '0')}`;
  const stream = batchStreamName(REGENCY, month);
  const run = (command: Omit<BatchCommand, 'metadata'>) =>
    pipeline.execute(stream, batchDecider, { ...command, metadata: meta(verifier) } as BatchCommand, context(verifier));
  await run({ type: 'OpenBatch', data: { regencyCode: REGENCY, period: month, cutoffDate: `${month}-20` } });
  for (const proposalId of proposalIds) {
    await run({
      type: 'IncludeProposal',
      data: { proposalId, proposalRegencyCode: REGENCY, proposalStatus: 'VERIFIED' },
    });
  }
  const batchId = `${REGENCY}-${month.replace('-', '')}`;
  if (status === 'OPEN') return batchId;
  await run({ type: 'CloseBatch', data: { early: true, reason: 'Uji' } });
  if (status === 'CLOSED') return batchId;
  const today = new Date().toISOString().slice(0, 10);
  await run({
    type: 'EndorseBatch',
    data: { endorsedBy: 'Bupati', letterNumber: '1/2040', signedDate: today, documentDigest: DIGEST('b') },
  });
  await run({ type: 'SubmitBatch', data: { submittedAt: new Date().toISOString(), exportDigest: DIGEST('c') } });
  return batchId;
}

describe('SIKS-NG export', () => {
  it('renders the BNBA list and summary as CSV and XLSX that parse back, with digests of the stored files', async () => {
    const first = await submitAdd([
      { nik: '3515140508680101', name: 'Budi Santoso' },
      { nik: '3515144508700102', name: 'Siti Aminah' },
    ]);
    const second = await submitAdd([{ nik: '3515140508680103', name: 'Joko Widodo' }]);
    const batchId = await batchWith([first, second], 'CLOSED');
    const progress: { proposals: number; total: number }[] = [];
    const exportedAt = new Date('2040-01-21T03:00:00Z');
    const service = new SiksExportService(pipeline, files, () => exportedAt);
    const result = await service.run({ batchId, revision: 3, requestedBy: verifier.userId }, 'siks-exports-t1', (p) => {
      progress.push(p);
      return Promise.resolve();
    });

    expect(result).toMatchObject({ batchId, revision: 3, proposals: 2, rows: 3 });
    expect(result.files.map((f) => f.format)).toEqual(['bnba-csv', 'ringkasan-csv', 'xlsx']);
    expect(progress.at(-1)).toEqual({ proposals: 2, total: 2 });
    // The return value is shown by GET /jobs/:id: nothing personal in it.
    expect(JSON.stringify(result)).not.toMatch(/3515140508680101|Budi|Siti|Melati/);

    const stored = await Promise.all(result.files.map((f) => files.get(f.fileId)));
    for (const [i, file] of stored.entries()) {
      expect(file?.digest).toBe(sha256(file!.content));
      expect(result.files[i]!.digest).toBe(file!.digest);
    }
    const csv = parse<Record<string, string>>(stored[0]!.content, { columns: true, bom: true });
    expect(csv.map((row) => [row['No. Usulan'], row['ID Usulan'], row.NIK, row.Nama, row['Jenis Kelamin']])).toEqual([
      ['1', first, '3515140508680101', 'Budi Santoso', 'L'],
      ['1', first, '3515144508700102', 'Siti Aminah', 'P'],
      ['2', second, '3515140508680103', 'Joko Widodo', 'L'],
    ]);
    expect(csv[0]).toMatchObject({
      'Jenis Usulan': 'TAMBAH',
      'Kode Desa/Kelurahan': VILLAGE,
      Alamat: 'Jl. Melati 7',
      RT: '003',
      RW: '002',
      'No. KK': '3515140101100077',
      'Tanggal Lahir': '1968-08-05',
      'Hubungan Keluarga': 'KEPALA KELUARGA',
    });
    const summary: string[][] = parse(stored[1]!.content, { bom: true });
    expect(summary).toContainEqual(['Jumlah Usulan', '2']);
    expect(summary).toContainEqual(['Jumlah Baris BNBA', '3']);

    const book = new Workbook();
    await book.xlsx.load(stored[2]!.content as unknown as ArrayBuffer);
    expect(book.worksheets.map((sheet) => sheet.name)).toEqual(['BNBA', 'Ringkasan']);
    const sheet = book.getWorksheet('BNBA')!;
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getRow(1).getCell(10).value).toBe('NIK');
    expect(sheet.getRow(3).getCell(10).value).toBe('3515144508700102');
    expect(sheet.getRow(4).getCell(11).value).toBe('Joko Widodo');
    const ringkasan = book.getWorksheet('Ringkasan')!;
    const values = new Map<string, unknown>();
    ringkasan.eachRow((row) => values.set(row.getCell(1).text, row.getCell(2).value));
    expect(values.get('Jumlah Usulan')).toBe(2);
    expect(values.get('Usulan Tambah')).toBe(2);

    // The job run again (a retry) keeps the files and digests of the first run.
    const again = await new SiksExportService(pipeline, files, () => new Date()).run(
      { batchId, revision: 3, requestedBy: verifier.userId },
      'siks-exports-t1',
    );
    expect(again.files).toEqual(result.files);
  });

  it('refuses, without retries, a batch that is still open or does not exist', async () => {
    const open = await batchWith([], 'OPEN');
    const service = new SiksExportService(pipeline, files);
    await expect(service.run({ batchId: open, revision: 0, requestedBy: 'u' }, 'j1')).rejects.toThrow(
      NonRetryableJobError,
    );
    await expect(service.run({ batchId: '3515-209901', revision: 0, requestedBy: 'u' }, 'j2')).rejects.toMatchObject({
      code: 'BATCH_NOT_FOUND',
    });
  });
});

describe('Pusdatin results import', () => {
  async function upload(batchId: string, csv: string): Promise<string> {
    const info = await files.put({
      id: randomUUID(),
      kind: 'pusdatin-results',
      batchId,
      fileName: 'hasil.csv',
      mediaType: 'text/csv',
      content: Buffer.from(csv),
      createdBy: verifier.userId,
    });
    return info.id;
  }

  it('records matched rows on the batch and reports the unmatched ones by row and reason', async () => {
    const ids = await Promise.all([1, 2, 3].map((n) => submitAdd([{ nik: `35151405086802${n}0`, name: 'W' }])));
    const [a, b, c] = ids as [string, string, string];
    const batchId = await batchWith(ids, 'SUBMITTED');
    const csv = [
      'ID_Usulan,No_Usulan,Hasil,Nomor_SK,Alasan',
      `${a},,DITERIMA,SK-001/2040,`,
      `,2,ditolak,,Tidak memenuhi kriteria`,
      `${randomUUID()},,DITERIMA,SK-002/2040,`, // not in the batch
      `,9,DITERIMA,SK-003/2040,`, // no such number
      `${c},,DITERIMA,,`, // no decree
      `${c},,MUNGKIN,SK-4,`, // no such result
      `,,DITERIMA,SK-5,`, // names no proposal
      `${a},,DITERIMA,SK-001/2040,`, // twice in the file
    ].join('\n');
    const fileId = await upload(batchId, csv);
    const service = new PusdatinResultsService(pipeline, files);
    const report = await service.run({ batchId, fileId, requestedBy: verifier.userId });
    expect(report).toMatchObject({ rows: 8, recorded: 2, accepted: 1, rejected: 1, alreadyRecorded: 0 });
    expect(report.unmatched).toEqual([
      { row: 4, code: 'PROPOSAL_NOT_IN_BATCH', message: expect.any(String) },
      { row: 5, code: 'UNKNOWN_ROW_NUMBER', message: expect.any(String) },
      { row: 6, code: 'MISSING_DECREE_REF', message: expect.any(String) },
      { row: 7, code: 'INVALID_RESULT', message: expect.any(String) },
      { row: 8, code: 'MISSING_PROPOSAL', message: expect.any(String) },
      { row: 9, code: 'DUPLICATE_PROPOSAL', message: expect.any(String) },
    ]);
    expect(report.unmatchedCount).toBe(6);
    const { state } = await pipeline.fold(batchStreamOf(batchId)!, batchDecider);
    expect(state.results[a]).toEqual({ proposalId: a, outcome: 'ACCEPTED', decreeRef: 'SK-001/2040' });
    expect(state.results[b]).toEqual({ proposalId: b, outcome: 'REJECTED', reason: 'Tidak memenuhi kriteria' });
    expect(state.status).toBe('SUBMITTED');

    // The same job again (a retry) records nothing twice.
    const again = await service.run({ batchId, fileId, requestedBy: verifier.userId });
    expect(again).toMatchObject({ recorded: 0, alreadyRecorded: 2, unmatchedCount: 6 });
  });

  it('names proposals by their number in the export alone (no_usulan)', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push(await submitAdd([{ nik: `35151405086803${n}0`, name: 'W' }]));
    const batchId = await batchWith(ids, 'SUBMITTED');
    const csv = ['no_usulan,hasil,nomor_sk', ...ids.map((_, i) => `${i + 1},DITERIMA,SK-${i}`)].join('\n');
    const report = await new PusdatinResultsService(pipeline, files).run({
      batchId,
      fileId: await upload(batchId, csv),
      requestedBy: verifier.userId,
    });
    expect(report).toMatchObject({ rows: 3, recorded: 3, unmatchedCount: 0 });
  });

  it('fails, without retries, a file that is not CSV or lacks the columns, quoting none of its content', async () => {
    const batchId = await batchWith([await submitAdd([{ nik: '3515140508680501', name: 'W' }])], 'SUBMITTED');
    const service = new PusdatinResultsService(pipeline, files);
    const run = async (csv: string) =>
      service.run({ batchId, fileId: await upload(batchId, csv), requestedBy: verifier.userId });
    const broken = run('no_usulan,hasil,nomor_sk\n1,"DITERIMA"rahasia,SK-1\n');
    await expect(broken).rejects.toThrow(NonRetryableJobError);
    await expect(broken).rejects.toMatchObject({ code: 'INVALID_CSV' });
    await expect(broken).rejects.not.toThrow(/rahasia/);
    await expect(run('nomor,status\n1,DITERIMA\n')).rejects.toMatchObject({ code: 'INVALID_HEADER' });
  });

  it('refuses, without retries, a batch not yet submitted', async () => {
    const batchId = await batchWith([await submitAdd([{ nik: '3515140508680401', name: 'W' }])], 'CLOSED');
    const fileId = await upload(batchId, 'no_usulan,hasil,nomor_sk\n1,DITERIMA,SK-1\n');
    await expect(
      new PusdatinResultsService(pipeline, files).run({ batchId, fileId, requestedBy: verifier.userId }),
    ).rejects.toMatchObject({ code: 'NOT_SUBMITTED' });
  });
});
