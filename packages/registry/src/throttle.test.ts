import { RateLimiter, Semaphore } from './throttle';

describe('Semaphore', () => {
  it('lets at most `limit` in at once, the others in arrival order', async () => {
    const slots = new Semaphore(2);
    const entered: number[] = [];
    let inside = 0;
    let most = 0;
    const holders = [0, 1, 2, 3, 4].map(async (i) => {
      await slots.acquire();
      entered.push(i);
      inside += 1;
      most = Math.max(most, inside);
      await new Promise((done) => setTimeout(done, 5));
      inside -= 1;
      slots.release();
    });
    await Promise.all(holders);
    expect(most).toBe(2);
    expect(entered).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a limit below one', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('RateLimiter', () => {
  it('spaces requests 1 / perSecond apart on its clock', async () => {
    let now = 1000;
    const slept: number[] = [];
    const limiter = new RateLimiter(
      4,
      (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
      () => now,
    );
    const started: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      await limiter.take();
      started.push(now);
    }
    expect(started).toEqual([1000, 1250, 1500, 1750]);
    now += 1000;
    await limiter.take();
    expect(slept).toEqual([250, 250, 250]);
  });

  it('keeps the spacing when timers fire late together (a busy event loop)', async () => {
    let now = 0;
    const timers: Array<{ at: number; fire: () => void }> = [];
    const limiter = new RateLimiter(
      20,
      (ms) => new Promise<void>((fire) => timers.push({ at: now + ms, fire })),
      () => now,
    );
    const started: number[] = [];
    for (let i = 0; i < 4; i += 1) void limiter.take().then(() => started.push(now));
    const settle = () => new Promise((done) => setImmediate(done));
    await settle();
    // The loop stalls until 200 ms: every timer due by then fires at once, then time goes on.
    for (const at of [200, 250, 300, 350, 400]) {
      now = at;
      const due = timers.filter((t) => t.at <= now);
      timers.splice(0, timers.length, ...timers.filter((t) => t.at > now));
      for (const timer of due) timer.fire();
      await settle();
    }
    expect(started).toEqual([0, 200, 250, 300]);
  });
});
