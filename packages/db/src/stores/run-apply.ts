import type { TagDecision } from '@winnow/engine';

import { type DbTransaction, inTransaction } from '../client';
import { DbErrorCode, WinnowDbError } from '../errors';
import { Prisma } from '../generated/postgresql/client';
import type { Provider } from '../provider';
import {
  OUTCOME_COLUMN,
  OUTCOME_COLUMNS,
  type OutcomeColumns,
  toOutcomeCounts,
  zeroOutcomeColumns,
} from './run-rows';
import type { ApplyOutcome, ApplyResult, TaskError } from './run-types';
import { expireDecidedTags, type Target } from './expire-tags';

/** A decision record as a task's document stores it: the repository is the task's. */
export type StoredDecision = Omit<TagDecision, 'repository'> & { readonly outcome: ApplyOutcome };

/** The record as stored, in the engine's field order, without the repository (the task's). */
function stored(d: TagDecision, outcome: ApplyOutcome): StoredDecision {
  const { tag, digest, decision, stage, scope, policy, rule, reason } = d;
  return { tag, digest, decision, stage, scope, policy, rule, reason, outcome };
}

/** The lease is held: the task runs, this owner holds it, and it has not expired. */
const leaseHeld = (taskId: number, owner: string, now: Date) => ({
  id: taskId,
  status: 'running' as const,
  leaseOwner: owner,
  leaseExpiresAt: { gt: now },
});

/**
 * Applies one repository's decisions in ONE transaction, only while `owner` holds the task's
 * lease (otherwise nothing at all is written and `applied` is false). Each tag decided `delete`
 * is expired (lifetimeEnd set, expiredByRunId the run) only if it is still live, still points at
 * the decided digest and is not immutable; a dry run expires nothing. The task is marked done with
 * its counts and its decision document. Statements are bulk: their number does not grow with tags.
 */
export async function applyTask(
  db: DbTransaction,
  provider: Provider,
  taskId: number,
  options: { owner: string; decisions: readonly TagDecision[] },
  now: Date,
): Promise<ApplyResult> {
  return inTransaction(
    db,
    async (tx) => {
      const task = await holdTask(tx, taskId, options.owner, now);
      if (task === undefined) return { applied: false };
      assertRepository(options.decisions, task.repositoryPath);
      const dryRun = Boolean(task.dryRun);
      const targets = dryRun ? [] : deleteTargets(options.decisions);
      const outcomes =
        targets.length === 0 || task.repositoryId === null
          ? new Map<string, ApplyOutcome>()
          : await expireDecidedTags(
              tx,
              provider,
              { repositoryId: task.repositoryId, runId: task.runId, at: now },
              targets,
            );
      const documents: StoredDecision[] = [];
      const counts = zeroOutcomeColumns();
      for (const decision of options.decisions) {
        const outcome = outcomeOf(decision, dryRun, outcomes);
        documents.push(stored(decision, outcome));
        counts[OUTCOME_COLUMN[outcome]] += 1;
      }
      counts.evaluated = options.decisions.length;
      await markDone(tx, taskId, counts, documents, now);
      return { applied: true, counts: toOutcomeCounts(counts) };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** The task done, with its counts and its decision document (JSON text, one parameter). */
async function markDone(
  tx: DbTransaction,
  taskId: number,
  counts: OutcomeColumns,
  documents: readonly StoredDecision[],
  now: Date,
): Promise<void> {
  const countColumns = Prisma.join(
    OUTCOME_COLUMNS.map((column) => Prisma.sql`${Prisma.raw(`"${column}"`)} = ${counts[column]}`),
  );
  await tx.$executeRaw`
    UPDATE "RunTask"
       SET "status" = 'done', "leaseExpiresAt" = NULL, "finishedAt" = ${now}, ${countColumns},
           "decisions" = ${JSON.stringify(documents)}
     WHERE "id" = ${taskId}`;
}

interface HeldTask {
  runId: number;
  repositoryId: number | null;
  repositoryPath: string;
  /** SQLite answers 0 or 1. */
  dryRun: boolean | number;
}

/**
 * The task if `owner` holds its lease, touched: a write first, so it takes the row lock
 * (PostgreSQL: a concurrent claim skips the row) or the write lock (SQLite) at once.
 */
async function holdTask(
  tx: DbTransaction,
  taskId: number,
  owner: string,
  now: Date,
): Promise<HeldTask | undefined> {
  const rows = await tx.$queryRaw<HeldTask[]>`
    UPDATE "RunTask" SET "heartbeatAt" = ${now}
     WHERE "id" = ${taskId} AND "status" = 'running' AND "leaseOwner" = ${owner}
       AND "leaseExpiresAt" > ${now}
    RETURNING "runId", "repositoryId", "repositoryPath",
              (SELECT "dryRun" FROM "Run" WHERE "Run"."id" = "RunTask"."runId") AS "dryRun"`;
  return rows[0];
}

/** Marks a held task failed with its error; false (and nothing written) if the lease is lost. */
export async function failTask(
  db: DbTransaction,
  taskId: number,
  options: { owner: string; error: TaskError },
  now: Date,
): Promise<boolean> {
  const result = await db.runTask.updateMany({
    where: leaseHeld(taskId, options.owner, now),
    data: {
      status: 'failed',
      leaseExpiresAt: null,
      finishedAt: now,
      errorCode: options.error.code,
      errorMessage: options.error.message,
    },
  });
  return result.count > 0;
}

function assertRepository(decisions: readonly TagDecision[], path: string): void {
  const other = decisions.find((d) => d.repository !== path);
  if (other !== undefined) {
    throw new WinnowDbError(
      DbErrorCode.invalidArgument,
      `decision for repository ${other.repository} applied to the task of ${path}`,
    );
  }
}

/** The tags decided `delete`, with the digest decided on (an untagged manifest has no tag). */
function deleteTargets(decisions: readonly TagDecision[]): Target[] {
  const targets = new Map<string, Target>();
  for (const d of decisions) {
    if (d.decision === 'delete' && d.tag !== null) targets.set(d.tag, [d.tag, d.digest]);
  }
  return [...targets.values()];
}

/** The decision's outcome, given what applying did to the tags decided `delete`. */
function outcomeOf(
  decision: TagDecision,
  dryRun: boolean,
  outcomes: ReadonlyMap<string, ApplyOutcome>,
): ApplyOutcome {
  if (decision.decision === 'keep') {
    if (decision.stage === 'immutable') return 'skipped-immutable';
    return decision.stage === 'safety' ? 'blocked' : 'kept';
  }
  if (decision.tag === null) return 'untagged';
  if (dryRun) return 'dry-run';
  // No outcome: the repository was deleted after the run was created.
  return outcomes.get(decision.tag) ?? 'missing';
}
