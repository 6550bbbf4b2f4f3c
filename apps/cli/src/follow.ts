import type { Io } from './command';
import { type ProgressFrame, progressOptionsFor, ProgressReporter } from './progress';

/** How often a followed sync or run is read. */
export const POLL_MS = 500;

/** Waits `ms`, or less when `stop` is aborted. */
function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', () => {
      clearTimeout(timer);
      done();
    });
  });
}

export interface Followed<T> {
  readonly value: T;
  /** Ctrl-C stopped the waiting (the server goes on). */
  readonly interrupted: boolean;
}

/**
 * Reads something the server works on (`read`) every POLL_MS until `finished`, showing its
 * progress (`frameOf`) on stderr, or until Ctrl-C: then it resolves with `interrupted` rather than dying, so the
 * caller can say what goes on in the server.
 */
export async function follow<T>(
  first: T,
  read: () => Promise<T>,
  finished: (value: T) => boolean,
  frameOf: (value: T) => ProgressFrame,
  io: Io,
): Promise<Followed<T>> {
  const stop = new AbortController();
  const onInterrupt = () => {
    stop.abort();
  };
  process.on('SIGINT', onInterrupt);
  const reporter = new ProgressReporter(io.stderr, progressOptionsFor(io.stderr));
  let value = first;
  try {
    reporter.update(frameOf(value));
    while (!finished(value)) {
      await pause(POLL_MS, stop.signal);
      if (stop.signal.aborted) return { value, interrupted: true };
      value = await read();
      reporter.update(frameOf(value));
    }
    return { value, interrupted: false };
  } finally {
    reporter.done();
    process.off('SIGINT', onInterrupt);
  }
}
