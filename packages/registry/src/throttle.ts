/** At most `limit` holders at once; the others wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
  }

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return;
    }
    // The releasing holder hands its slot over: `active` stays the same.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.active -= 1;
  }
}

/**
 * A token bucket that holds one token: requests start at least `1 / perSecond` apart, so that no
 * second sees more than `perSecond` of them.
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private next = 0;

  constructor(
    perSecond: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond > 0))
      throw new RangeError(`requestsPerSecond must be above 0, got ${perSecond}`);
    this.intervalMs = 1000 / perSecond;
  }

  /**
   * Waits for this request's turn. The turn is checked again after each sleep, on the clock:
   * a timer that fires late (a busy event loop) must not let the late requests start together.
   */
  async take(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now >= this.next) {
        this.next = now + this.intervalMs;
        return;
      }
      await this.sleep(this.next - now);
    }
  }
}
