import type { Scope } from '@winnow/engine';

import type { DbTransaction } from '../client';
import { DbErrorCode, WinnowDbError } from '../errors';
import { Prisma } from '../generated/postgresql/client';
import type { Provider } from '../provider';
import { bulkBoolean } from './bulk-sql';
import { scopeKey } from './policies';

/** A policy's schedule: a cron expression in a time zone, and the run it starts next. */
export interface Schedule {
  readonly cron: string;
  /** IANA time zone the expression is read in. */
  readonly timezone: string;
  /** Its runs apply nothing. */
  readonly dryRun: boolean;
  readonly nextRunAt: Date;
  /** The run it started last, if any. */
  readonly lastRunId: number | null;
}

export type NewSchedule = Omit<Schedule, 'lastRunId'>;

/** A schedule that is due, claimed by the caller's transaction. */
export interface DueSchedule extends Schedule {
  readonly policyId: number;
  readonly scope: Scope;
  /** The run it started last is still queued or running. */
  readonly lastRunUnfinished: boolean;
}

export interface ScheduleStore {
  /** The schedule of the scope's policy, or null; WINNOW_DB_NOT_FOUND if it has no policy. */
  get(scope: Scope): Promise<Schedule | null>;
  /** Sets (or replaces) it; WINNOW_DB_NOT_FOUND if the scope has no policy. */
  set(scope: Scope, schedule: NewSchedule): Promise<Schedule>;
  /** Removes it; false if there was none; WINNOW_DB_NOT_FOUND if the scope has no policy. */
  clear(scope: Scope): Promise<boolean>;
  /**
   * Up to `limit` schedules due at `now` (nextRunAt ≤ now), earliest first. Call it in a
   * transaction and `advance` each one there: on PostgreSQL the rows are locked
   * (`FOR UPDATE SKIP LOCKED`), so concurrent workers never get the same schedule.
   */
  claimDue(limit: number, now: Date): Promise<DueSchedule[]>;
  /** Moves a schedule on: its next run, and the run just started (null: none started). */
  advance(policyId: number, nextRunAt: Date, runId: number | null): Promise<void>;
}

const notFound = (scope: Scope) =>
  new WinnowDbError(DbErrorCode.notFound, `policy ${scopeKey(scope)}: not found`);

/** Through Prisma or raw SQL (booleans and integers as the driver gives them). */
interface ScheduleRow {
  scheduleCron: string | null;
  scheduleTimezone: string | null;
  scheduleDryRun: boolean | number;
  nextRunAt: Date | string | null;
  lastScheduledRunId: number | bigint | null;
}

function toSchedule(row: ScheduleRow): Schedule | null {
  if (row.scheduleCron === null || row.nextRunAt === null) return null;
  return {
    cron: row.scheduleCron,
    timezone: row.scheduleTimezone ?? 'UTC',
    dryRun: Boolean(row.scheduleDryRun),
    nextRunAt: new Date(row.nextRunAt),
    lastRunId: row.lastScheduledRunId === null ? null : Number(row.lastScheduledRunId),
  };
}

const SCHEDULE_COLUMNS = {
  scheduleCron: true,
  scheduleTimezone: true,
  scheduleDryRun: true,
  nextRunAt: true,
  lastScheduledRunId: true,
} as const;

interface DueRow extends ScheduleRow {
  id: number | bigint;
  level: Scope['level'];
  namespace: string | null;
  repository: string | null;
}

/**
 * The schedule columns are written in SQL, not through Prisma: Prisma would move the policy's
 * `updatedAt` (`@updatedAt`), which says when its document last changed, at every run.
 */
export function scheduleStore(db: DbTransaction, provider: Provider): ScheduleStore {
  const exists = async (scope: Scope) =>
    (await db.policy.count({ where: { scopeKey: scopeKey(scope) } })) > 0;
  const get = async (scope: Scope) => {
    const row = await db.policy.findUnique({
      where: { scopeKey: scopeKey(scope) },
      select: SCHEDULE_COLUMNS,
    });
    if (row === null) throw notFound(scope);
    return toSchedule(row);
  };
  return {
    get,
    set: async (scope, schedule) => {
      const count = await db.$executeRaw`
        UPDATE "Policy"
           SET "scheduleCron" = ${schedule.cron}, "scheduleTimezone" = ${schedule.timezone},
               "scheduleDryRun" = ${bulkBoolean(provider, schedule.dryRun)},
               "nextRunAt" = ${schedule.nextRunAt}
         WHERE "scopeKey" = ${scopeKey(scope)}`;
      const stored = count === 0 ? null : await get(scope);
      if (stored === null) throw notFound(scope);
      return stored;
    },
    clear: async (scope) => {
      const count = await db.$executeRaw`
        UPDATE "Policy"
           SET "scheduleCron" = NULL, "scheduleTimezone" = NULL,
               "scheduleDryRun" = ${bulkBoolean(provider, false)}, "nextRunAt" = NULL,
               "lastScheduledRunId" = NULL
         WHERE "scopeKey" = ${scopeKey(scope)} AND "scheduleCron" IS NOT NULL`;
      if (count > 0) return true;
      if (await exists(scope)) return false;
      throw notFound(scope);
    },
    claimDue: async (limit, now) => {
      const rows =
        provider === 'postgresql'
          ? await db.$queryRaw<DueRow[]>`
              SELECT "id", "level"::text AS "level", "namespace", "repository", "scheduleCron",
                     "scheduleTimezone", "scheduleDryRun", "nextRunAt", "lastScheduledRunId"
                FROM "Policy"
               WHERE "nextRunAt" <= ${now} AND "scheduleCron" IS NOT NULL
               ORDER BY "nextRunAt", "id"
               LIMIT ${limit}
                 FOR UPDATE SKIP LOCKED`
          : await db.policy.findMany({
              where: { nextRunAt: { lte: now }, scheduleCron: { not: null } },
              orderBy: [{ nextRunAt: 'asc' }, { id: 'asc' }],
              take: limit,
              select: {
                id: true,
                level: true,
                namespace: true,
                repository: true,
                ...SCHEDULE_COLUMNS,
              },
            });
      const unfinished = await unfinishedRuns(db, rows);
      const due: DueSchedule[] = [];
      for (const row of rows) {
        const schedule = toSchedule(row);
        if (schedule === null) continue;
        due.push({
          ...schedule,
          policyId: Number(row.id),
          scope: scopeOfRow(row),
          lastRunUnfinished: schedule.lastRunId !== null && unfinished.has(schedule.lastRunId),
        });
      }
      return due;
    },
    advance: async (policyId, nextRunAt, runId) => {
      const lastRun = runId === null ? Prisma.empty : Prisma.sql`, "lastScheduledRunId" = ${runId}`;
      await db.$executeRaw`
        UPDATE "Policy" SET "nextRunAt" = ${nextRunAt}${lastRun} WHERE "id" = ${policyId}`;
    },
  };
}

/** Which of the rows' last runs have not finished (queued or running). */
async function unfinishedRuns(db: DbTransaction, rows: readonly DueRow[]): Promise<Set<number>> {
  const ids = rows.flatMap((row) =>
    row.lastScheduledRunId === null ? [] : [Number(row.lastScheduledRunId)],
  );
  if (ids.length === 0) return new Set();
  const runs = await db.run.findMany({
    where: { id: { in: ids }, finishedAt: null },
    select: { id: true },
  });
  return new Set(runs.map((run) => run.id));
}

function scopeOfRow(row: DueRow): Scope {
  switch (row.level) {
    case 'server':
      return { level: 'server' };
    case 'namespace':
      return { level: 'namespace', namespace: row.namespace ?? '' };
    case 'repository':
      return {
        level: 'repository',
        namespace: row.namespace ?? '',
        repository: row.repository ?? '',
      };
  }
}
