import { type DbTransaction, inTransaction } from '../client';
import type { Provider } from '../provider';
import { repositoryRefOf, scopeOf } from './run-rows';
import type { ClaimedTask, HeldLease } from './run-types';

export interface ClaimOptions {
  /** Who claims: unique per worker (e.g. host and process id). */
  readonly owner: string;
  readonly limit: number;
  readonly leaseMs: number;
}

/**
 * Leases of one task that ran out while their holder was working it (`startTask`), at most. A
 * lease that ran out before its holder began does not count: the claim is taken over as if it
 * had been given back.
 */
export const MAX_ATTEMPTS = 3;

const ABANDONED = {
  code: 'WINNOW_TASK_ABANDONED',
  message: `the worker holding this repository stopped ${MAX_ATTEMPTS} times while working it (a crash, a kill, or a lease too short for it); it is not tried again`,
};

interface ClaimedRow {
  id: number;
  runId: number;
  repositoryPath: string;
  attempts: number;
}

/**
 * Claims up to `limit` due tasks: queued ones, and running ones whose lease expired (a crashed
 * worker's). PostgreSQL: `FOR UPDATE SKIP LOCKED`, so concurrent claimers never get the same task
 * and never wait for each other. SQLite: one UPDATE ... RETURNING in a write transaction (one
 * worker). Tasks of runs asked to cancel are not claimed: those whose lease expired are cancelled.
 */
export async function claimTasks(
  db: DbTransaction,
  provider: Provider,
  { owner, limit, leaseMs }: ClaimOptions,
  now: Date,
): Promise<ClaimedTask[]> {
  const leaseExpiresAt = new Date(now.getTime() + leaseMs);
  return inTransaction(db, async (tx) => {
    await tx.runTask.updateMany({
      where: {
        status: 'running',
        leaseExpiresAt: { lte: now },
        run: { cancelRequested: true },
      },
      data: { status: 'cancelled', leaseExpiresAt: null, finishedAt: now },
    });
    // A task whose lease ran out MAX_ATTEMPTS times while it was being worked (its worker crashed
    // or was killed each time in the middle of it: a repository that kills the worker, or a lease
    // too short for it) is failed rather than taken over again, so it cannot take down every
    // replica in turn. A claim that ran out before its work began (a worker killed with a batch
    // in hand) is no sign of either: its task is taken over below, and `executions` is unchanged.
    await tx.runTask.updateMany({
      where: {
        status: 'running',
        leaseExpiresAt: { lte: now },
        executingSince: { not: null },
        executions: { gte: MAX_ATTEMPTS },
      },
      data: {
        status: 'failed',
        leaseExpiresAt: null,
        finishedAt: now,
        errorCode: ABANDONED.code,
        errorMessage: ABANDONED.message,
      },
    });
    const claim = provider === 'postgresql' ? claimPostgresql : claimSqlite;
    const rows = await claim(tx, { owner, limit, leaseExpiresAt, now });
    if (rows.length === 0) return [];
    const runIds = [...new Set(rows.map((row) => row.runId))];
    await tx.run.updateMany({
      where: { id: { in: runIds }, status: 'queued' },
      data: { status: 'running', startedAt: now },
    });
    const runs = new Map(
      (
        await tx.run.findMany({
          where: { id: { in: runIds } },
          select: {
            id: true,
            level: true,
            namespace: true,
            repository: true,
            now: true,
            dryRun: true,
          },
        })
      ).map((run) => [run.id, run]),
    );
    return rows
      .sort((a, b) => a.id - b.id)
      .map((row) => {
        const run = runs.get(row.runId);
        if (run === undefined) throw new Error(`run ${row.runId} of task ${row.id} vanished`);
        return {
          id: row.id,
          runId: row.runId,
          repository: repositoryRefOf(row.repositoryPath),
          attempts: row.attempts,
          leaseExpiresAt,
          run: { scope: scopeOf(run), now: run.now, dryRun: run.dryRun },
        };
      });
  });
}

interface ClaimParameters {
  owner: string;
  limit: number;
  leaseExpiresAt: Date;
  now: Date;
}

function claimPostgresql(tx: DbTransaction, p: ClaimParameters): Promise<ClaimedRow[]> {
  return tx.$queryRaw<ClaimedRow[]>`
    WITH due AS (
      SELECT t."id" FROM "RunTask" t
       WHERE (t."status" = 'queued' OR (t."status" = 'running' AND t."leaseExpiresAt" <= ${p.now}))
         AND t."runId" IN (SELECT "id" FROM "Run" WHERE NOT "cancelRequested")
       ORDER BY t."id"
       LIMIT ${p.limit}
         FOR UPDATE OF t SKIP LOCKED
    )
    UPDATE "RunTask" t
       SET "status" = 'running', "leaseOwner" = ${p.owner}, "leaseExpiresAt" = ${p.leaseExpiresAt},
           "heartbeatAt" = ${p.now}, "attempts" = t."attempts" + 1,
           "startedAt" = COALESCE(t."startedAt", ${p.now}), "executingSince" = NULL
      FROM due
     WHERE t."id" = due."id"
    RETURNING t."id", t."runId", t."repositoryPath", t."attempts"`;
}

function claimSqlite(tx: DbTransaction, p: ClaimParameters): Promise<ClaimedRow[]> {
  return tx.$queryRaw<ClaimedRow[]>`
    UPDATE "RunTask"
       SET "status" = 'running', "leaseOwner" = ${p.owner}, "leaseExpiresAt" = ${p.leaseExpiresAt},
           "heartbeatAt" = ${p.now}, "attempts" = "attempts" + 1,
           "startedAt" = COALESCE("startedAt", ${p.now}), "executingSince" = NULL
     WHERE "id" IN (
       SELECT t."id" FROM "RunTask" t
        WHERE (t."status" = 'queued' OR (t."status" = 'running' AND t."leaseExpiresAt" <= ${p.now}))
          AND t."runId" IN (SELECT "id" FROM "Run" WHERE NOT "cancelRequested")
        ORDER BY t."id"
        LIMIT ${p.limit})
    RETURNING "id", "runId", "repositoryPath", "attempts"`;
}

/**
 * Notes that `owner` begins working the task (reading, evaluating, applying the repository), if
 * it still holds the lease: from now on, the lease running out counts towards abandoning the
 * task. False (nothing written) if the lease is lost.
 */
export async function startTask(
  db: DbTransaction,
  taskId: number,
  options: { owner: string },
  now: Date,
): Promise<boolean> {
  const started = await db.runTask.updateMany({
    where: {
      id: taskId,
      status: 'running',
      leaseOwner: options.owner,
      leaseExpiresAt: { gt: now },
    },
    data: { executingSince: now, executions: { increment: 1 } },
  });
  return started.count === 1;
}

/** Extends the leases `owner` still holds among `taskIds`; returns those. */
export async function heartbeat(
  db: DbTransaction,
  options: { owner: string; taskIds: readonly number[]; leaseMs: number },
  now: Date,
): Promise<HeldLease[]> {
  const leaseExpiresAt = new Date(now.getTime() + options.leaseMs);
  const held = {
    id: { in: [...options.taskIds] },
    status: 'running' as const,
    leaseOwner: options.owner,
  };
  return inTransaction(db, async (tx) => {
    await tx.runTask.updateMany({
      where: { ...held, leaseExpiresAt: { gt: now } },
      data: { leaseExpiresAt, heartbeatAt: now },
    });
    const rows = await tx.runTask.findMany({
      where: { ...held, leaseExpiresAt },
      select: { id: true, run: { select: { cancelRequested: true } } },
      orderBy: { id: 'asc' },
    });
    return rows.map((row) => ({
      taskId: row.id,
      leaseExpiresAt,
      cancelRequested: row.run.cancelRequested,
    }));
  });
}

/**
 * Gives back the running tasks `owner` holds (all, or those of `taskIds`): queued again, or
 * cancelled when their run was asked to cancel. Returns how many were released.
 */
export async function releaseTasks(
  db: DbTransaction,
  options: { owner: string; taskIds?: readonly number[] },
  now: Date,
): Promise<number> {
  const held = {
    status: 'running' as const,
    leaseOwner: options.owner,
    ...(options.taskIds !== undefined && { id: { in: [...options.taskIds] } }),
  };
  return inTransaction(db, async (tx) => {
    const cancelled = await tx.runTask.updateMany({
      where: { ...held, run: { cancelRequested: true } },
      data: { status: 'cancelled', leaseExpiresAt: null, finishedAt: now },
    });
    // Given back, not lost: neither the claim nor the work begun on it (a worker whose database
    // went away in the middle of a repository gives it back once it is back) counts.
    await tx.runTask.updateMany({
      where: { ...held, executingSince: { not: null } },
      data: { executingSince: null, executions: { decrement: 1 } },
    });
    const queued = await tx.runTask.updateMany({
      where: held,
      data: {
        status: 'queued',
        leaseOwner: null,
        leaseExpiresAt: null,
        attempts: { decrement: 1 },
      },
    });
    return cancelled.count + queued.count;
  });
}
