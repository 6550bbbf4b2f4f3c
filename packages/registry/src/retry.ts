/** When and how long to wait before trying a request again. */
export interface RetryPolicy {
  /** Attempts after the first one (default 4). */
  readonly retries: number;
  /** The backoff of the first retry before jitter (default 200 ms); it doubles per retry. */
  readonly baseDelayMs: number;
  /** The backoff never exceeds this (default 10 s). */
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is cut to it (default 60 s). */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/** Methods whose repetition does no harm: a DELETE by digest that already happened finds 404. */
export const isIdempotent = (method: string): boolean =>
  method === 'GET' || method === 'HEAD' || method === 'DELETE';

/** Statuses that say "later": throttling and server failures, except "not implemented". */
export const isRetryableStatus = (status: number): boolean =>
  status === 429 || (status >= 500 && status !== 501 && status !== 505);

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, base * 2^retry)), so that
 * clients that failed together do not come back together. `retry` counts from 0.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * The delay a `Retry-After` header asks for (RFC 9110: seconds, or an HTTP date), capped;
 * null when there is none or it cannot be read.
 */
export function retryAfterDelay(
  header: string | null,
  policy: RetryPolicy,
  now: number,
): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    // An HTTP date names its day and month; `Date.parse` alone would take "-1" for a year.
    const date = /[A-Za-z]/.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(date)) return null;
    ms = date - now;
  }
  return Math.min(policy.maxRetryAfterMs, Math.max(0, ms));
}
