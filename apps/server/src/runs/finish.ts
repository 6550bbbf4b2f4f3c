import type { Database, RunRecord } from '@winnow/db';
import type { Metrics } from '../metrics';
import { observeFinishedRun, recordFinishedRun, WORKER_ACTOR } from './reporting';

/**
 * Finishes the run if its tasks are all over. The worker that finishes it (one, whatever the
 * number of replicas) records its audit entry in the same transaction and counts it.
 */
export async function finishRun(
  database: Database,
  metrics: Metrics,
  runId: number,
): Promise<RunRecord | null> {
  const run = await database.transaction(async (stores) => {
    const finished = await stores.runs.finishOnce(runId);
    if (finished !== null) await recordFinishedRun(stores, finished, WORKER_ACTOR);
    return finished;
  });
  if (run !== null) observeFinishedRun(metrics, run);
  return run;
}

/** Finishes the runs whose last task was ended otherwise (cancelled, or a crashed worker's). */
export async function finishCompletedRuns(
  database: Database,
  metrics: Metrics,
): Promise<RunRecord[]> {
  const runs = await database.transaction(async (stores) => {
    const finished = await stores.runs.finishCompleted();
    for (const run of finished) await recordFinishedRun(stores, run, WORKER_ACTOR);
    return finished;
  });
  for (const run of runs) observeFinishedRun(metrics, run);
  return runs;
}
