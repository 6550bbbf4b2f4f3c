import { type Database, DbErrorCode, type RunRecord, WinnowDbError } from '@winnow/db';
import { policyLabel } from '@winnow/engine';
import type { Log } from '../log';
import type { Metrics } from '../metrics';
import { observeFinishedRun, recordFinishedRun, runTarget, WORKER_ACTOR } from '../runs/reporting';
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
  const { started, finished } = await database.transaction(async (stores) => {
    const created: RunRecord[] = [];
    const ended: RunRecord[] = [];
    for (const due of await stores.schedules.claimDue(options.batchSize, now)) {
      const label = `${due.scope.level} policy "${policyLabel(due.scope)}"`;
      let next: Date | null = null;
      try {
        next = nextRunAfter(due, now);
      } catch (error) {
        log.error({ err: error, policy: label }, 'schedule: the stored cron expression is invalid');
      }
      const previous = due.lastRunId === null ? null : await stores.runs.get(due.lastRunId);
      if (previous !== null && previous.finishedAt === null) {
        log.warn(
          { policy: label, run: previous.id, nextRunAt: next?.toISOString() },
          'schedule: the previous run has not finished; this time is skipped',
        );
        await stores.schedules.advance(due.policyId, next ?? farFuture(), null);
        continue;
      }
      let run: RunRecord | null = null;
      try {
        run = await stores.runs.create({
          scope: due.scope,
          dryRun: due.dryRun,
          trigger: 'schedule',
          triggeredBy: `schedule:${due.scope.level}:${policyLabel(due.scope)}`,
          now,
        });
      } catch (error) {
        // The scope is gone (a namespace deleted, its policy left): nothing to run, and the
        // check happens before anything is written, so the transaction goes on.
        if (!(error instanceof WinnowDbError && error.code === DbErrorCode.notFound)) throw error;
        log.warn({ policy: label, reason: error.message }, 'schedule: nothing to run');
      }
      if (run !== null) {
        await stores.audit.record({
          actor: WORKER_ACTOR,
          action: 'run.create',
          target: runTarget(run.id),
          details: { scope: due.scope, dryRun: due.dryRun, schedule: due.cron },
        });
        if (run.finishedAt !== null) {
          await recordFinishedRun(stores, run, WORKER_ACTOR);
          ended.push(run);
        }
        created.push(run);
      }
      await stores.schedules.advance(due.policyId, next ?? farFuture(), run?.id ?? null);
    }
    return { started: created, finished: ended };
  });
  for (const run of finished) observeFinishedRun(options.metrics, run);
  for (const run of started) {
    log.info({ run: run.id, scope: run.scope, dryRun: run.dryRun }, 'schedule: run started');
  }
  return started;
}

/** A schedule that never fires again stays stored but is never due. */
const farFuture = (): Date => new Date('9999-12-31T00:00:00Z');
