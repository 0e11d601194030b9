import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { validateConfig } from '@muskel/config';
import { NATIONAL, REFERENCE_SOURCES, type Actor, type ReferenceSource } from '@muskel/domain';
import { QUEUES, jobIdFor } from '@muskel/jobs';
import { openServiceStore } from './open-store';
import {
  DuplicateReferenceImportError,
  ReferenceFileFormatError,
  importReferenceList,
  type ReferenceImportReport,
} from '@muskel/reference-lists';
import { CliError } from './create-admin';
import { createProgress } from './progress-bar';

/** The operator's own command on the server: the event records actor SYSTEM, as for the baseline import. */
const OPERATOR: Actor = { userId: 'system', role: 'SYSTEM', scope: NATIONAL };

/** The report as a short table: counts, then one line per error (row, column, code, message; never the values). */
export function formatReferenceImportTable(report: ReferenceImportReport): string {
  const lines = [
    `import   ${report.importId}`,
    `source   ${report.source}`,
    `file     ${report.fileName} (${report.digest})`,
    `rows     ${report.rows}`,
    `accepted ${report.accepted}`,
    `rejected ${report.rejected}`,
    `errors   ${report.errorCount}${report.errorCount > report.errors.length ? ` (first ${report.errors.length} listed)` : ''}`,
  ];
  if (report.errors.length > 0) {
    lines.push('', 'row\tcolumn\tcode\tmessage');
    for (const error of report.errors) lines.push(`${error.row}\t${error.column}\t${error.code}\t${error.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerReferenceListCommands(program: Command): void {
  const lists = program
    .command('reference-lists')
    .description('reference lists of other agencies (BKN, Dukcapil, BPJS-TK, AHU) matched against the registry');
  lists
    .command('import')
    .description('import a reference list (CSV, see docs/reference-lists.md); the worker then matches it')
    .argument('<file>', 'the CSV file')
    .addOption(
      new Option('--source <source>', 'which list the file is').choices([...REFERENCE_SOURCES]).makeOptionMandatory(),
    )
    .addOption(new Option('--format <format>', 'how the report is printed').choices(['json', 'table']).default('json'))
    .action(async (file: string, options: { source: ReferenceSource; format: 'json' | 'table' }) => {
      const config = validateConfig(process.env);
      const store = await openServiceStore(config);
      const progress = createProgress('rows');
      try {
        const report = await importReferenceList(store, createReadStream(file), {
          source: options.source,
          fileName: path.basename(file),
          actor: OPERATOR,
          progressEvery: 10_000,
          onProgress: (p) => progress.update(p.rows, `${p.accepted} accepted, ${p.rejected} rejected`),
        });
        progress.stop();
        // The worker matches the list in the background: GET /jobs/:id with this id follows it.
        const matchingJobId = jobIdFor(QUEUES.referenceMatching, report.importId);
        process.stdout.write(
          options.format === 'table'
            ? `${formatReferenceImportTable(report)}matching job ${matchingJobId}\n`
            : `${JSON.stringify({ ...report, matchingJobId }, null, 2)}\n`,
        );
        if (report.rejected > 0) process.exitCode = 1;
      } catch (error) {
        progress.stop();
        if (error instanceof DuplicateReferenceImportError || error instanceof ReferenceFileFormatError) {
          throw new CliError(error.message, 1);
        }
        throw error;
      } finally {
        await store.close();
      }
    });
}
