import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { RegistryError, RegistryErrorCode } from './errors';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isIdempotent,
  isRetryableStatus,
  retryAfterDelay,
  type RetryPolicy,
} from './retry';
import { RateLimiter, Semaphore } from './throttle';

export interface TlsOptions {
  /** A PEM certificate (or several) trusted besides the system's roots: a private CA. */
  readonly caCertificate?: string;
  /** Accepts any certificate. For tests and emergencies only: it allows a man in the middle. */
  readonly insecureSkipVerify?: boolean;
}

export interface TransportOptions extends Partial<RetryPolicy> {
  /** Per attempt, including reading the answer (default 30 s). */
  readonly timeoutMs?: number;
  /** Requests in flight at once (default 8); a request waiting to retry holds no slot. */
  readonly concurrency?: number;
  /** Requests started per second at most (default: no limit). */
  readonly requestsPerSecond?: number;
  readonly tls?: TlsOptions;
  /** How to wait (backoff, `Retry-After`, rate limit); replaced in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter; replaced in tests. */
  readonly random?: () => number;
}

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  /** An answer longer than this is refused (a protocol error), unread. */
  readonly maxBytes?: number;
}

/** Why an attempt got no answer, and whether trying again may help. */
interface Failure {
  readonly reason: string;
  /** The connection was refused: nothing was sent, so even a POST may be sent again. */
  readonly refused: boolean;
  /** Trying again cannot help (a certificate the client does not trust). */
  readonly permanent: boolean;
}

const sleepFor = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Sends requests to a registry: per-attempt timeout, TLS options, a concurrency cap, a rate
 * limit, and retries of idempotent requests (GET, HEAD, DELETE) on connection errors, timeouts,
 * 429 and 5xx, with exponential backoff and full jitter or the `Retry-After` of a 429 or 503.
 * The answer comes back fully read, so that a slot is held exactly while a request is in flight.
 */
export class Transport {
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly slots: Semaphore;
  private readonly rate: RateLimiter | null;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: TransportOptions = {}) {
    this.policy = {
      retries: options.retries ?? DEFAULT_RETRY_POLICY.retries,
      baseDelayMs: options.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? sleepFor;
    this.random = options.random ?? Math.random;
    this.slots = new Semaphore(options.concurrency ?? 8);
    this.rate =
      options.requestsPerSecond === undefined
        ? null
        : new RateLimiter(options.requestsPerSecond, this.sleep);
    this.dispatcher = options.tls === undefined ? undefined : tlsAgent(options.tls);
  }

  async send(request: HttpRequest): Promise<Response> {
    const idempotent = isIdempotent(request.method);
    const what = `${request.method} ${redacted(request.url)}`;
    for (let attempt = 1; ; attempt += 1) {
      await this.slots.acquire();
      let outcome: Response | Failure;
      try {
        await this.rate?.take();
        outcome = await this.attempt(request);
      } finally {
        this.slots.release();
      }
      const retriesLeft = attempt <= this.policy.retries;
      let delay = backoffDelay(this.policy, attempt - 1, this.random);
      if (outcome instanceof Response) {
        if (!idempotent || !isRetryableStatus(outcome.status)) return outcome;
        const last = `${outcome.status} ${outcome.statusText}`.trim();
        if (!retriesLeft) throw gaveUp(what, attempt, last, outcome.status);
        if (outcome.status === 429 || outcome.status === 503) {
          const asked = retryAfterDelay(
            outcome.headers.get('retry-after'),
            this.policy,
            Date.now(),
          );
          if (asked !== null) delay = asked;
        }
      } else {
        const retryable = !outcome.permanent && (idempotent || outcome.refused);
        if (!retryable) {
          throw new RegistryError(RegistryErrorCode.unavailable, `${what}: ${outcome.reason}`);
        }
        if (!retriesLeft) throw gaveUp(what, attempt, outcome.reason);
      }
      await this.sleep(delay);
    }
  }

  /** One attempt: the answer, fully read, or why there was none. */
  private async attempt(request: HttpRequest): Promise<Response | Failure> {
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined && { body: request.body }),
        redirect: 'follow',
        signal: AbortSignal.timeout(this.timeoutMs),
        // undici's Agent is the class that node's fetch (undici 6 inside) describes and takes.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
        ...(this.dispatcher !== undefined && { dispatcher: this.dispatcher }),
      });
      const body = await readBody(response, request);
      return new Response(body.length === 0 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      return failure(error, this.timeoutMs);
    }
  }
}

async function readBody(response: Response, request: HttpRequest): Promise<Buffer> {
  const limit = request.maxBytes ?? Infinity;
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit) {
    await response.body?.cancel();
    throw new RegistryError(
      RegistryErrorCode.protocol,
      `${request.method} ${redacted(request.url)}: ${declared} bytes, more than the ${limit} allowed`,
    );
  }
  const chunks: Buffer[] = [];
  let length = 0;
  if (response.body === null) return Buffer.alloc(0);
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    length += chunk.length;
    if (length > limit) {
      throw new RegistryError(
        RegistryErrorCode.protocol,
        `${request.method} ${redacted(request.url)}: more than the ${limit} bytes allowed`,
      );
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_TLS|^ERR_SSL/;

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly cause?: ErrorLike;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function failure(thrown: unknown, timeoutMs: number): Failure {
  // Errors of node's fetch and DOMExceptions are no `instanceof Error` in every realm (jest's):
  // read their fields instead.
  const error = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as ErrorLike;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return { reason: `no answer within ${timeoutMs} ms`, refused: false, permanent: false };
  }
  // fetch says "fetch failed"; its cause says what happened (ECONNRESET, a certificate, ...).
  const code = text(error.cause?.code);
  const message = text(error.cause?.message) || text(error.message) || code || String(thrown);
  if (TLS_CODE.test(code)) {
    return { reason: `TLS: ${message} (${code})`, refused: false, permanent: true };
  }
  return {
    reason: code === '' ? message : `${message} (${code})`,
    refused: code === 'ECONNREFUSED',
    permanent: false,
  };
}

function gaveUp(what: string, attempts: number, last: string, status?: number): RegistryError {
  return new RegistryError(
    RegistryErrorCode.unavailable,
    `${what}: gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}; last: ${last}`,
    status,
  );
}

function tlsAgent(tls: TlsOptions): Dispatcher {
  return new Agent({
    connect: {
      // `ca` replaces the default roots: keep them, so a token realm on a public CA still works.
      ...(tls.caCertificate !== undefined && { ca: [...rootCertificates, tls.caCertificate] }),
      ...(tls.insecureSkipVerify === true && { rejectUnauthorized: false }),
    },
  });
}

/** A URL without user information or query (tokens and credentials stay out of messages). */
export function redacted(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
