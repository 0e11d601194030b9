/**
 * Builds an artefact at most once per change of its sources, however many Jest workers ask at the same time: a
 * directory made with mkdir (atomic) is the lock, a stamp file beside the output names the sources' fingerprint.
 * Written here rather than taken from a library because it is twenty lines and only tests need it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/** Size and modification time of every file under `dirs` (relative to the repository), as one digest. */
export function sourcesFingerprint(dirs: readonly string[]): string {
  const hash = createHash('sha256');
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') visit(full);
      } else if (entry.isFile()) {
        const stat = fs.statSync(full);
        hash.update(`${path.relative(ROOT, full)}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  for (const dir of dirs) {
    const full = path.join(ROOT, dir);
    if (fs.statSync(full).isDirectory()) visit(full);
    else hash.update(`${dir}\0${fs.statSync(full).size}\0${fs.statSync(full).mtimeMs}\n`);
  }
  return hash.digest('hex');
}

export interface BuildSpec {
  /** Names the lock and the stamp. */
  name: string;
  /** Directories and files whose change calls for a new build. */
  sources: readonly string[];
  /** The directory the build writes (relative to the repository); the stamp is kept inside it. */
  output: string;
  command: string;
  args: readonly string[];
  /** Variables set for the build on top of this process's environment. */
  env?: Record<string, string>;
  /** Run inside the lock before the command (e.g. to write the build's own configuration). */
  prepare?: () => void;
  /**
   * A file (relative to the repository) whose presence after the command means success even when the command
   * exits non-zero: `nest build` emits and then reports type errors, which `npm run typecheck` reports on its own.
   */
  produces?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the build unless the output's stamp matches the sources; returns the output directory. */
export async function buildOnce(spec: BuildSpec): Promise<string> {
  const output = path.join(ROOT, spec.output);
  const stamp = path.join(output, `.build-stamp-${spec.name}`);
  const fingerprint = sourcesFingerprint(spec.sources);
  const fresh = () => fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fingerprint;
  if (fresh()) return output;
  fs.mkdirSync(path.join(ROOT, 'dist'), { recursive: true });
  const lock = path.join(ROOT, 'dist', `.build-lock-${spec.name}`);
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than ten minutes belongs to a killed run.
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 10 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${spec.name}: waited ten minutes for another build's lock ${lock}`);
      await sleep(250);
    }
  }
  try {
    if (fresh()) return output;
    spec.prepare?.();
    // A previous build's output must not pass for this one's.
    if (spec.produces) fs.rmSync(path.join(ROOT, spec.produces), { force: true });
    const log = await new Promise<string>((resolve, reject) => {
      execFile(
        spec.command,
        [...spec.args],
        { cwd: ROOT, env: { ...process.env, ...spec.env }, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error && !(spec.produces && fs.existsSync(path.join(ROOT, spec.produces)))
            ? reject(new Error(`${spec.name} build failed:\n${stdout}\n${stderr}`))
            : resolve(`${stdout}\n${stderr}`),
      );
    });
    const made = path.join(ROOT, spec.produces ?? spec.output);
    if (!fs.existsSync(made)) throw new Error(`${spec.name} build produced no ${made}:\n${log}`);
    fs.writeFileSync(stamp, fingerprint);
    return output;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** The web application built into dist/web (what `npm start` serves), once per change of its sources. */
export function buildWebApp(): Promise<string> {
  return buildOnce({
    name: 'web',
    sources: ['apps/web', 'package.json', 'test/support/build-once.ts'],
    output: 'dist/web',
    command: path.join(ROOT, 'node_modules/.bin/vite'),
    args: ['build', '--config', 'apps/web/vite.config.mts', '--logLevel', 'warn'],
    // Jest sets NODE_ENV=test, which Vite would keep: React's development build, twice the size.
    env: { NODE_ENV: 'production' },
  });
}

/**
 * The API built with `nest build` into dist/e2e-api (its own directory: `npm start` or the start-up suite building
 * dist/apps/api cannot swap files under processes started from it), once for all suites that start it as child
 * processes. Returns the path of main.js.
 */
export async function buildApiForTests(): Promise<string> {
  const output = 'dist/e2e-api';
  const main = `${output}/out/apps/api/src/main.js`;
  await buildOnce({
    name: 'api',
    sources: ['apps/api', 'libs', 'package.json', 'tsconfig.json', 'nest-cli.json', 'test/support/build-once.ts'],
    output,
    command: path.join(ROOT, 'node_modules/.bin/nest'),
    args: ['build', 'api', '--path', `${output}/tsconfig.json`],
    prepare: () => {
      fs.mkdirSync(path.join(ROOT, output), { recursive: true });
      fs.writeFileSync(
        path.join(ROOT, output, 'tsconfig.json'),
        JSON.stringify({ extends: '../../apps/api/tsconfig.app.json', compilerOptions: { outDir: './out' } }),
      );
    },
    produces: main,
  });
  return path.join(ROOT, main);
}
