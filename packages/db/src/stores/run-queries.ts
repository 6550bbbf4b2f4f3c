import type { TagDecision } from '@winnow/engine';

import type { DbTransaction } from '../client';
import type { StoredDecision } from './run-apply';
import { OUTCOME_COLUMN, toRunTaskRecord } from './run-rows';
import { type RunTotalsCache, toRunRecords } from './run-totals';
import type {
  DecisionCursor,
  DecisionFilter,
  Page,
  RunDecision,
  RunRecord,
  RunStatus,
  RunTaskRecord,
  RunTaskStatus,
  RunTrigger,
} from './run-types';

const DEFAULT_LIMIT = 100;

export async function getRun(
  db: DbTransaction,
  id: number,
  cache?: RunTotalsCache,
): Promise<RunRecord | null> {
  const row = await db.run.findUnique({ where: { id } });
  return row === null ? null : ((await toRunRecords(db, [row], cache))[0] ?? null);
}

export interface ListRunsOptions {
  readonly status?: RunStatus;
  readonly trigger?: RunTrigger;
  /** The `next` of the previous page: runs older than this id. */
  readonly before?: number;
  readonly limit?: number;
}

/** Newest first, keyset-paginated on the id. */
export async function listRuns(
  db: DbTransaction,
  { status, trigger, before, limit = DEFAULT_LIMIT }: ListRunsOptions,
  cache?: RunTotalsCache,
): Promise<Page<RunRecord, number>> {
  const rows = await db.run.findMany({
    where: {
      ...(status !== undefined && { status }),
      ...(trigger !== undefined && { trigger }),
      ...(before !== undefined && { id: { lt: before } }),
    },
    orderBy: { id: 'desc' },
    // One more than a page: a next page only when there is one.
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: await toRunRecords(db, page, cache),
    next: rows.length > limit && last !== undefined ? last.id : null,
  };
}

export interface ListTasksOptions {
  readonly status?: RunTaskStatus;
  /** The `next` of the previous page: tasks after this id. */
  readonly after?: number;
  readonly limit?: number;
}

/** A run's tasks in creation order (the repositories' order), keyset-paginated on the id. */
export async function listTasks(
  db: DbTransaction,
  runId: number,
  { status, after, limit = DEFAULT_LIMIT }: ListTasksOptions,
): Promise<Page<RunTaskRecord, number>> {
  const rows = await db.runTask.findMany({
    where: {
      runId,
      ...(status !== undefined && { status }),
      ...(after !== undefined && { id: { gt: after } }),
    },
    omit: { decisions: true },
    orderBy: { id: 'asc' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toRunTaskRecord),
    next: rows.length > limit && last !== undefined ? last.id : null,
  };
}

export interface ListDecisionsOptions extends DecisionFilter {
  readonly after?: DecisionCursor;
  readonly limit?: number;
}

/** Tasks whose documents are read per query while filling a page. */
const TASK_BATCH = 20;

/**
 * The decision records of a run's applied tasks, task by task in task order, each task's in the
 * engine's order. The cursor is the position of the page's last record. Filters on repository and
 * outcome skip whole tasks in SQL; filters on decision and stage read the documents.
 */
export async function listDecisions(
  db: DbTransaction,
  runId: number,
  { after, limit = DEFAULT_LIMIT, ...filter }: ListDecisionsOptions,
): Promise<Page<RunDecision, DecisionCursor>> {
  const items: RunDecision[] = [];
  let position = after ?? { taskId: 0, index: -1 };
  // Once the page is full, the position of its last record: the next cursor if one more matches.
  let full: DecisionCursor | undefined;
  for (;;) {
    const tasks = await db.runTask.findMany({
      where: {
        runId,
        status: 'done',
        id: { gte: position.taskId },
        ...(filter.repository !== undefined && { repositoryPath: filter.repository }),
        ...(filter.outcome !== undefined && { [OUTCOME_COLUMN[filter.outcome]]: { gt: 0 } }),
      },
      select: { id: true, repositoryPath: true, decisions: true },
      orderBy: { id: 'asc' },
      take: TASK_BATCH,
    });
    for (const task of tasks) {
      const documents = JSON.parse(task.decisions ?? '[]') as StoredDecision[];
      const start = task.id === position.taskId ? position.index + 1 : 0;
      for (let index = start; index < documents.length; index++) {
        const stored = documents[index] as StoredDecision;
        if (!matches(stored, filter)) continue;
        if (full !== undefined) return { items, next: full };
        items.push(toRunDecision(task.repositoryPath, stored));
        position = { taskId: task.id, index };
        if (items.length === limit) full = position;
      }
      position = { taskId: task.id + 1, index: -1 };
    }
    if (tasks.length < TASK_BATCH) return { items, next: null };
  }
}

/** The record in the engine's field order. */
function toRunDecision(repository: string, d: StoredDecision): RunDecision {
  return {
    repository,
    tag: d.tag,
    digest: d.digest,
    decision: d.decision,
    stage: d.stage,
    scope: d.scope,
    policy: d.policy,
    rule: d.rule,
    reason: d.reason,
    outcome: d.outcome,
  };
}

function matches(
  stored: Omit<TagDecision, 'repository'> & { outcome: string },
  filter: DecisionFilter,
): boolean {
  return (
    (filter.decision === undefined || stored.decision === filter.decision) &&
    (filter.stage === undefined || stored.stage === filter.stage) &&
    (filter.outcome === undefined || stored.outcome === filter.outcome)
  );
}
