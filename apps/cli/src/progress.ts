/** How the progress of a long task (a sync, an import, a run) is shown on stderr while it goes. */

/** What the reporter draws: `label status: line`, e.g. `sync 7 running: repositories 4/10 ...`. */
export interface ProgressFrame {
  readonly label: string;
  readonly status: string;
  readonly line: string;
}

/** `[####......]`: `width` cells, filled in proportion (never full before the end). */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total <= 0 ? 0 : Math.min(width, Math.floor((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** `4/10 [####......] 40%` */
export function ratio(done: number, total: number): string {
  const percent = total <= 0 ? 0 : Math.floor((done / total) * 100);
  return `${done}/${total} ${progressBar(done, total)} ${percent}%`;
}

export interface ProgressOptions {
  /** A terminal: one line redrawn in place. Otherwise one line per change, at most one per `interval`. */
  readonly tty: boolean;
  /** The terminal's width: a longer line would wrap and could not be redrawn. */
  readonly columns?: number;
  readonly interval?: number;
  /** Without a terminal, nothing is written in the first `delay` ms: a quick task stays quiet. */
  readonly delay?: number;
  readonly clock?: () => number;
}

/** The options for a command's stderr: redrawn in place only when it is a terminal. */
export function progressOptionsFor(stderr: { isTTY?: boolean; columns?: number }): ProgressOptions {
  return {
    tty: stderr.isTTY === true,
    ...(stderr.columns !== undefined && { columns: stderr.columns }),
  };
}

/** Writes progress on stderr as it changes; never on stdout, which may be piped as JSON. */
export class ProgressReporter {
  private last = '';
  private lastStatus = '';
  private lastAt = -Infinity;
  private drawn = false;
  private readonly quietUntil: number;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly options: ProgressOptions,
  ) {
    this.quietUntil = (options.clock ?? Date.now)() + (options.delay ?? 0);
  }

  update(frame: ProgressFrame): void {
    if (this.options.tty) {
      const text = frame.status === 'queued' ? `${frame.label} queued: ${frame.line}` : frame.line;
      // A pseudo-terminal may report 0 columns: take 80 then.
      const width = (this.options.columns || 80) - 1;
      this.stream.write(`\r${text.length > width ? text.slice(0, width) : text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const now = (this.options.clock ?? Date.now)();
    if (now < this.quietUntil) return;
    const statusChanged = frame.status !== this.lastStatus;
    if (
      frame.line === this.last ||
      (!statusChanged && now - this.lastAt < (this.options.interval ?? 2000))
    )
      return;
    this.stream.write(`${frame.label} ${frame.status}: ${frame.line}\n`);
    this.last = frame.line;
    this.lastStatus = frame.status;
    this.lastAt = now;
  }

  /** Clears the redrawn line, so what follows starts on a clean line. */
  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
