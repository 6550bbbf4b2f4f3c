import {
  type Database,
  DbErrorCode,
  type DueSchedule,
  type RunRecord,
  type TransactionStores,
  WinnowDbError,
} from '@winnow/db';
import { policyLabel } from '@winnow/engine';
import type { Log } from '../log';
import type { Metrics } from '../metrics';
import { observeFinishedRun, recordFinishedRun, runTarget, WORKER_ACTOR } from '../runs/reporting';
import { logFinishedRun } from '../runs/run-log';
import { nextRunAfter } from './cron';

export interface SchedulerOptions {
  readonly database: Database;
  readonly metrics: Metrics;
  readonly log: Log;
  /** The database's clock. */
  readonly clock: () => Date;
  /** Schedules handled per call, at most (WINNOW_WORKER_BATCH_SIZE). */
  readonly batchSize: number;
}

/**
 * Starts the runs whose schedules are due, in one transaction: claims up to `batchSize` due
 * schedules (locked on PostgreSQL, so two replicas never start the same one), creates a run of
 * each one's scope (trigger `schedule`), and moves each to its next time after now. Missed times
 * (the server was down) give one run, not one per missed time. A schedule whose previous run
 * has not finished starts none this time. Returns the runs started.
 */
export async function startScheduledRuns(options: SchedulerOptions): Promise<RunRecord[]> {
  const { database, log, clock } = options;
  const now = clock();
  const started = await database.transaction(async (stores) => {
    const created: RunRecord[] = [];
    for (const due of await stores.schedules.claimDue(options.batchSize, now)) {
      const run = await startRun(stores, due, now, log);
      await stores.schedules.advance(due.policyId, nextTime(due, now, log), run?.id ?? null);
      if (run !== null) created.push(run);
    }
    return created;
  });
  for (const run of started) {
    log.info(
      {
        runId: run.id,
        scope: run.scope,
        dryRun: run.dryRun,
        repositories: run.counts.repositories,
      },
      'schedule: run started',
    );
    if (run.finishedAt !== null) {
      observeFinishedRun(options.metrics, run);
      logFinishedRun(log, run);
    }
  }
  return started;
}

const policyOf = (due: DueSchedule): string =>
  `${due.scope.level} policy "${policyLabel(due.scope)}"`;

/** The schedule's run, with its audit entry; null when this time is skipped. */
async function startRun(
  stores: TransactionStores,
  due: DueSchedule,
  now: Date,
  log: Log,
): Promise<RunRecord | null> {
  if (due.lastRunUnfinished) {
    log.warn(
      { policy: policyOf(due), runId: due.lastRunId },
      'schedule: the previous run has not finished; this time is skipped',
    );
    return null;
  }
  let run: RunRecord;
  try {
    run = await stores.runs.create({
      scope: due.scope,
      dryRun: due.dryRun,
      trigger: 'schedule',
      triggeredBy: `schedule:${due.scope.level}:${policyLabel(due.scope)}`,
      now,
    });
  } catch (error) {
    // The scope is gone (a namespace deleted, its policy left): nothing to run. The check
    // happens before anything is written, so the transaction goes on.
    if (!(error instanceof WinnowDbError && error.code === DbErrorCode.notFound)) throw error;
    log.warn({ policy: policyOf(due), reason: error.message }, 'schedule: nothing to run');
    return null;
  }
  await stores.audit.record({
    actor: WORKER_ACTOR,
    action: 'run.create',
    target: runTarget(run.id),
    details: {
      scope: due.scope,
      dryRun: due.dryRun,
      repositories: run.counts.repositories,
      schedule: { cron: due.cron, timezone: due.timezone },
    },
  });
  // A scope without repositories gives a run finished at once.
  if (run.finishedAt !== null) await recordFinishedRun(stores, run, WORKER_ACTOR);
  return run;
}

/** The schedule's next time after now; one that never fires again is never due again. */
function nextTime(due: DueSchedule, now: Date, log: Log): Date {
  try {
    const next = nextRunAfter(due, now);
    if (next !== null) return next;
    log.warn({ policy: policyOf(due) }, 'schedule: the expression never fires again');
  } catch (error) {
    log.error({ err: error, policy: policyOf(due) }, 'schedule: the stored expression is invalid');
  }
  return NEVER;
}

const NEVER = new Date('9999-12-31T00:00:00Z');
