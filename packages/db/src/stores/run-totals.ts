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

/**
 * The task sums of runs read outside a transaction, kept briefly: summing a run of 10,000
 * repositories costs a few milliseconds, and while it runs every `GET /runs` and `GET /runs/{id}`
 * (a dashboard, a CLI following it) asked for them again. A run in progress is summed again once
 * its entry is `maxAgeMs` old; a finished run's sums are final (its tasks no longer change) and
 * kept until evicted. An entry taken while the run was in progress never serves it once finished.
 * Reads inside a transaction are never served from here.
 */
export class RunTotalsCache {
  readonly #entries = new Map<number, { at: number; finished: boolean; totals: TaskTotals }>();

  constructor(
    readonly maxAgeMs: number,
    readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  get(row: RunRow): TaskTotals | undefined {
    const entry = this.#entries.get(row.id);
    if (entry === undefined) return undefined;
    const finished = row.finishedAt !== null;
    if (finished !== entry.finished) return undefined;
    if (!finished && this.now() - entry.at >= this.maxAgeMs) return undefined;
    return entry.totals;
  }

  set(row: RunRow, totals: TaskTotals): void {
    this.#entries.delete(row.id);
    this.#entries.set(row.id, { at: this.now(), finished: row.finishedAt !== null, totals });
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}

/** Runs in record form: stored totals once finished, live sums until then. */
export async function toRunRecords(
  db: DbTransaction,
  rows: readonly RunRow[],
  cache?: RunTotalsCache,
): Promise<RunRecord[]> {
  const known = new Map<number, TaskTotals>();
  for (const row of rows) {
    const cached = cache?.get(row);
    if (cached !== undefined) known.set(row.id, cached);
  }
  const missing = rows.filter((row) => !known.has(row.id));
  const totals = await taskTotals(
    db,
    missing.map((row) => row.id),
  );
  for (const row of missing) {
    const summed = totals.get(row.id) ?? emptyTotals();
    known.set(row.id, summed);
    cache?.set(row, summed);
  }
  return rows.map((row) => {
    const live = known.get(row.id) ?? emptyTotals();
    return toRunRecord(row, row.finishedAt === null ? live.totals : row, live.tasks);
  });
}
