import type { RunDecision, RunRecord } from '@winnow/db';
import { policyLabel, type PolicyDocument } from '@winnow/engine';

/** The events an endpoint can be sent: one per way a run ends. */
export const RUN_EVENTS = ['run.succeeded', 'run.partial', 'run.failed', 'run.cancelled'] as const;
export type RunEvent = (typeof RUN_EVENTS)[number];
/** What `POST /api/v1/notifications/{id}/test` sends. */
export const TEST_EVENT = 'test';

/** Deleted tags listed in one payload at most; `deleted_artifacts_truncated` says when more were. */
export const MAX_LISTED_TAGS = 1000;

/** The event of a finished run; null while it is not finished. */
export function runEventOf(run: RunRecord): RunEvent | null {
  switch (run.status) {
    case 'succeeded':
    case 'partial':
    case 'failed':
    case 'cancelled':
      return `run.${run.status}`;
    default:
      return null;
  }
}

export interface DeletedArtifact {
  readonly repository: string;
  readonly tag: string | null;
  readonly digest: string;
  /** The policy (`server`, `<namespace>`, `<namespace>/<repository>`) and rule that decided it. */
  readonly policy: string | null;
  readonly rule: string | null;
}

/**
 * Winnow's generic event, shaped after Harbor's webhook payload (`type`, `occur_at`, `operator`,
 * `event_data`) and its retention event (`total`, `retained`, `result`, `deleted_artifact`...).
 */
export interface RunNotification {
  readonly type: string;
  /** Unix seconds, as Harbor sends it. */
  readonly occur_at: number;
  readonly operator: string;
  readonly event_data: {
    readonly run: {
      readonly id: number;
      readonly status: string;
      readonly trigger: string;
      readonly dry_run: boolean;
      readonly scope: { level: string; namespace?: string; repository?: string };
      readonly evaluated_at: string;
      readonly created_at: string;
      readonly started_at: string | null;
      readonly finished_at: string | null;
      readonly duration_seconds: number;
    };
    readonly retention: {
      readonly result: string;
      /** Tags evaluated. */
      readonly total: number;
      /** Tags kept. */
      readonly retained: number;
      /** Tags expired (soft-deleted, restorable during the restore window); 0 in a dry run. */
      readonly deleted: number;
      /** Tags a dry run would have expired. */
      readonly would_delete: number;
      /** Repositories whose evaluation or apply failed. */
      readonly failed: number;
      readonly repositories: number;
      readonly blocked_repositories: number;
      readonly skipped_immutable: number;
      readonly blocked: number;
      readonly policies: readonly { scope: string; level: string; rules: number; guards: number }[];
      /** Expired tags (in a dry run: those it would have expired), the first MAX_LISTED_TAGS. */
      readonly deleted_artifacts: readonly DeletedArtifact[];
      readonly deleted_artifacts_truncated: boolean;
    };
  };
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * The generic payload of a finished run. `deleted` holds up to MAX_LISTED_TAGS + 1 records (one
 * more says the list was cut).
 */
export function runNotification(
  run: RunRecord,
  event: string,
  policies: readonly PolicyDocument[],
  deleted: readonly RunDecision[],
): RunNotification {
  const started = run.startedAt ?? run.createdAt;
  const finished = run.finishedAt ?? started;
  const { scope, counts } = run;
  return {
    type: event,
    occur_at: seconds(finished),
    operator: run.triggeredBy,
    event_data: {
      run: {
        id: run.id,
        status: run.status,
        trigger: run.trigger,
        dry_run: run.dryRun,
        scope: {
          level: scope.level,
          ...(scope.namespace !== undefined && { namespace: scope.namespace }),
          ...(scope.repository !== undefined && { repository: scope.repository }),
        },
        evaluated_at: run.now.toISOString(),
        created_at: run.createdAt.toISOString(),
        started_at: run.startedAt?.toISOString() ?? null,
        finished_at: run.finishedAt?.toISOString() ?? null,
        duration_seconds: Math.max(0, finished.getTime() - started.getTime()) / 1000,
      },
      retention: {
        result: run.status,
        total: counts.evaluated,
        retained: counts.kept,
        deleted: counts.expired,
        would_delete: counts.dryRun,
        failed: counts.errors,
        repositories: counts.repositories,
        blocked_repositories: counts.blockedRepositories,
        skipped_immutable: counts.skippedImmutable,
        blocked: counts.blocked,
        policies: policies.map((document) => ({
          scope: policyLabel(document.scope),
          level: document.scope.level,
          rules: document.rules?.length ?? 0,
          guards: document.guards?.length ?? 0,
        })),
        deleted_artifacts: deleted.slice(0, MAX_LISTED_TAGS).map((d) => ({
          repository: d.repository,
          tag: d.tag,
          digest: d.digest,
          policy: d.policy,
          rule: d.rule,
        })),
        deleted_artifacts_truncated: deleted.length > MAX_LISTED_TAGS,
      },
    },
  };
}

/** The generic payload of a test delivery. */
export function testNotification(endpoint: string, at: Date): object {
  return {
    type: TEST_EVENT,
    occur_at: seconds(at),
    operator: 'api',
    event_data: {
      endpoint,
      message: 'A test notification from Winnow: this endpoint receives and verifies deliveries.',
    },
  };
}
