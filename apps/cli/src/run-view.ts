/** Runs as the API answers them (docs/api.md, "Runs"), and how the CLI shows them. */
import { callJson } from './api';
import { colourOf, type Paint } from './colour';
import { formatColumns } from './columns';
import { type ProgressFrame, ratio } from './progress';
import { describeScope, type ScopeJson } from './scope';
import { took } from './sync';

interface OutcomeCounts {
  evaluated: number;
  kept: number;
  expired: number;
  dryRun: number;
  skippedImmutable: number;
  blocked: number;
  repushed: number;
  missing: number;
  untagged: number;
}

export interface RunJson {
  id: number;
  scope: ScopeJson;
  dryRun: boolean;
  trigger: string;
  triggeredBy: string;
  status: 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
  now: string;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  counts: OutcomeCounts & { repositories: number; errors: number; blockedRepositories: number };
  tasks: { queued: number; running: number; done: number; failed: number; cancelled: number };
}

export interface TaskJson {
  id: number;
  repository: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  /** Claims of the task by a worker. */
  attempts: number;
  /** Claims in which a worker began working it (what WINNOW_TASK_ABANDONED counts). */
  executions: number;
  counts: OutcomeCounts;
  error: { code: string; message: string } | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export const isRunFinished = (run: RunJson): boolean =>
  run.status !== 'queued' && run.status !== 'running';

/** Tags expired, or that a dry run would have expired. */
export const expiredOf = (run: { dryRun: boolean }, counts: OutcomeCounts): number =>
  run.dryRun ? counts.dryRun : counts.expired;

/** Repositories whose task has ended, whatever its end. */
const tasksEnded = (run: RunJson): number =>
  run.tasks.done + run.tasks.failed + run.tasks.cancelled;

/** What became in the registries of the digests a run's expired tags pointed at. */
export interface RegistryDeletionCounts {
  deleted: number;
  absent: number;
  skipped: number;
  failed: number;
}

export const deletionTotal = (c: RegistryDeletionCounts): number =>
  c.deleted + c.absent + c.skipped + c.failed;

interface DeletionsPage {
  deletions: { id: number; outcome: keyof RegistryDeletionCounts }[];
  next?: string;
}

/**
 * Counts a run's registry deletions as they are recorded: each refresh reads only the entries
 * newer than the last it saw (the API lists them newest first).
 */
export class RegistryDeletionTally {
  readonly counts: RegistryDeletionCounts = { deleted: 0, absent: 0, skipped: 0, failed: 0 };
  private newest = 0;

  constructor(
    private readonly server: string,
    private readonly runId: number,
  ) {}

  async refresh(): Promise<RegistryDeletionCounts> {
    let next: string | undefined = `/api/v1/runs/${this.runId}/registry-deletions?limit=1000`;
    let top = this.newest;
    while (next !== undefined) {
      const { body }: { body: DeletionsPage } = await callJson<DeletionsPage>(
        this.server,
        next,
        {},
        'registry deletions',
      );
      for (const deletion of body.deletions) {
        if (deletion.id <= this.newest) return this.finish(top);
        this.counts[deletion.outcome] += 1;
        top = Math.max(top, deletion.id);
      }
      next = body.next;
    }
    return this.finish(top);
  }

  private finish(top: number): RegistryDeletionCounts {
    this.newest = top;
    return this.counts;
  }
}

/** `repositories 4/10 [####......] 40% · expired 12 · kept 30 · registry deletions 3` */
export function runProgressLine(run: RunJson, deletions?: RegistryDeletionCounts): string {
  if (run.status === 'queued' && run.tasks.running === 0 && tasksEnded(run) === 0)
    return 'waiting for a worker';
  const c = run.counts;
  return [
    `repositories ${ratio(tasksEnded(run), c.repositories)}`,
    `${run.dryRun ? 'would expire' : 'expired'} ${expiredOf(run, c)}`,
    `kept ${c.kept}`,
    ...(run.tasks.failed > 0 ? [`failed ${run.tasks.failed}`] : []),
    ...(c.blockedRepositories > 0 ? [`blocked ${c.blockedRepositories}`] : []),
    ...(deletions !== undefined && deletionTotal(deletions) > 0
      ? [`registry deletions ${deletionTotal(deletions)}`]
      : []),
  ].join(' · ');
}

export const runFrame = (run: RunJson, deletions?: RegistryDeletionCounts): ProgressFrame => ({
  label: `run ${run.id}`,
  status: run.status,
  line: runProgressLine(run, deletions),
});

/** `run 3 of namespace acme (dry run): succeeded in 1.2s`, then the counts. */
export function runSummary(
  run: RunJson,
  paint: Paint,
  deletions?: RegistryDeletionCounts,
): string[] {
  const c = run.counts;
  const t = run.tasks;
  const lines = [
    `run ${run.id} of ${describeScope(run.scope)}${run.dryRun ? ' (dry run)' : ''}: ${paint(run.status, colourOf(run.status))}${took(run.startedAt, run.finishedAt)}`,
    `  repositories ${tasksEnded(run)} of ${c.repositories} (${t.failed} failed, ${t.cancelled} cancelled) · records ${c.evaluated} · kept ${c.kept} · ${run.dryRun ? 'would expire' : 'expired'} ${expiredOf(run, c)} · blocked repositories ${c.blockedRepositories}`,
  ];
  const skipped = c.skippedImmutable + c.repushed + c.missing;
  if (skipped > 0)
    lines.push(
      `  left alone at apply time: ${c.skippedImmutable} immutable, ${c.repushed} re-pushed, ${c.missing} missing`,
    );
  if (deletions !== undefined)
    lines.push(
      `  registry deletions so far: ${deletions.deleted} deleted, ${deletions.absent} absent, ${deletions.skipped} skipped, ${deletions.failed} failed (winnow deletions --run ${run.id})`,
    );
  return lines;
}

/** Every task of a run (every page), or only those of `status`. */
export async function tasksOf(server: string, runId: number, status?: string): Promise<TaskJson[]> {
  const tasks: TaskJson[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '1000' });
    if (status !== undefined) query.set('status', status);
    if (cursor !== null) query.set('cursor', cursor);
    const { body } = await callJson<{ repositories: TaskJson[]; nextCursor: string | null }>(
      server,
      `/api/v1/runs/${runId}/repositories?${query.toString()}`,
      {},
      'run repositories',
    );
    tasks.push(...body.repositories);
    cursor = body.nextCursor;
  } while (cursor !== null);
  return tasks;
}

/** The per-repository table of `winnow runs show`. */
export function taskTable(
  run: RunJson,
  tasks: readonly TaskJson[],
  paint: Paint,
  maxWidth: number | undefined,
): string[] {
  const rows = tasks.map((task) => [
    task.repository,
    task.status,
    String(task.counts.evaluated),
    String(task.counts.kept),
    String(expiredOf(run, task.counts)),
    String(task.counts.blocked),
    String(task.counts.skippedImmutable + task.counts.repushed + task.counts.missing),
    task.error === null ? '' : `${task.error.code}: ${task.error.message}`,
  ]);
  const header = [
    'REPOSITORY',
    'STATUS',
    'RECORDS',
    'KEPT',
    run.dryRun ? 'WOULD-EXPIRE' : 'EXPIRED',
    'BLOCKED',
    'LEFT',
    'ERROR',
  ];
  return formatColumns([header, ...rows], { paint, colouredColumn: 1, maxWidth });
}
