import type { Scope, ScopeLevel } from '@winnow/engine';

import type {
  ApplyOutcome,
  OutcomeCounts,
  RunCounts,
  RunRecord,
  RunStatus,
  RunTaskRecord,
  RunTaskStatus,
  RunTrigger,
  TaskStatusCounts,
} from './run-types';

/** The outcome count columns, the same in Run and RunTask. */
export const OUTCOME_COLUMNS = [
  'evaluated',
  'kept',
  'expired',
  'dryRunTags',
  'skippedImmutable',
  'blocked',
  'repushed',
  'missing',
  'untagged',
] as const;
export type OutcomeColumn = (typeof OUTCOME_COLUMNS)[number];
export type OutcomeColumns = Record<OutcomeColumn, number>;

/** The count column of each outcome. */
export const OUTCOME_COLUMN: Readonly<Record<ApplyOutcome, OutcomeColumn>> = {
  kept: 'kept',
  expired: 'expired',
  'dry-run': 'dryRunTags',
  'skipped-immutable': 'skippedImmutable',
  blocked: 'blocked',
  repushed: 'repushed',
  missing: 'missing',
  untagged: 'untagged',
};

export const TASK_STATUSES: readonly RunTaskStatus[] = [
  'queued',
  'running',
  'done',
  'failed',
  'cancelled',
];

export function zeroOutcomeColumns(): OutcomeColumns {
  return Object.fromEntries(OUTCOME_COLUMNS.map((c) => [c, 0])) as OutcomeColumns;
}

export function toOutcomeCounts(row: OutcomeColumns): OutcomeCounts {
  return {
    evaluated: row.evaluated,
    kept: row.kept,
    expired: row.expired,
    dryRun: row.dryRunTags,
    skippedImmutable: row.skippedImmutable,
    blocked: row.blocked,
    repushed: row.repushed,
    missing: row.missing,
    untagged: row.untagged,
  };
}

export interface RunTotalsColumns extends OutcomeColumns {
  repositories: number;
  errors: number;
  blockedRepos: number;
}

export interface RunRow extends RunTotalsColumns {
  id: number;
  level: ScopeLevel;
  namespace: string | null;
  repository: string | null;
  dryRun: boolean;
  trigger: RunTrigger;
  triggeredBy: string;
  status: RunStatus;
  now: Date;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function scopeOf(row: {
  level: ScopeLevel;
  namespace: string | null;
  repository: string | null;
}): Scope {
  return {
    level: row.level,
    ...(row.namespace !== null && { namespace: row.namespace }),
    ...(row.repository !== null && { repository: row.repository }),
  };
}

/** A run in record form; `totals` replaces the stored counts (live sums of an unfinished run). */
export function toRunRecord(
  row: RunRow,
  totals: RunTotalsColumns,
  tasks: TaskStatusCounts,
): RunRecord {
  const counts: RunCounts = {
    repositories: totals.repositories,
    errors: totals.errors,
    blockedRepositories: totals.blockedRepos,
    ...toOutcomeCounts(totals),
  };
  return {
    id: row.id,
    scope: scopeOf(row),
    dryRun: row.dryRun,
    trigger: row.trigger,
    triggeredBy: row.triggeredBy,
    status: row.status,
    now: row.now,
    cancelRequested: row.cancelRequested,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    counts,
    tasks,
  };
}

export interface RunTaskRow extends OutcomeColumns {
  id: number;
  runId: number;
  repositoryPath: string;
  status: RunTaskStatus;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  heartbeatAt: Date | null;
  attempts: number;
  executions: number;
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function toRunTaskRecord(row: RunTaskRow): RunTaskRecord {
  return {
    id: row.id,
    runId: row.runId,
    repository: row.repositoryPath,
    status: row.status,
    owner: row.leaseOwner,
    leaseExpiresAt: row.leaseExpiresAt,
    heartbeatAt: row.heartbeatAt,
    attempts: row.attempts,
    executions: row.executions,
    counts: toOutcomeCounts(row),
    error: row.errorCode === null ? null : { code: row.errorCode, message: row.errorMessage ?? '' },
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

/** `acme/web/api` → `{ namespace: 'acme', name: 'web/api' }` (a namespace has no `/`). */
export function repositoryRefOf(path: string): { namespace: string; name: string } {
  const slash = path.indexOf('/');
  return { namespace: path.slice(0, slash), name: path.slice(slash + 1) };
}
