/** Memory figures. Heap figures are only meaningful with `--expose-gc`, so that garbage is collected first. */
const MIB = 1024 * 1024;

export const toMiB = (bytes: number): number => bytes / MIB;

/** A full collection when the process runs with `--expose-gc`; otherwise nothing. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return false;
  gc();
  return true;
}

/** Peak resident set size of the process so far; `maxRSS` is reported in kilobytes. */
export const peakRssMiB = (): number => (process.resourceUsage().maxRSS * 1024) / MIB;

export const heapUsedMiB = (): number => toMiB(process.memoryUsage().heapUsed);

/**
 * The highest live heap (after a full collection) seen at sample points, above where it stood
 * at the start. Sampled every so many repositories, it shows whether a run holds what it has
 * decided (growth with the inventory) or streams it (flat). Without `--expose-gc` it counts
 * garbage too and means little.
 */
export class LiveHeapWatermark {
  private readonly baseline: number;
  private peak: number;

  constructor() {
    collectGarbage();
    this.baseline = process.memoryUsage().heapUsed;
    this.peak = this.baseline;
  }

  sample(): void {
    collectGarbage();
    this.peak = Math.max(this.peak, process.memoryUsage().heapUsed);
  }

  /** In MiB. */
  get growth(): number {
    return toMiB(this.peak - this.baseline);
  }
}
