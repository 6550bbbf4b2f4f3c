import type { RunRecord } from '@winnow/db';
import type { Log } from '../log';

/**
 * The lifecycle line of a run that finished: its status, totals and duration, at info (warn
 * when it failed or some repositories did). Written once, by whoever finished the run.
 */
export function logFinishedRun(log: Log, run: RunRecord): void {
  const started = run.startedAt ?? run.createdAt;
  const finished = run.finishedAt ?? started;
  const facts = {
    runId: run.id,
    status: run.status,
    trigger: run.trigger,
    dryRun: run.dryRun,
    counts: run.counts,
    durationMs: Math.max(0, finished.getTime() - started.getTime()),
  };
  if (run.status === 'failed' || run.status === 'partial') log.warn(facts, 'run finished');
  else log.info(facts, 'run finished');
}
