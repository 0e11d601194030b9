/**
 * The Dockerfile, without a Docker engine: it builds with what CI runs (the same Node.js major and npm, the same
 * install command, package.json's build scripts), ships a runtime stage with production dependencies only, runs as
 * a non-root user, and starts what `npm start` starts. .dockerignore keeps secrets and local state out of the build.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Instructions in order, continuation lines joined, comments dropped; `stage` counts the FROMs (0 = first). */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const result: Instruction[] = [];
  let stage = -1;
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    if (match[1] === 'FROM') stage += 1;
    result.push({ keyword: match[1]!, args: match[2]!.replace(/\s+/g, ' ').trim(), stage });
  }
  return result;
}

/** `<x.y.z>` against an npm range made of `||` alternatives of `>=`, `>`, `<=`, `<` comparators (what engines uses). */
function satisfies(version: string, range: string): boolean {
  const parts = (v: string) => v.split('.').map(Number);
  const compare = (a: string, b: string) => {
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < 3; i += 1) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  };
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((comparator) => {
        const match = /^(>=|<=|>|<|=)?(\d+(?:\.\d+){0,2})$/.exec(comparator);
        if (!match) throw new Error(`unsupported comparator ${comparator}`);
        const c = compare(version, match[2]!);
        return { '>=': c >= 0, '<=': c <= 0, '>': c > 0, '<': c < 0, '=': c === 0 }[match[1] ?? '=']!;
      }),
  );
}

const dockerfile = read('Dockerfile');
const steps = instructions(dockerfile);
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string> };
const argDefault = (name: string): string => {
  const arg = steps.find((s) => s.keyword === 'ARG' && s.args.startsWith(`${name}=`));
  if (!arg) throw new Error(`no ARG ${name}=... in the Dockerfile`);
  return arg.args.slice(name.length + 1);
};
const runs = (stage: number): string[] =>
  steps.filter((s) => s.keyword === 'RUN' && s.stage === stage).map((s) => s.args);
const lastStage = Math.max(...steps.map((s) => s.stage));

describe('Dockerfile', () => {
  it('is multi-stage, every stage on the official Node.js image of the NODE_VERSION argument', () => {
    const froms = steps.filter((s) => s.keyword === 'FROM').map((s) => s.args);
    expect(froms).toEqual([
      'node:${NODE_VERSION}-bookworm-slim AS build',
      'node:${NODE_VERSION}-bookworm-slim AS runtime',
    ]);
  });

  it('uses the Node.js major CI runs (the one running this test) and package.json engines allows', () => {
    const nodeVersion = argDefault('NODE_VERSION');
    expect(nodeVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(nodeVersion.split('.')[0]).toBe(process.versions.node.split('.')[0]);
    expect(satisfies(nodeVersion, pkg.engines.node)).toBe(true);
    // The range check itself bites.
    expect(satisfies('21.0.0', pkg.engines.node)).toBe(false);
  });

  it('installs the npm version CI runs', () => {
    const npmVersion = execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
    expect(argDefault('NPM_VERSION')).toBe(npmVersion);
    for (const stage of [0, lastStage]) {
      expect(runs(stage)[0]!.split(' && ')[0]).toBe('npm install --global npm@${NPM_VERSION}');
    }
  });

  it("builds with CI's install command and package.json's build scripts", () => {
    const ciInstall = /^npm install .*$/m.exec(read('.ci/run'))![0];
    const build = runs(0);
    expect(build).toContain(ciInstall);
    const commands = build.flatMap((run) => run.split(/\s*(?:&&|;)\s*/));
    const scripts = commands.filter((c) => c.startsWith('npm run ')).map((c) => c.split(' ').pop()!);
    expect(scripts).toContain('build');
    for (const c of commands.filter((c) => c.startsWith('npm run ') && !c.includes('--if-present'))) {
      expect(Object.keys(pkg.scripts)).toContain(c.split(' ').pop());
    }
    // The web application first: the API serves its files (WEB_ROOT, dist/web) from the same dist.
    expect(pkg.scripts.build).toBe('npm run build:web && nest build api');
    // The witness has no build script yet: it is built with the same `nest build` the scripts use, for its project.
    const nestProjects = Object.keys((JSON.parse(read('nest-cli.json')) as { projects: object }).projects);
    for (const match of dockerfile.matchAll(/npx nest build ([\w-]+)/g)) expect(nestProjects).toContain(match[1]);
  });

  it('ships production dependencies only, the built dist, as a non-root user, starting what npm start starts', () => {
    const runtime = runs(lastStage);
    expect(runtime.some((run) => /^npm (ci|install) --omit=dev\b/.test(run))).toBe(true);
    const copies = steps.filter((s) => s.keyword === 'COPY' && s.stage === lastStage).map((s) => s.args);
    expect(copies).toContain('--from=build /src/dist ./dist');
    expect(copies.some((c) => /\b(apps|libs|node_modules)\b/.test(c))).toBe(false);
    const users = steps.filter((s) => s.keyword === 'USER' && s.stage === lastStage).map((s) => s.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    const cmd = steps.filter((s) => s.keyword === 'CMD').pop()!.args;
    expect(JSON.parse(cmd)).toEqual(['node', 'dist/apps/api/main.js']);
    expect(pkg.scripts.start).toContain('node dist/apps/api/main.js');
    expect(steps.some((s) => s.keyword === 'HEALTHCHECK' && s.args.includes('/health'))).toBe(true);
    expect(steps.some((s) => s.keyword === 'ENV' && s.args.includes('NODE_ENV=production'))).toBe(true);
  });

  it('.dockerignore keeps secrets, local state and dependencies out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const entry of ['.git', 'node_modules', 'dist', 'data', 'secrets', '.env']) expect(ignored).toContain(entry);
    // What the build copies is not ignored.
    for (const entry of ['apps', 'libs', 'package.json', 'package-lock.json', 'tsconfig.json', 'nest-cli.json']) {
      expect(ignored).not.toContain(entry);
    }
  });
});
