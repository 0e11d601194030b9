/**
 * Runs a fixture (`testing/fixtures/*.ts`) in a child Node process through tsx, and lets the parent wait for its
 * output lines, kill it, and wait for it to end — every wait with a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { TimeoutError, withTimeout } from './conformance-helpers';

/** The repository root (where tsconfig.json lives, so tsx resolves the path aliases). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

export function fixturePath(name: string): string {
  return path.join(__dirname, 'fixtures', name);
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class FixtureProcess {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<ChildExit>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();
  private exit: ChildExit | undefined;

  constructor(
    readonly fixture: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', fixturePath(fixture)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = createInterface({ input: this.child.stdout! });
    out.on('line', (line) => {
      this.lines.push(line);
      for (const listener of this.listeners) listener();
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      // Keep the tail only: enough to explain a failure.
      this.stderr = (this.stderr + chunk).slice(-8_000);
    });
    this.exited = new Promise<ChildExit>((resolve) => {
      // 'close' fires after stdout was fully read, so every line printed before the exit is in `lines`.
      this.child.on('close', (code, signal) => {
        this.exit = { code, signal };
        for (const listener of this.listeners) listener();
        resolve(this.exit);
      });
      this.child.on('error', (error) => {
        this.stderr += `\nspawn error: ${error.message}`;
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Lines starting with `prefix + ' '`, without the prefix. */
  linesWith(prefix: string): string[] {
    const head = `${prefix} `;
    return this.lines.filter((l) => l.startsWith(head)).map((l) => l.slice(head.length));
  }

  /** Waits until at least `count` lines start with `prefix`; fails if the child ends first or on timeout. */
  async waitForLines(prefix: string, count: number, ms: number): Promise<void> {
    const satisfied = (): boolean => this.linesWith(prefix).length >= count;
    if (satisfied()) return;
    let listener: (() => void) | undefined;
    const reached = new Promise<void>((resolve, reject) => {
      listener = () => {
        if (satisfied()) resolve();
        else if (this.exit)
          reject(
            new Error(
              `${this.fixture} ended (${this.describeExit()}) before printing ${count} "${prefix}" lines (got ${this.linesWith(prefix).length})${this.stderrTail()}`,
            ),
          );
      };
      this.listeners.add(listener);
      listener();
    });
    try {
      await withTimeout(reached, ms, `${count} "${prefix}" lines from ${this.fixture}`).catch((error: unknown) => {
        if (error instanceof TimeoutError) {
          throw new TimeoutError(`${error.message} (got ${this.linesWith(prefix).length})${this.stderrTail()}`);
        }
        throw error;
      });
    } finally {
      if (listener) this.listeners.delete(listener);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal);
  }

  /** Waits for the child to end; kills it and fails on timeout. */
  async waitForExit(ms: number): Promise<ChildExit> {
    try {
      return await withTimeout(this.exited, ms, `${this.fixture} to exit`);
    } catch (error) {
      this.kill('SIGKILL');
      await withTimeout(this.exited, 5_000, `${this.fixture} to die`).catch(() => undefined);
      throw new Error(
        `${(error as Error).message}; last lines: ${this.lines.slice(-5).join(' | ')}${this.stderrTail()}`,
      );
    }
  }

  /** Makes sure the child is gone (for `finally` blocks). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.kill('SIGKILL');
    await withTimeout(this.exited, 5_000, `${this.fixture} to die`).catch(() => undefined);
  }

  describeExit(): string {
    if (!this.exit) return 'running';
    return this.exit.signal ? `signal ${this.exit.signal}` : `exit code ${String(this.exit.code)}`;
  }

  stderrTail(): string {
    const tail = this.stderr.trim();
    return tail ? `\n--- ${this.fixture} stderr (tail) ---\n${tail.slice(-3_000)}` : '';
  }
}
