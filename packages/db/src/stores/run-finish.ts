import { type DbTransaction, inTransaction } from '../client';
import { DbErrorCode, WinnowDbError } from '../errors';
import { taskTotals } from './run-totals';
import type { RunStatus, TaskStatusCounts } from './run-types';

/**
 * The status of a run whose tasks are all done, failed or cancelled: cancelled when any task was
 * cancelled (or an empty run was cancelled), failed when every task failed, partial when some
 * did, succeeded otherwise.
 */
export function finalStatus(tasks: TaskStatusCounts, cancelRequested: boolean): RunStatus {
  const total = tasks.done + tasks.failed + tasks.cancelled;
  if (tasks.cancelled > 0 || (total === 0 && cancelRequested)) return 'cancelled';
  if (total > 0 && tasks.failed === total) return 'failed';
  return tasks.failed > 0 ? 'partial' : 'succeeded';
}

/** What finishing a run did: `finished` by this call, `already` finished, or `unfinished`. */
export type FinishOutcome = 'finished' | 'already' | 'unfinished';

/**
 * Finishes the run if all its tasks are over: its status and its totals, summed from the tasks,
 * written once. Of concurrent calls for the same run, one answers `finished` and the others
 * `already`, so that effects meant to happen once per run (its audit entry, its metrics) do.
 */
export async function finishRun(
  db: DbTransaction,
  runId: number,
  now: Date,
): Promise<FinishOutcome> {
  return inTransaction(db, async (tx) => finishInTransaction(tx, runId, now));
}

export async function finishInTransaction(
  tx: DbTransaction,
  runId: number,
  now: Date,
): Promise<FinishOutcome> {
  const run = await tx.run.findUnique({
    where: { id: runId },
    select: { finishedAt: true, startedAt: true, cancelRequested: true },
  });
  if (run === null) throw new WinnowDbError(DbErrorCode.notFound, `run ${runId}: not found`);
  if (run.finishedAt !== null) return 'already';
  const live = (await taskTotals(tx, [runId])).get(runId);
  if (live === undefined || live.tasks.queued + live.tasks.running > 0) return 'unfinished';
  // The condition on finishedAt makes this write the only one: a concurrent finish that got
  // here first leaves nothing to update (PostgreSQL re-reads the row after waiting for its lock).
  const updated = await tx.run.updateMany({
    where: { id: runId, finishedAt: null },
    data: {
      ...live.totals,
      status: finalStatus(live.tasks, run.cancelRequested),
      startedAt: run.startedAt ?? now,
      finishedAt: now,
    },
  });
  return updated.count > 0 ? 'finished' : 'already';
}

/**
 * Asks the run to stop: its queued tasks are cancelled at once, running ones finish or are
 * released. Tasks are locked before the run, in the order a claim locks them (no deadlock).
 * Returns whether this call finished the run (none of its tasks was running).
 */
export async function requestCancel(db: DbTransaction, runId: number, now: Date): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    await tx.runTask.updateMany({
      where: { runId, status: 'queued' },
      data: { status: 'cancelled', finishedAt: now },
    });
    const updated = await tx.run.updateMany({
      where: { id: runId, finishedAt: null },
      data: { cancelRequested: true },
    });
    if (updated.count > 0) return (await finishInTransaction(tx, runId, now)) === 'finished';
    if ((await tx.run.count({ where: { id: runId } })) === 0) {
      throw new WinnowDbError(DbErrorCode.notFound, `run ${runId}: not found`);
    }
    return false;
  });
}

/** Ids of unfinished runs with no queued or running task left. */
export async function completedRunIds(db: DbTransaction): Promise<number[]> {
  const rows = await db.run.findMany({
    where: { finishedAt: null, tasks: { none: { status: { in: ['queued', 'running'] } } } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((row) => row.id);
}
