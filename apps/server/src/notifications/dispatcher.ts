import {
  type ClaimedDelivery,
  type Database,
  type DeliveryOutcome,
  isDatabaseUnavailable,
} from '@winnow/db';
import type { Log } from '../log';
import type { Metrics } from '../metrics';
import { decryptSecret } from '../registries/secrets';
import { type AttemptResult, sendDelivery } from './send';

export interface DispatcherSettings {
  /** Pause between two looks at the outbox when it had nothing more to send. */
  readonly intervalMs: number;
  /** Deliveries claimed and sent at once. */
  readonly batchSize: number;
  /** How long a claim lasts: longer than a request may take, so nobody sends it meanwhile. */
  readonly leaseMs: number;
  /** How long one POST may take. */
  readonly timeoutMs: number;
  /** The pause after the 1st, 2nd, ... failed attempt (the last repeats). */
  readonly backoffMs: readonly number[];
  /** Attempts in all; then the delivery is failed. */
  readonly maxAttempts: number;
  /** The longest Retry-After honoured: a longer one is cut to it. */
  readonly maxRetryAfterMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const DEFAULT_DISPATCHER_SETTINGS: DispatcherSettings = {
  intervalMs: 5 * SECOND,
  batchSize: 20,
  leaseMs: MINUTE,
  timeoutMs: 10 * SECOND,
  backoffMs: [10 * SECOND, MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE],
  maxAttempts: 6,
  maxRetryAfterMs: 6 * 60 * MINUTE,
};

export interface DispatcherOptions {
  readonly database: Database;
  readonly metrics: Metrics;
  readonly log: Log;
  /** WINNOW_SECRET_KEY: decrypts the endpoints' signing secrets. */
  readonly secretKey: Buffer | undefined;
  /** Whose leases these are: the worker's identity. */
  readonly owner: string;
  readonly clock: () => Date;
  readonly settings?: Partial<DispatcherSettings>;
}

/**
 * Sends the outbox: claims due deliveries under a lease, POSTs each (signed), and records what
 * came of it, with retries and backoff. Its own timer loop, apart from the worker's runs, so a
 * slow endpoint never delays a run; replicas share the outbox and never send one delivery at
 * once (a crash mid-send means it is sent again after the lease: receivers deduplicate on
 * X-Winnow-Delivery).
 */
export class NotificationDispatcher {
  readonly settings: DispatcherSettings;
  private timer: NodeJS.Timeout | undefined;
  private cycling: Promise<void> | undefined;
  private stopped = true;
  /** The last tick failed because the database was unreachable. */
  private unreachable = false;

  constructor(private readonly options: DispatcherOptions) {
    this.settings = { ...DEFAULT_DISPATCHER_SETTINGS, ...options.settings };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops looking at the outbox; the requests in flight finish (each within the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.cycling;
  }

  /** Claims and sends one batch; returns how many deliveries it claimed. */
  async cycle(): Promise<number> {
    const { database, owner } = this.options;
    const { batchSize, leaseMs } = this.settings;
    const claimed = await database.notifications.claim({ owner, limit: batchSize, leaseMs });
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return claimed.length;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.cycling = this.tick().finally(() => {
        this.cycling = undefined;
      });
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let claimed = 0;
    try {
      claimed = await this.cycle();
      this.unreachable = false;
    } catch (error) {
      this.options.metrics.errors.inc({ kind: 'worker' });
      // An unreachable database is logged once (the worker says when it is back), not per tick.
      const outage = isDatabaseUnavailable(error);
      const level = !outage ? 'error' : this.unreachable ? 'debug' : 'warn';
      this.unreachable = outage;
      this.options.log[level]({ err: error }, 'notifications: could not read the outbox');
    }
    // A full batch: more may be due at once.
    this.schedule(claimed >= this.settings.batchSize ? 0 : this.settings.intervalMs);
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const { database, metrics, log, owner, clock } = this.options;
    const result = await this.attempt(delivery);
    const outcome = this.outcomeOf(delivery, result, clock());
    const facts = {
      delivery: delivery.id,
      endpoint: delivery.endpoint.name,
      event: delivery.event,
      attempt: delivery.attempts,
      statusCode: outcome.statusCode,
    };
    try {
      if (!(await database.notifications.complete(delivery.id, owner, outcome))) {
        log.warn(facts, 'notification: the lease ran out before the outcome was recorded');
        return;
      }
    } catch (error) {
      // Not recorded: the lease runs out and the delivery is sent again (same X-Winnow-Delivery).
      log.error({ ...facts, err: error }, 'notification: could not record the outcome');
      return;
    }
    const label = outcome.status === 'pending' ? 'retried' : outcome.status;
    metrics.notifications.inc({ format: delivery.endpoint.format, outcome: label });
    if (outcome.status === 'delivered') log.info(facts, 'notification delivered');
    else if (outcome.status === 'pending') {
      log.warn(
        { ...facts, error: outcome.error, nextAttemptAt: outcome.nextAttemptAt.toISOString() },
        'notification: attempt failed, will retry',
      );
    } else log.error({ ...facts, error: outcome.error }, 'notification failed, not retried');
  }

  private async attempt(delivery: ClaimedDelivery): Promise<AttemptResult> {
    let secret: string | null;
    try {
      secret =
        delivery.endpoint.secret === null
          ? null
          : decryptSecret(delivery.endpoint.secret, this.options.secretKey);
    } catch (error) {
      // WINNOW_SECRET_KEY missing or changed: an operator can fix it before the retries end.
      const code = (error as { code?: unknown }).code;
      return {
        kind: 'retryable',
        statusCode: null,
        error: `cannot sign: ${typeof code === 'string' ? code : 'the secret cannot be read'}`,
      };
    }
    return sendDelivery(delivery, secret, {
      timeoutMs: this.settings.timeoutMs,
      now: this.options.clock(),
    });
  }

  private outcomeOf(delivery: ClaimedDelivery, result: AttemptResult, now: Date): DeliveryOutcome {
    if (result.kind === 'delivered') return { status: 'delivered', statusCode: result.statusCode };
    const { statusCode, error } = result;
    if (result.kind === 'permanent' || delivery.attempts >= this.settings.maxAttempts) {
      return { status: 'failed', statusCode, error };
    }
    const { backoffMs, maxRetryAfterMs } = this.settings;
    const backoff = backoffMs[Math.min(delivery.attempts, backoffMs.length) - 1] ?? 0;
    const delay =
      result.retryAfterMs === undefined ? backoff : Math.min(result.retryAfterMs, maxRetryAfterMs);
    return {
      status: 'pending',
      nextAttemptAt: new Date(now.getTime() + delay),
      statusCode,
      error,
    };
  }
}
