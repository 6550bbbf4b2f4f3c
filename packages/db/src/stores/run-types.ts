import type { Scope, TagDecision } from '@winnow/engine';

import type { RepositoryRef } from './repositories';

export type RunTrigger = 'api' | 'schedule' | 'cli';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
export type RunTaskStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/**
 * What applying a decision record did. Keep records: `kept`, `skipped-immutable` (stage
 * `immutable`), `blocked` (stage `safety`, the blast-radius guard). Delete records: `expired`,
 * `dry-run` (a dry run expires nothing), and, when the tag changed after the decision,
 * `skipped-immutable` (made immutable), `repushed` (points at another digest) or `missing`
 * (deleted or expired already); `untagged` for an untagged manifest (soft expiry is for tags).
 */
export type ApplyOutcome =
  | 'kept'
  | 'expired'
  | 'dry-run'
  | 'skipped-immutable'
  | 'blocked'
  | 'repushed'
  | 'missing'
  | 'untagged';

/** Decision records by outcome (`dryRun` counts `dry-run`); `evaluated` is their total. */
export interface OutcomeCounts {
  readonly evaluated: number;
  readonly kept: number;
  readonly expired: number;
  readonly dryRun: number;
  readonly skippedImmutable: number;
  readonly blocked: number;
  readonly repushed: number;
  readonly missing: number;
  readonly untagged: number;
}

export interface RunCounts extends OutcomeCounts {
  /** Tasks of the run: one per repository in the scope when it was created. */
  readonly repositories: number;
  /** Repositories whose task failed. */
  readonly errors: number;
  /** Repositories where the blast-radius guard blocked every deletion. */
  readonly blockedRepositories: number;
}

export type TaskStatusCounts = Readonly<Record<RunTaskStatus, number>>;

export interface RunRecord {
  readonly id: number;
  readonly scope: Scope;
  readonly dryRun: boolean;
  readonly trigger: RunTrigger;
  /** Who asked: a user for `api`, the policy or schedule for `schedule`, ... */
  readonly triggeredBy: string;
  readonly status: RunStatus;
  /** The time the policies are evaluated at. */
  readonly now: Date;
  readonly cancelRequested: boolean;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** Totals written when the run finished; summed live from its tasks until then. */
  readonly counts: RunCounts;
  /** The run's tasks by status (progress). */
  readonly tasks: TaskStatusCounts;
}

export interface NewRun {
  readonly scope: Scope;
  readonly dryRun: boolean;
  readonly trigger: RunTrigger;
  readonly triggeredBy: string;
  readonly now: Date;
}

export interface TaskError {
  readonly code: string;
  readonly message: string;
}

export interface RunTaskRecord {
  readonly id: number;
  readonly runId: number;
  /** `<namespace>/<repository>`, kept after the repository is deleted. */
  readonly repository: string;
  readonly status: RunTaskStatus;
  /** The worker that holds the task (running) or applied or failed it (done, failed). */
  readonly owner: string | null;
  /** Set while a worker holds the task. */
  readonly leaseExpiresAt: Date | null;
  readonly heartbeatAt: Date | null;
  /** How many times the task was claimed (claims given back excepted). */
  readonly attempts: number;
  /**
   * How many of those claims' holders began working the repository (`startTask`): a lease that
   * runs out after that counts towards abandoning the task.
   */
  readonly executions: number;
  readonly counts: OutcomeCounts;
  readonly error: TaskError | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

/** A task a worker claimed: what it needs to evaluate and apply one repository. */
export interface ClaimedTask {
  readonly id: number;
  readonly runId: number;
  readonly repository: RepositoryRef;
  readonly attempts: number;
  readonly leaseExpiresAt: Date;
  readonly run: { readonly scope: Scope; readonly now: Date; readonly dryRun: boolean };
}

export interface HeldLease {
  readonly taskId: number;
  readonly leaseExpiresAt: Date;
  /** The run was asked to stop: finish or release the task (release then cancels it). */
  readonly cancelRequested: boolean;
}

export type ApplyResult =
  { readonly applied: true; readonly counts: OutcomeCounts } | { readonly applied: false };

/** An engine decision record and what applying it did. */
export interface RunDecision extends TagDecision {
  readonly outcome: ApplyOutcome;
}

/** Where a page of decisions ended: the task and the record's index in it. */
export interface DecisionCursor {
  readonly taskId: number;
  readonly index: number;
}

export interface DecisionFilter {
  readonly decision?: TagDecision['decision'];
  readonly stage?: TagDecision['stage'];
  readonly outcome?: ApplyOutcome;
  /** `<namespace>/<repository>` */
  readonly repository?: string;
}

/** A page and the cursor of the next one (null on the last page). */
export interface Page<T, C> {
  readonly items: T[];
  readonly next: C | null;
}
