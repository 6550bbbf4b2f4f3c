import type { PolicyDocument, TagDecision } from '@winnow/engine';

import type { DbTransaction } from '../client';
import { DbErrorCode, WinnowDbError } from '../errors';
import type { Provider } from '../provider';
import { applyTask, failTask } from './run-apply';
import { createRun } from './run-create';
import { completedRunIds, finishRun, requestCancel } from './run-finish';
import { lastSucceeded, runPolicies } from './run-policies';
import { claimTasks, type ClaimOptions, heartbeat, releaseTasks, startTask } from './run-leases';
import type { RunTotalsCache } from './run-totals';
import {
  getRun,
  listDecisions,
  type ListDecisionsOptions,
  listRuns,
  type ListRunsOptions,
  listTasks,
  type ListTasksOptions,
} from './run-queries';
import type {
  ApplyResult,
  ClaimedTask,
  DecisionCursor,
  HeldLease,
  NewRun,
  Page,
  RunDecision,
  RunRecord,
  RunTaskRecord,
  TaskError,
} from './run-types';

export type { ClaimOptions } from './run-leases';
export type { ListDecisionsOptions, ListRunsOptions, ListTasksOptions } from './run-queries';

/**
 * Retention runs: a run per request or schedule, a task per repository of its scope, claimed by
 * workers under leases, applied one repository per transaction. Times come from the database's
 * clock (`openDatabase(url, { clock })`).
 */
export interface RunStore {
  /**
   * A queued run with one queued task per repository of the scope (one transaction).
   * WINNOW_DB_NOT_FOUND for a namespace or repository scope naming nothing; a scope with no
   * repository gives a run already succeeded.
   */
  create(run: NewRun): Promise<RunRecord>;
  get(id: number): Promise<RunRecord | null>;
  /** Newest first; `next` is the `before` of the following page. */
  list(options?: ListRunsOptions): Promise<Page<RunRecord, number>>;
  /** In repository order; `next` is the `after` of the following page. */
  listTasks(runId: number, options?: ListTasksOptions): Promise<Page<RunTaskRecord, number>>;
  /** Decision records of the applied tasks, with their outcomes; `next` is the next `after`. */
  listDecisions(
    runId: number,
    options?: ListDecisionsOptions,
  ): Promise<Page<RunDecision, DecisionCursor>>;
  /**
   * Asks the run to stop: queued tasks are cancelled at once; running ones end when their worker
   * applies, fails or releases them; the run then ends `cancelled`. A finished run is unchanged.
   */
  requestCancel(id: number): Promise<RunRecord>;
  /** `requestCancel`, saying whether this call finished the run (none of its tasks was running). */
  cancel(id: number): Promise<{ run: RunRecord; finishedNow: boolean }>;
  /**
   * The policy documents the run evaluates: those that applied to its scope when it was created.
   * Null for an unknown run, or one created before runs kept them.
   */
  policies(runId: number): Promise<PolicyDocument[] | null>;
  /** When the latest run that succeeded and was not a dry run finished; null if none has. */
  lastSucceeded(): Promise<Date | null>;

  /** Claims up to `limit` due tasks for `owner` for `leaseMs` (expired leases included). */
  claimTasks(options: ClaimOptions): Promise<ClaimedTask[]>;
  /**
   * Notes that `owner` begins working a task it holds: only a lease that runs out from then on
   * counts towards abandoning it. False (nothing written) if the lease is lost.
   */
  startTask(taskId: number, options: { owner: string }): Promise<boolean>;
  /** Extends the leases `owner` still holds among `taskIds`; returns those still held. */
  heartbeat(options: {
    owner: string;
    taskIds: readonly number[];
    leaseMs: number;
  }): Promise<HeldLease[]>;
  /** Returns `owner`'s running tasks (all, or `taskIds`) to the queue (shutdown). */
  releaseTasks(options: { owner: string; taskIds?: readonly number[] }): Promise<number>;
  /**
   * Applies one repository's decisions and marks its task done, in one transaction, only while
   * `owner` holds the lease; `{ applied: false }` and nothing written otherwise.
   */
  applyTask(
    taskId: number,
    options: { owner: string; decisions: readonly TagDecision[] },
  ): Promise<ApplyResult>;
  /** Marks a held task failed with its error; false (nothing written) if the lease is lost. */
  failTask(taskId: number, options: { owner: string; error: TaskError }): Promise<boolean>;
  /** Finishes the run if none of its tasks is queued or running; null if some still are. */
  finish(id: number): Promise<RunRecord | null>;
  /**
   * Finishes the run if none of its tasks is queued or running, and returns it only if this call
   * finished it: of several workers finishing the same run, one gets it (effects meant to happen
   * once per run: its audit entry, its metrics). Null otherwise.
   */
  finishOnce(id: number): Promise<RunRecord | null>;
  /**
   * Finishes every unfinished run that has no queued or running task left; returns those this
   * call finished.
   */
  finishCompleted(): Promise<RunRecord[]>;
}

/**
 * The run store over the client, or over a transaction (`Database.transaction`): then each method
 * works inside that transaction instead of one of its own. `totals` (the client's store only)
 * keeps runs' task sums briefly for `get` and `list` (RunTotalsCache).
 */
export function runStore(
  db: DbTransaction,
  provider: Provider,
  clock: () => Date,
  totals?: RunTotalsCache,
): RunStore {
  const existing = async (id: number): Promise<RunRecord> => {
    const run = await getRun(db, id);
    if (run === null) throw new WinnowDbError(DbErrorCode.notFound, `run ${id}: not found`);
    return run;
  };
  const finishOnce = async (id: number): Promise<RunRecord | null> =>
    (await finishRun(db, id, clock())) === 'finished' ? existing(id) : null;
  return {
    create: async (run) => existing(await createRun(db, run, clock())),
    get: (id) => getRun(db, id, totals),
    list: (options = {}) => listRuns(db, options, totals),
    listTasks: (runId, options = {}) => listTasks(db, runId, options),
    listDecisions: (runId, options = {}) => listDecisions(db, runId, options),
    requestCancel: async (id) => {
      await requestCancel(db, id, clock());
      return existing(id);
    },
    cancel: async (id) => {
      const finishedNow = await requestCancel(db, id, clock());
      return { run: await existing(id), finishedNow };
    },
    policies: (runId) => runPolicies(db, runId),
    lastSucceeded: () => lastSucceeded(db),
    claimTasks: (options) => claimTasks(db, provider, options, clock()),
    startTask: (taskId, options) => startTask(db, taskId, options, clock()),
    heartbeat: (options) => heartbeat(db, options, clock()),
    releaseTasks: (options) => releaseTasks(db, options, clock()),
    applyTask: (taskId, options) => applyTask(db, provider, taskId, options, clock()),
    failTask: (taskId, options) => failTask(db, taskId, options, clock()),
    finish: async (id) =>
      (await finishRun(db, id, clock())) === 'unfinished' ? null : existing(id),
    finishOnce,
    finishCompleted: async () => {
      const finished: RunRecord[] = [];
      for (const id of await completedRunIds(db)) {
        const run = await finishOnce(id);
        if (run !== null) finished.push(run);
      }
      return finished;
    },
  };
}
