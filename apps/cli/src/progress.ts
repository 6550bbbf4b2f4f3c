/** How a sync's progress is shown while `winnow sync` waits for it. */

/** A sync as the API answers it (docs/api.md, "Registry connections"). */
export interface SyncJson {
  id: number;
  registry: string;
  status: 'queued' | 'running' | 'succeeded' | 'partial' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
  progress: {
    repositoriesTotal: number;
    repositoriesDone: number;
    repositoriesFailed: number;
    tags: number;
    manifestsFetched: number;
    manifestsUnchanged: number;
  };
  errors?: { repository: string; code: string; message: string }[];
}

export const isFinished = (sync: SyncJson): boolean =>
  sync.status !== 'queued' && sync.status !== 'running';

/** `[####......]`: `width` cells, filled in proportion (never full before the end). */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total <= 0 ? 0 : Math.min(width, Math.floor((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** `repositories 4/10 [####......] 40% · tags 120 · fetched 40 · unchanged 0` */
export function progressLine(sync: SyncJson): string {
  if (sync.status === 'queued') return 'waiting for a worker';
  const p = sync.progress;
  const percent =
    p.repositoriesTotal <= 0 ? 0 : Math.floor((p.repositoriesDone / p.repositoriesTotal) * 100);
  return [
    `repositories ${p.repositoriesDone}/${p.repositoriesTotal} ${progressBar(p.repositoriesDone, p.repositoriesTotal)} ${percent}%`,
    `tags ${p.tags}`,
    `fetched ${p.manifestsFetched}`,
    `unchanged ${p.manifestsUnchanged}`,
    ...(p.repositoriesFailed > 0 ? [`failed ${p.repositoriesFailed}`] : []),
  ].join(' · ');
}

export interface ProgressOptions {
  /** A terminal: one line redrawn in place. Otherwise one line per change, at most one per `interval`. */
  readonly tty: boolean;
  /** The terminal's width: a longer line would wrap and could not be redrawn. */
  readonly columns?: number;
  readonly interval?: number;
  readonly clock?: () => number;
}

/** Writes a sync's progress on stderr as it changes. */
export class ProgressReporter {
  private last = '';
  private lastStatus = '';
  private lastAt = -Infinity;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly options: ProgressOptions,
  ) {}

  update(sync: SyncJson): void {
    const line = progressLine(sync);
    if (this.options.tty) {
      const text = sync.status === 'queued' ? `sync ${sync.id} queued: ${line}` : line;
      // A pseudo-terminal may report 0 columns: take 80 then.
      const width = (this.options.columns || 80) - 1;
      this.stream.write(`\r${text.length > width ? text.slice(0, width) : text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const now = (this.options.clock ?? Date.now)();
    const statusChanged = sync.status !== this.lastStatus;
    if (
      line === this.last ||
      (!statusChanged && now - this.lastAt < (this.options.interval ?? 2000))
    )
      return;
    this.stream.write(`sync ${sync.id} ${sync.status}: ${line}\n`);
    this.last = line;
    this.lastStatus = sync.status;
    this.lastAt = now;
  }

  /** Clears the redrawn line, so what follows starts on a clean line. */
  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
