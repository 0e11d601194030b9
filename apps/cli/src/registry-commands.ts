import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { CommandPipeline } from '@muskel/application';
import { validateConfig } from '@muskel/config';
import { NATIONAL, type Actor } from '@muskel/domain';
import { openServiceStore } from './open-store';
import { DuplicateImportError, importBaseline, type ImportReport } from '@muskel/registry-import';
import { CliError } from './create-admin';
import { createProgress } from './progress-bar';

/** The operator's own command on the server: the events record actor SYSTEM, as for create-admin. */
const OPERATOR: Actor = { userId: 'system', role: 'SYSTEM', scope: NATIONAL };

/** The report as a short table: counts, then one line per error (row, column, code, message; never the values). */
export function formatImportTable(report: ImportReport): string {
  const lines = [
    `import        ${report.importId}${report.resumed ? ' (resumed)' : ''}`,
    `file          ${report.fileName} (${report.digest})`,
    `village       ${report.villageCode ?? '(from the file)'}`,
    `rows          ${report.rows}`,
    `imported      ${report.households.imported}`,
    `already there ${report.households.alreadyImported}`,
    `rejected      ${report.households.rejected}`,
    `errors        ${report.errorCount}${report.errorCount > report.errors.length ? ` (first ${report.errors.length} listed)` : ''}`,
  ];
  if (report.errors.length > 0) {
    lines.push('', 'row\tcolumn\tcode\tmessage');
    for (const error of report.errors)
      lines.push(`${error.row}\t${error.column || '-'}\t${error.code}\t${error.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Lines after the header (a last line without a newline counts too): the bar's total. */
export async function countDataRows(file: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  if (last !== 10) lines += 1;
  return Math.max(0, lines - 1);
}

export function registerRegistryCommands(program: Command): void {
  const registry = program.command('registry').description('the registry (DTKS/DTSEN) kept from accepted proposals');
  registry
    .command('import')
    .description('import a baseline registry file (CSV, one row per person, see docs/registry-import.md)')
    .argument('<file>', 'the CSV file')
    .requiredOption('--village <code>', 'the village the file covers (10 digits, dots allowed)')
    .addOption(new Option('--format <format>', 'how the report is printed').choices(['json', 'table']).default('json'))
    .action(async (file: string, options: { village: string; format: 'json' | 'table' }) => {
      const config = validateConfig(process.env);
      // The imported households' personal data is encrypted like every other append.
      const store = await openServiceStore(config);
      try {
        const interactive = process.stderr.isTTY === true;
        // On a terminal, a bar over the file's rows (counted first: a quick pass); otherwise one line per step.
        const bar = interactive ? createProgress('rows', await countDataRows(file)) : undefined;
        const report = await importBaseline(store, new CommandPipeline(store), createReadStream(file), {
          villageCode: options.village,
          actor: OPERATOR,
          fileName: path.basename(file),
          progressEvery: 5_000,
          onProgress: (progress) => {
            const counts =
              `${progress.imported} imported, ${progress.alreadyImported} already there, ` +
              `${progress.rejected} rejected`;
            if (bar) bar.update(progress.rows, `households ${progress.households}: ${counts}`);
            else process.stderr.write(`rows ${progress.rows}, households ${progress.households}: ${counts}\n`);
          },
        }).finally(() => bar?.stop());
        process.stdout.write(
          options.format === 'table' ? formatImportTable(report) : `${JSON.stringify(report, null, 2)}\n`,
        );
        if (report.households.rejected > 0) process.exitCode = 1;
      } catch (error) {
        if (error instanceof DuplicateImportError) throw new CliError(error.message, 1);
        throw error;
      } finally {
        await store.close();
      }
    });
}
