import { performance } from 'node:perf_hooks';

export interface Timing {
  readonly runsMs: readonly number[];
  readonly bestMs: number;
  readonly medianMs: number;
}

/** Wall time of one call, in milliseconds. */
export function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

export function summarize(runsMs: readonly number[]): Timing {
  return { runsMs, bestMs: Math.min(...runsMs), medianMs: median(runsMs) };
}

export const perSecond = (count: number, ms: number): number => (count * 1000) / ms;

/** Nearest-rank percentile (`p` in 0–100): the smallest value with p % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
