import type { DbTransaction } from '../client';
import {
  type RunRow,
  type RunTotalsColumns,
  TASK_STATUSES,
  toRunRecord,
  zeroOutcomeColumns,
} from './run-rows';
import type { RunRecord, RunTaskStatus, TaskStatusCounts } from './run-types';

export interface TaskTotals {
  /** Sums over the run's tasks, as the run's count columns. */
  readonly totals: RunTotalsColumns;
  readonly tasks: TaskStatusCounts;
}

const SUMS = {
  evaluated: true,
  kept: true,
  expired: true,
  dryRunTags: true,
  skippedImmutable: true,
  blocked: true,
  repushed: true,
  missing: true,
  untagged: true,
} as const;

function emptyTotals(): { totals: RunTotalsColumns; tasks: Record<RunTaskStatus, number> } {
  return {
    totals: { repositories: 0, errors: 0, blockedRepos: 0, ...zeroOutcomeColumns() },
    tasks: Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<RunTaskStatus, number>,
  };
}

/** Each run's tasks summed: two grouped queries, whatever the number of tasks. */
export async function taskTotals(
  db: DbTransaction,
  runIds: readonly number[],
): Promise<Map<number, TaskTotals>> {
  const result = new Map(runIds.map((id) => [id, emptyTotals()]));
  if (runIds.length === 0) return result;
  const byStatus = await db.runTask.groupBy({
    by: ['runId', 'status'],
    where: { runId: { in: [...runIds] } },
    _count: { _all: true },
    _sum: SUMS,
  });
  for (const group of byStatus) {
    const entry = result.get(group.runId);
    if (entry === undefined) continue;
    const count = group._count._all;
    entry.tasks[group.status] += count;
    entry.totals.repositories += count;
    if (group.status === 'failed') entry.totals.errors += count;
    for (const column of Object.keys(SUMS) as (keyof typeof SUMS)[]) {
      entry.totals[column] += group._sum[column] ?? 0;
    }
  }
  const blocked = await db.runTask.groupBy({
    by: ['runId'],
    where: { runId: { in: [...runIds] }, blocked: { gt: 0 } },
    _count: { _all: true },
  });
  for (const group of blocked) {
    const entry = result.get(group.runId);
    if (entry !== undefined) entry.totals.blockedRepos = group._count._all;
  }
  return result;
}

/** Runs in record form: stored totals once finished, live sums until then. */
export async function toRunRecords(
  db: DbTransaction,
  rows: readonly RunRow[],
): Promise<RunRecord[]> {
  const totals = await taskTotals(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => {
    const live = totals.get(row.id) ?? emptyTotals();
    return toRunRecord(row, row.finishedAt === null ? live.totals : row, live.tasks);
  });
}
