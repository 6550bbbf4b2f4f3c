import type { FastifyInstance } from 'fastify';
import { type Database, isDatabaseUnavailable, type RepositoryRef } from '@winnow/db';
import type { InventoryRepository } from '@winnow/engine';
import { buildApp } from './app';
import type { ServerConfig } from './config';
import { Metrics } from './metrics';
import { type DispatcherSettings, NotificationDispatcher } from './notifications/dispatcher';
import { UpstreamChecks } from './proxy-cache/upstream-checks';
import { RegistryJobs } from './registries/jobs';
import { startScheduledRuns } from './schedules/scheduler';
import { Worker, type WorkerSignals } from './worker/worker';

export interface ServiceOptions {
  readonly config: ServerConfig;
  /** Opened and migrated by the caller, who closes it after `stop`. */
  readonly database: Database;
  /** Overrides the logger (tests pass false). */
  readonly logger?: boolean;
  /** Where the log goes (default: standard output); tests read it. */
  readonly logStream?: { write(line: string): void };
  /** The database's clock, for the `now` of runs created through the API. */
  readonly clock?: () => Date;
  /** See ExecutorOptions.readRepository. */
  readonly readRepository?: (ref: RepositoryRef) => Promise<InventoryRepository | null>;
  /** Overrides the webhook dispatcher's timings (tests: short backoff instead of minutes). */
  readonly notifications?: Partial<DispatcherSettings>;
}

/** The API and, unless WINNOW_WORKER_ENABLED=false, the background worker, sharing metrics. */
export interface Service {
  readonly app: FastifyInstance;
  readonly worker: Worker | undefined;
  /** Sends the webhooks' outbox; runs beside the worker, on a timer of its own. */
  readonly notifications: NotificationDispatcher | undefined;
  readonly metrics: Metrics;
  /** Starts the worker and the webhook dispatcher (the caller makes the app listen). */
  start(): void;
  /**
   * Stops the worker (the repository in hand finishes, other claims are released), the dispatcher
   * (requests in flight finish) and the app.
   */
  stop(): Promise<void>;
}

export async function buildService(options: ServiceOptions): Promise<Service> {
  const { config, database } = options;
  const metrics = new Metrics();
  let worker: Worker | undefined;
  let notifications: NotificationDispatcher | undefined;
  let stopped = false;
  const signals: WorkerSignals = {
    wake: () => worker?.wake(),
    cancelled: (runId) => worker?.cancelled(runId),
  };
  const app = await buildApp({
    config,
    database,
    metrics,
    signals,
    ...(options.logger !== undefined && { logger: options.logger }),
    ...(options.logStream !== undefined && { logStream: options.logStream }),
    ...(options.clock !== undefined && { clock: options.clock }),
  });
  if (config.worker.enabled) {
    const log = app.log.child({ component: 'worker' });
    const clock = options.clock ?? (() => new Date());
    const registryOptions = {
      database,
      metrics,
      log: app.log.child({ component: 'registries' }),
      secretKey: config.secretKey,
      restoreWindowMs: config.restoreWindowMs,
      leaseMs: config.worker.leaseMs,
      batchSize: config.worker.batchSize,
      intervalMs: config.worker.intervalMs,
      clock,
    };
    const upstreamChecks = new UpstreamChecks({
      database,
      metrics,
      log: app.log.child({ component: 'proxy-cache' }),
      secretKey: config.secretKey,
      batchSize: config.worker.batchSize,
      clock,
    });
    worker = new Worker({
      // Under the worker's own identity, which holds the sync leases.
      registries: (stopping) => registryJobs.cycle(stopping),
      beforeCycle: async () => {
        try {
          await startScheduledRuns({
            database,
            metrics,
            log,
            clock,
            batchSize: config.worker.batchSize,
          });
        } catch (error) {
          // The worker backs off while the database is unreachable, and logs it once.
          if (isDatabaseUnavailable(error)) throw error;
          // Schedules that cannot start must not hold up the runs already queued.
          metrics.errors.inc({ kind: 'worker' });
          log.error({ err: error }, 'schedule: could not start the due runs');
        }
        // Before the runs, so that they see the upstreams' health as it is now.
        try {
          await upstreamChecks.cycle(() => stopped);
        } catch (error) {
          if (isDatabaseUnavailable(error)) throw error;
          metrics.errors.inc({ kind: 'worker' });
          log.error({ err: error }, 'proxy cache: upstream checks failed');
        }
      },
      database,
      metrics,
      log,
      config: config.worker,
      restoreWindowMs: config.restoreWindowMs,
      maxDeleteRatio: config.maxDeleteRatio,
      ...(options.readRepository !== undefined && { readRepository: options.readRepository }),
    });
    const registryJobs = new RegistryJobs({ ...registryOptions, owner: worker.owner });
    notifications = new NotificationDispatcher({
      database,
      metrics,
      log: app.log.child({ component: 'notifications' }),
      secretKey: config.secretKey,
      owner: worker.owner,
      clock,
      ...(options.notifications !== undefined && { settings: options.notifications }),
    });
  }
  return {
    app,
    worker,
    notifications,
    metrics,
    start: () => {
      worker?.start();
      notifications?.start();
    },
    stop: async () => {
      stopped = true;
      await Promise.all([worker?.stop(), notifications?.stop(), app.close()]);
    },
  };
}
