import { SingleBar, Presets } from 'cli-progress';

/** A progress display for a long CLI command: a bar on an interactive terminal, plain lines otherwise. */
export interface Progress {
  /** `done` items so far; `extra` is a short summary (counts only: never personal data). */
  update(done: number, extra?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Where to draw; stderr by default so stdout stays the command's result (JSON, a table). */
  stream?: NodeJS.WriteStream;
}

/**
 * A bar (cli-progress) on stderr when stderr is a terminal; otherwise one line per update, so logs and CI output stay
 * readable and nothing is redrawn with carriage returns. Without a total the bar shows the count only.
 */
export function createProgress(label: string, total?: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY !== true) {
    return {
      update: (done, extra) =>
        stream.write(`${label}: ${done}${total !== undefined ? `/${total}` : ''}${extra ? ` ${extra}` : ''}\n`),
      stop: () => undefined,
    };
  }
  const known = total !== undefined && total > 0;
  const bar = new SingleBar(
    {
      stream,
      format: known ? `${label} [{bar}] {percentage}% {value}/{total} {extra}` : `${label} {value} {extra}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  bar.start(known ? total : 0, 0, { extra: '' });
  let stopped = false;
  return {
    update: (done, extra) => {
      if (stopped) return;
      // Without a known total the bar's end follows the count, so the bar never overflows.
      if (!known) bar.setTotal(Math.max(done, 1));
      bar.update(done, { extra: extra ?? '' });
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
