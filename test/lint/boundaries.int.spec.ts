/**
 * The repository's own guard rails: ESLint keeps libs/domain pure, dependency-cruiser forbids cycles and checks
 * the same boundary on resolved imports, and the real tree passes both (what `npm run lint` runs).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { configs as tsConfigs } from 'typescript-eslint';

const ROOT = path.resolve(__dirname, '../..');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const DEPCRUISE_CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface Violation {
  type: string;
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

/** `json` for the report (exit code 0 whatever it finds); `err`, as `npm run lint`, exits non-zero on errors. */
function cruise(cwd: string, outputType: 'json' | 'err', ...paths: string[]): Promise<Run> {
  return run([DEPCRUISE, ...paths, '--config', DEPCRUISE_CONFIG, '--output-type', outputType], cwd);
}

function violationsOf(result: Run): Violation[] {
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

describe('ESLint: libs/domain stays pure', () => {
  // The probes are not files on disk, so the TypeScript project service cannot type them: lint them with the
  // repository's configuration minus the type-aware rules. The boundary rule needs no types.
  const eslint = new ESLint({ cwd: ROOT, overrideConfig: tsConfigs.disableTypeChecked });

  async function lint(code: string, filePath: string): Promise<ESLint.LintResult['messages']> {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
    return result?.messages ?? [];
  }

  function boundaryErrors(messages: ESLint.LintResult['messages']): string[] {
    return messages.filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2).map((m) => m.message);
  }

  it.each([
    ["import '@nestjs/common';\n", '@nestjs/common'],
    ["import { Pool } from 'pg';\nexport const pool = Pool;\n", 'pg'],
    ["import * as fs from 'node:fs';\nexport const read = fs.readFileSync;\n", 'node:fs'],
    ["import { readFile } from 'fs/promises';\nexport const read = readFile;\n", 'fs/promises'],
    ["import { PGlite } from '@electric-sql/pglite';\nexport const db = PGlite;\n", '@electric-sql/pglite'],
    ["import { Queue } from 'bullmq';\nexport const q = Queue;\n", 'bullmq'],
    ["import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;\n", 'node:crypto'],
    [
      "import { createEventStore } from '@muskel/event-store';\nexport const c = createEventStore;\n",
      '@muskel/event-store',
    ],
    ["export * from 'ioredis';\n", 'ioredis'],
  ])('rejects %j', async (code, specifier) => {
    const errors = boundaryErrors(await lint(code, 'libs/domain/src/probe.ts'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`'${specifier}'`);
    expect(errors[0]).toContain('libs/domain is pure TypeScript');
  });

  it('rejects a relative import that leaves libs/domain, at any depth', async () => {
    const shallow = await lint("export * from '../../event-store/src';\n", 'libs/domain/src/probe.ts');
    const deep = await lint("export * from '../../../../apps/api/src/app.module';\n", 'libs/domain/src/a/b/probe.ts');
    expect(boundaryErrors(shallow)).toEqual([expect.stringContaining('may not leave it')]);
    expect(boundaryErrors(deep)).toEqual([expect.stringContaining('may not leave it')]);
  });

  it('accepts a pure file: relative imports inside the domain and the pure core modules', async () => {
    const code = [
      "import { inspect } from 'node:util';",
      "import type { Other } from '../other';",
      "import { helper } from './helper';",
      '',
      'export interface Proposal {',
      '  id: string;',
      '  other?: Other;',
      '}',
      '',
      'export function describe(proposal: Proposal): string {',
      '  return helper(inspect(proposal));',
      '}',
      '',
    ].join('\n');
    expect(await lint(code, 'libs/domain/src/proposal/proposal.ts')).toEqual([]);
  });

  it('leaves adapters outside libs/domain free to use drivers', async () => {
    const code = "import { Pool } from 'pg';\nimport * as fs from 'node:fs';\nexport const deps = [Pool, fs];\n";
    expect(await lint(code, 'libs/event-store/src/probe.ts')).toEqual([]);
  });
});

describe('ESLint: the event log is read through the port', () => {
  const eslint = new ESLint({ cwd: ROOT, overrideConfig: tsConfigs.disableTypeChecked });
  const probe = [
    "export const one = 'SELECT data FROM es_events WHERE stream_id = $1';",
    'export const two = (id: string): string => `SELECT 1 FROM es_events WHERE event_id = ${id}`;',
    "export const fine = 'SELECT position FROM es_checkpoints WHERE subscriber_id = $1';",
    '',
  ].join('\n');

  async function logErrors(filePath: string): Promise<number[]> {
    const [result] = await eslint.lintText(probe, { filePath: path.join(ROOT, filePath) });
    return (result?.messages ?? [])
      .filter((m) => m.ruleId === 'no-restricted-syntax' && m.message.includes('EventStore port'))
      .map((m) => m.line);
  }

  it('refuses SQL on es_events in apps and libs, in strings and templates', async () => {
    expect(await logErrors('libs/reactors/src/probe.ts')).toEqual([1, 2]);
    expect(await logErrors('apps/api/src/workflow/probe.ts')).toEqual([1, 2]);
  });

  it('allows it in the store itself and in tests', async () => {
    expect(await logErrors('libs/event-store/src/sql/probe.ts')).toEqual([]);
    expect(await logErrors('libs/reactors/src/probe.int.spec.ts')).toEqual([]);
    expect(await logErrors('libs/projections/src/testing/probe.ts')).toEqual([]);
  });

  it('lists as left only files that still read es_events (the list only shrinks)', () => {
    const config = fs.readFileSync(path.join(ROOT, 'eslint.config.mjs'), 'utf8');
    const list = /const SQL_LOG_READERS_LEFT = \[([^\]]*)\]/.exec(config)?.[1] ?? '';
    const files = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect([file, /\bes_events\b/.test(fs.readFileSync(path.join(ROOT, file), 'utf8'))]).toEqual([file, true]);
    }
  });
});

describe('dependency-cruiser: cycles and the domain boundary', () => {
  let fixture: string;

  beforeAll(() => {
    fixture = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-depcruise-'));
    const write = (file: string, content: string): void => {
      fs.mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
      fs.writeFileSync(path.join(fixture, file), content);
    };
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(fixture, 'node_modules'), 'dir');
    write(
      'tsconfig.json',
      JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@muskel/other': ['libs/other/src'] } } }),
    );
    write('apps/demo/src/a.ts', "import { b } from './b';\nexport const a = (): unknown => b;\n");
    write('apps/demo/src/b.ts', "import { a } from './a';\nexport const b = (): unknown => a;\n");
    write('libs/other/src/index.ts', 'export const other = 1;\n');
    write(
      'libs/domain/src/impure.ts',
      "import { Injectable } from '@nestjs/common';\nexport const decorate = Injectable;\n",
    );
    write('libs/domain/src/io.ts', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n");
    write('libs/domain/src/alias.ts', "import { other } from '@muskel/other';\nexport const o = other;\n");
    write('libs/domain/src/pure.ts', "import { inspect } from 'node:util';\nexport const show = inspect;\n");
  });

  afterAll(() => {
    fs.rmSync(fixture, { recursive: true, force: true });
  });

  it('reports the cycle and every domain violation', async () => {
    const result = await cruise(fixture, 'json', 'apps', 'libs');
    const found = violationsOf(result).map(
      (v) => `${v.rule.name} ${v.from} -> ${v.to.replace(/^.*node_modules\//, '')}`,
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^no-circular apps\/demo\/src\/(a|b)\.ts -> apps\/demo\/src\/(a|b)\.ts$/),
        expect.stringMatching(/^domain-no-frameworks-or-drivers libs\/domain\/src\/impure\.ts -> @nestjs\/common\//),
        'domain-no-node-io libs/domain/src/io.ts -> fs',
        'domain-self-contained libs/domain/src/alias.ts -> libs/other/src/index.ts',
      ]),
    );
    expect(found.filter((line) => line.includes('/pure.ts'))).toEqual([]);
    expect(violationsOf(result).every((v) => v.rule.severity === 'error')).toBe(true);
  });

  it('fails the lint run on them', async () => {
    const result = await cruise(fixture, 'err', 'apps', 'libs');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('error no-circular');
  });
});

describe('the real tree', () => {
  it('passes ESLint with no errors and no warnings', async () => {
    const results = await new ESLint({ cwd: ROOT }).lintFiles(['.']);
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${path.relative(ROOT, r.filePath)}:${m.line}:${m.column} ${m.ruleId} ${m.message}`),
    );
    expect(problems).toEqual([]);
  }, 600_000); // type-aware rules over the whole tree: a minute alone, several on a loaded machine

  it('passes dependency-cruiser', async () => {
    const result = await cruise(ROOT, 'err', 'apps', 'libs');
    expect({ code: result.code, report: result.stdout.trim() }).toEqual({
      code: 0,
      report: expect.stringContaining('no dependency violations found'),
    });
  });
});
