import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isIdempotent,
  isRetryableStatus,
  retryAfterDelay,
} from './retry';

const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };

describe('the retry policy', () => {
  it('doubles the ceiling per retry up to the maximum, with full jitter below it', () => {
    expect([0, 1, 2, 3, 4, 5].map((retry) => backoffDelay(policy, retry, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(400);
  });

  it('reads Retry-After as seconds or as an HTTP date, capped, never negative', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterDelay('1', policy, now)).toBe(1000);
    expect(retryAfterDelay(' 0 ', policy, now)).toBe(0);
    expect(retryAfterDelay('3600', policy, now)).toBe(60_000);
    expect(retryAfterDelay('Thu, 01 Jan 2026 00:00:05 GMT', policy, now)).toBe(5000);
    expect(retryAfterDelay('Wed, 31 Dec 2025 23:00:00 GMT', policy, now)).toBe(0);
    expect(retryAfterDelay('soon', policy, now)).toBeNull();
    expect(retryAfterDelay('-1', policy, now)).toBeNull();
    expect(retryAfterDelay(null, policy, now)).toBeNull();
  });

  it('retries only what is safe to repeat, on statuses that say "later"', () => {
    expect(['GET', 'HEAD', 'DELETE'].every(isIdempotent)).toBe(true);
    expect(['PUT', 'POST', 'PATCH'].some(isIdempotent)).toBe(false);
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 404, 501, 505].some(isRetryableStatus)).toBe(false);
  });
});
