import { type ClaimedTask, type Database, isDatabaseUnavailable } from '@winnow/db';
import type { Log } from '../log';
import type { Metrics } from '../metrics';

export interface HeldTasksOptions {
  readonly database: Database;
  readonly metrics: Metrics;
  readonly log: Log;
  readonly owner: string;
  readonly leaseMs: number;
}

/**
 * The tasks this worker holds a lease on: extends the leases every third of their duration while
 * it works, forgets those it lost, notes the runs asked to cancel, and gives tasks back.
 */
export class HeldTasks {
  private readonly tasks = new Map<number, ClaimedTask>();
  private readonly cancelledRuns = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(private readonly options: HeldTasksOptions) {}

  get size(): number {
    return this.tasks.size;
  }

  hold(tasks: readonly ClaimedTask[]): void {
    for (const task of tasks) this.tasks.set(task.id, task);
    this.changed();
    if (this.timer === undefined) {
      this.timer = setInterval(() => {
        this.beating ??= this.beat().finally(() => {
          this.beating = undefined;
        });
      }, this.options.leaseMs / 3);
      this.timer.unref();
    }
  }

  holds(taskId: number): boolean {
    return this.tasks.has(taskId);
  }

  /** The task ended (applied, failed or lost): no more heartbeats for it. */
  ended(taskId: number): void {
    this.tasks.delete(taskId);
    this.changed();
  }

  /** The run was asked to cancel: its held tasks are given back (and so cancelled). */
  runCancelled(runId: number): void {
    this.cancelledRuns.add(runId);
  }

  /** Gives back the held tasks of runs asked to cancel, but those `inHand`; the store cancels them. */
  async releaseCancelled(inHand: ReadonlySet<number> = new Set()): Promise<void> {
    if (this.cancelledRuns.size === 0) return;
    const taskIds = [...this.tasks.values()]
      .filter((task) => this.cancelledRuns.has(task.runId) && !inHand.has(task.id))
      .map((task) => task.id);
    if (taskIds.length > 0) await this.release(taskIds);
  }

  /** Gives back the held tasks (all, or `taskIds`): queued again, or cancelled with their run. */
  async release(taskIds: readonly number[] = [...this.tasks.keys()]): Promise<void> {
    if (taskIds.length === 0) return;
    const released = await this.options.database.runs.releaseTasks({
      owner: this.options.owner,
      taskIds,
    });
    for (const id of taskIds) this.tasks.delete(id);
    this.changed();
    if (released > 0) this.options.metrics.leases.inc({ event: 'released' }, released);
    this.options.log.info({ released }, 'claims released');
  }

  /** Stops the heartbeats and waits for one in progress. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    this.cancelledRuns.clear();
  }

  private async beat(): Promise<void> {
    const taskIds = [...this.tasks.keys()];
    if (taskIds.length === 0) return;
    try {
      const held = await this.options.database.runs.heartbeat({
        owner: this.options.owner,
        taskIds,
        leaseMs: this.options.leaseMs,
      });
      const still = new Set(held.map((lease) => lease.taskId));
      for (const lease of held) {
        const task = this.tasks.get(lease.taskId);
        if (lease.cancelRequested && task !== undefined) this.cancelledRuns.add(task.runId);
      }
      if (held.length > 0) this.options.metrics.leases.inc({ event: 'renewed' }, held.length);
      // A task missing from the answer ended meanwhile, or its lease was lost.
      let lost = 0;
      for (const id of taskIds) {
        if (still.has(id) || !this.tasks.has(id)) continue;
        this.tasks.delete(id);
        lost += 1;
      }
      if (lost > 0) this.options.metrics.leases.inc({ event: 'lost' }, lost);
      this.changed();
    } catch (error) {
      this.options.metrics.errors.inc({ kind: 'worker' });
      // An outage is logged once, by the worker's loop; not at every heartbeat.
      const level = isDatabaseUnavailable(error) ? 'debug' : 'error';
      this.options.log[level]({ err: error }, 'heartbeat failed; retrying at the next one');
    }
  }

  private changed(): void {
    this.options.metrics.claimsInFlight.set(this.tasks.size);
  }
}
