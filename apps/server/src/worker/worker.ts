import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type ClaimedTask,
  type Database,
  isDatabaseUnavailable,
  type RepositoryRef,
} from '@winnow/db';
import type { InventoryRepository } from '@winnow/engine';
import type { WorkerConfig } from '../config';
import type { Log } from '../log';
import type { Metrics } from '../metrics';
import { RunExecutor } from '../runs/executor';
import { finishCompletedRuns, finishRun } from '../runs/finish';
import { logFinishedRun } from '../runs/run-log';
import { HeldTasks } from './held-tasks';
import { purgeExpiredTags } from './purge';

export interface WorkerOptions {
  readonly database: Database;
  readonly metrics: Metrics;
  readonly log: Log;
  readonly config: WorkerConfig;
  readonly restoreWindowMs: number;
  readonly maxDeleteRatio: number | undefined;
  /** Work done at the start of each cycle (the scheduler creates the runs that are due). */
  readonly beforeCycle?: () => Promise<void>;
  /**
   * Registry work after the runs (syncs, deletions); returns the namespaces whose expired tags
   * it purges itself.
   */
  readonly registries?: (stopping: () => boolean) => Promise<string[]>;
  /** See ExecutorOptions.readRepository. */
  readonly readRepository?: (ref: RepositoryRef) => Promise<InventoryRepository | null>;
}

/** What the API tells the worker of its own process. */
export interface WorkerSignals {
  /** A run was created: start now rather than at the next interval. */
  wake(): void;
  /** A run was asked to cancel: give its held tasks back now. */
  cancelled(runId: number): void;
}

/** The longest pause between two attempts while cycles fail. */
const MAX_BACKOFF_MS = 5 * 60_000;
/**
 * The longest pause while the database is unreachable: shorter, since an outage usually ends by
 * itself and the worker should resume soon after it does.
 */
const MAX_DATABASE_BACKOFF_MS = 30_000;

/** A lease owner unique to this process: host, process id and a random part. */
export const workerOwner = (): string =>
  `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

/**
 * The background worker. Each cycle: the scheduled runs that are due, then claim repository
 * tasks (`batchSize` at a time, under leases it extends while it works) and execute them one
 * repository at a time until none is left, finish the runs that ended, and purge the expired
 * tags whose restore window ended. A failing cycle is logged, counted and retried with backoff.
 */
export class Worker implements WorkerSignals {
  readonly owner = workerOwner();
  private readonly executor: RunExecutor;
  private readonly held: HeldTasks;
  private running: Promise<void> | undefined;
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private failures = 0;
  /** The last turn handed out: each waits for the one before it, then for the event loop. */
  private turn: Promise<void> = Promise.resolve();
  /** Since when the database has been unreachable, while it is. */
  private unavailableSince: number | undefined;

  constructor(private readonly options: WorkerOptions) {
    const { database, metrics, log, maxDeleteRatio, readRepository } = options;
    this.executor = new RunExecutor({
      database,
      metrics,
      log,
      owner: this.owner,
      maxDeleteRatio,
      ...(readRepository !== undefined && { readRepository }),
    });
    this.held = new HeldTasks({
      database,
      metrics,
      log,
      owner: this.owner,
      leaseMs: options.config.leaseMs,
    });
  }

  start(): void {
    if (this.running !== undefined) return;
    this.stopping = false;
    this.options.metrics.workerUp.set(1);
    this.options.log.info({ owner: this.owner }, 'worker started');
    this.running = this.loop();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  cancelled(runId: number): void {
    this.held.runCancelled(runId);
  }

  /**
   * Stops claiming, lets the repository in hand finish (applied in one transaction, so each
   * repository is applied whole or not at all), and gives back every other claim.
   */
  async stop(): Promise<void> {
    if (this.running === undefined) return;
    this.stopping = true;
    this.wake();
    await this.running;
    this.running = undefined;
    await this.held.close();
    try {
      const released = await this.options.database.runs.releaseTasks({ owner: this.owner });
      if (released > 0) this.options.metrics.leases.inc({ event: 'released' }, released);
    } catch (error) {
      // Its leases expire and another worker takes the tasks over.
      this.options.log.error({ err: error }, 'could not release claims at shutdown');
    }
    this.options.metrics.workerUp.set(0);
    this.options.metrics.claimsInFlight.set(0);
    this.options.log.info({ owner: this.owner }, 'worker stopped');
  }

  /**
   * Resolves on a later turn of the event loop than every turn handed out before it: lanes that
   * ask together are let through one per turn, with I/O (requests) handled in between.
   */
  private nextTurn(): Promise<void> {
    this.turn = this.turn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    return this.turn;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      try {
        await this.cycle();
        this.recovered();
        this.failures = 0;
        this.options.metrics.workerLastCycle.set(Date.now() / 1000);
      } catch (error) {
        this.failures += 1;
        this.options.metrics.errors.inc({ kind: 'worker' });
        this.failed(error);
      }
      await this.sleep(this.pause());
    }
  }

  /**
   * Logs a failed cycle. An unreachable database is logged when it becomes so and when it is
   * back (`recovered`), not at every attempt in between; other failures at each attempt.
   */
  private failed(error: unknown): void {
    const { log } = this.options;
    if (!isDatabaseUnavailable(error)) {
      log.error(
        { err: error, failures: this.failures, retryInMs: this.pause() },
        'worker cycle failed',
      );
      return;
    }
    if (this.unavailableSince !== undefined) {
      log.debug({ failures: this.failures, retryInMs: this.pause() }, 'database still unreachable');
      return;
    }
    this.unavailableSince = Date.now();
    log.warn(
      { err: error, retryInMs: this.pause(), maxRetryInMs: MAX_DATABASE_BACKOFF_MS },
      'database unreachable: the worker backs off until it is back',
    );
  }

  private recovered(): void {
    if (this.unavailableSince === undefined) return;
    const downMs = Date.now() - this.unavailableSince;
    this.unavailableSince = undefined;
    this.options.log.warn(
      { downMs, failures: this.failures },
      'database reachable again: the worker resumed',
    );
  }

  /**
   * The interval, doubled for each failure in a row, at most MAX_BACKOFF_MS (MAX_DATABASE_BACKOFF_MS
   * while the database is unreachable), never less than the interval.
   */
  private pause(): number {
    const { intervalMs } = this.options.config;
    if (this.failures === 0) return intervalMs;
    const cap = this.unavailableSince === undefined ? MAX_BACKOFF_MS : MAX_DATABASE_BACKOFF_MS;
    return Math.min(intervalMs * 2 ** this.failures, Math.max(intervalMs, cap));
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }

  private async cycle(): Promise<void> {
    const { database, metrics, config } = this.options;
    // Claims a failed cycle could not give back (the database was unreachable): give them back
    // now, so that they are taken again at once rather than when their leases run out.
    if (this.held.size > 0) await this.held.release();
    if (this.options.beforeCycle !== undefined && !this.stopping) await this.options.beforeCycle();
    while (!this.stopping) {
      const tasks = await database.runs.claimTasks({
        owner: this.owner,
        limit: config.batchSize,
        leaseMs: config.leaseMs,
      });
      if (tasks.length === 0) break;
      // attempts counts the claims that were not given back: above 1, an earlier lease ran out.
      const takenOver = tasks.filter((task) => task.attempts > 1).length;
      if (takenOver > 0) metrics.leases.inc({ event: 'taken_over' }, takenOver);
      if (tasks.length > takenOver)
        metrics.leases.inc({ event: 'claimed' }, tasks.length - takenOver);
      await this.work(tasks);
    }
    if (this.stopping) return;
    for (const run of await finishCompletedRuns(database, metrics)) {
      logFinishedRun(this.options.log, run);
    }
    const served =
      this.options.registries === undefined
        ? []
        : await this.options.registries(() => this.stopping);
    await purgeExpiredTags(database, metrics, {
      windowMs: this.options.restoreWindowMs,
      batchSize: config.batchSize,
      stopping: () => this.stopping,
      excludeNamespaces: served,
    });
  }

  /**
   * Executes the claimed tasks, `concurrency` repositories at a time; gives back what it did not
   * start (every lane has finished by then); then
   * finishes the batch's runs whose tasks are all over (once per run and batch, not per task).
   */
  private async work(tasks: readonly ClaimedTask[]): Promise<void> {
    this.held.hold(tasks);
    const claimed = new Map<number, number>();
    for (const task of tasks) claimed.set(task.runId, (claimed.get(task.runId) ?? 0) + 1);
    for (const [runId, repositories] of claimed) {
      this.options.log.debug({ runId, repositories }, 'run: repositories claimed');
    }
    let next = 0;
    const inHand = new Set<number>();
    // `concurrency` lanes take the batch's tasks in order; each repository is applied in one
    // transaction of its own, so a stop leaves each either applied or untouched.
    const lane = async (): Promise<void> => {
      // SQLite's driver is synchronous: its promises resolve as microtasks, so a repository
      // holds the event loop from its read to its commit. One repository starts per turn of the
      // event loop, whatever the number of lanes, so a request waits for at most one.
      // (`stopped()`, not `this.stopping`: the flag may have changed during the await.)
      const stopped = (): boolean => this.stopping;
      while (next < tasks.length && !stopped()) {
        await this.nextTurn();
        if (next >= tasks.length || stopped()) break;
        const task = tasks[next++] as ClaimedTask;
        await this.held.releaseCancelled(inHand);
        if (!this.held.holds(task.id)) continue;
        inHand.add(task.id);
        try {
          await this.executor.execute(task);
        } finally {
          inHand.delete(task.id);
        }
        this.held.ended(task.id);
      }
    };
    try {
      const lanes = Math.min(this.options.config.concurrency, tasks.length);
      const results = await Promise.allSettled(Array.from({ length: lanes }, lane));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    } finally {
      if (this.held.size > 0) await this.held.release();
    }
    for (const runId of claimed.keys()) {
      const run = await finishRun(this.options.database, this.options.metrics, runId);
      if (run !== null) logFinishedRun(this.options.log, run);
    }
  }
}
