import type { AuditEntry, OutcomeCounts, RunRecord, TransactionStores } from '@winnow/db';
import type { TagDecision } from '@winnow/engine';
import type { Metrics } from '../metrics';
import { enqueueRunNotifications } from '../notifications/enqueue';

/** Who acts when the background worker does: audit entries name it. */
export const WORKER_ACTOR = 'worker';

export type AuditInput = Omit<AuditEntry, 'id' | 'at'>;

export const runTarget = (id: number): string => `run:${id}`;

/** A run's counts, for audit details. */
export function runSummary(run: RunRecord): Record<string, unknown> {
  return { status: run.status, dryRun: run.dryRun, trigger: run.trigger, counts: run.counts };
}

/**
 * Records that a run finished (audit, and the webhooks' deliveries in the outbox, in the caller's
 * transaction). Only the call that finished the run reports it (`finishOnce`), so each run has one
 * entry, is counted once and notified once.
 */
export async function recordFinishedRun(
  stores: TransactionStores,
  run: RunRecord,
  actor: string,
): Promise<void> {
  await stores.audit.record({
    actor,
    action: 'run.finish',
    target: runTarget(run.id),
    details: runSummary(run),
  });
  await enqueueRunNotifications(stores, run);
}

/** Counts a finished run by trigger and status, and its duration. */
export function observeFinishedRun(metrics: Metrics, run: RunRecord): void {
  const labels = { trigger: run.trigger, status: run.status };
  metrics.runs.inc(labels);
  const started = run.startedAt ?? run.createdAt;
  const finished = run.finishedAt ?? started;
  metrics.runDuration.observe(labels, Math.max(0, finished.getTime() - started.getTime()) / 1000);
}

/** Counts what applying one repository's decisions did. */
export function observeAppliedTask(
  metrics: Metrics,
  namespace: string,
  decisions: readonly TagDecision[],
  counts: OutcomeCounts,
): void {
  const byLabel = new Map<string, { decision: string; stage: string; count: number }>();
  for (const d of decisions) {
    const key = `${d.decision}/${d.stage}`;
    const entry = byLabel.get(key) ?? { decision: d.decision, stage: d.stage, count: 0 };
    entry.count += 1;
    byLabel.set(key, entry);
  }
  for (const { decision, stage, count } of byLabel.values()) {
    metrics.decisions.inc({ decision, stage }, count);
  }
  if (counts.expired > 0) metrics.tagsExpired.inc({ namespace }, counts.expired);
  if (counts.skippedImmutable > 0) metrics.immutableSkipped.inc(counts.skippedImmutable);
  if (counts.blocked > 0) metrics.guardBlocked.inc();
}
