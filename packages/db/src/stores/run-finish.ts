import type { DbClient, DbTransaction } from '../client';
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

/**
 * Finishes the run if all its tasks are over: its status and its totals, summed from the tasks,
 * written once (a concurrent finish of the same run writes nothing). Returns whether the run is
 * finished now (by this call or before).
 */
export async function finishRun(db: DbClient, runId: number, now: Date): Promise<boolean> {
  return db.$transaction(async (tx) => finishInTransaction(tx, runId, now));
}

export async function finishInTransaction(
  tx: DbTransaction,
  runId: number,
  now: Date,
): Promise<boolean> {
  const run = await tx.run.findUnique({
    where: { id: runId },
    select: { finishedAt: true, startedAt: true, cancelRequested: true },
  });
  if (run === null) throw new WinnowDbError(DbErrorCode.notFound, `run ${runId}: not found`);
  if (run.finishedAt !== null) return true;
  const live = (await taskTotals(tx, [runId])).get(runId);
  if (live === undefined || live.tasks.queued + live.tasks.running > 0) return false;
  await tx.run.updateMany({
    where: { id: runId, finishedAt: null },
    data: {
      ...live.totals,
      status: finalStatus(live.tasks, run.cancelRequested),
      startedAt: run.startedAt ?? now,
      finishedAt: now,
    },
  });
  return true;
}

/**
 * Asks the run to stop: its queued tasks are cancelled at once, running ones finish or are
 * released. Tasks are locked before the run, in the order a claim locks them (no deadlock).
 */
export async function requestCancel(db: DbClient, runId: number, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.runTask.updateMany({
      where: { runId, status: 'queued' },
      data: { status: 'cancelled', finishedAt: now },
    });
    const updated = await tx.run.updateMany({
      where: { id: runId, finishedAt: null },
      data: { cancelRequested: true },
    });
    if (updated.count > 0) await finishInTransaction(tx, runId, now);
    else if ((await tx.run.count({ where: { id: runId } })) === 0) {
      throw new WinnowDbError(DbErrorCode.notFound, `run ${runId}: not found`);
    }
  });
}

/** Ids of unfinished runs with no queued or running task left. */
export async function completedRunIds(db: DbClient): Promise<number[]> {
  const rows = await db.run.findMany({
    where: { finishedAt: null, tasks: { none: { status: { in: ['queued', 'running'] } } } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((row) => row.id);
}
