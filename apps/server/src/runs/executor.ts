import {
  type ApplyResult,
  type ClaimedTask,
  type Database,
  isDatabaseUnavailable,
  type RepositoryRef,
} from '@winnow/db';
import {
  evaluateInventory,
  type InventoryRepository,
  repositoryPath,
  type TagDecision,
} from '@winnow/engine';
import { type Log, since } from '../log';
import type { Metrics } from '../metrics';
import { type ProxyCacheRun, proxyCacheRun } from '../proxy-cache/run-rules';
import { observeAppliedTask, WORKER_ACTOR } from './reporting';
import { RunPolicies } from './run-policies';
import { TaskErrorCode, taskErrorOf, TaskFailure } from './task-errors';

export interface ExecutorOptions {
  readonly database: Database;
  readonly metrics: Metrics;
  readonly log: Log;
  /** The lease owner: the worker that claimed the tasks. */
  readonly owner: string;
  /** Blast-radius guard (off when undefined). */
  readonly maxDeleteRatio: number | undefined;
  /**
   * Reads a repository's live inventory; `database.repositories.get` unless given (a test reads
   * through it to push a tag while the repository is being evaluated).
   */
  readonly readRepository?: (ref: RepositoryRef) => Promise<InventoryRepository | null>;
}

/** How a task ended: applied, failed with its error recorded, or its lease was lost meanwhile. */
export type TaskEnd = 'applied' | 'failed' | 'lost';

/**
 * Executes one claimed repository task: reads the repository's live inventory, evaluates the
 * run's policies at the run's `now`, and applies the decisions in one transaction (with an audit
 * entry when tags were expired). An error in the repository is recorded on its task (the run goes
 * on); an error recording it (the database is down) is thrown to the worker. Free of Fastify.
 */
/**
 * How long a namespace's proxy-cache state (kind, settings, upstream health) is reused within
 * one run: reading it for every repository would cost a query each on large runs.
 */
const PROXY_CACHE_STATE_MS = 2000;

export class RunExecutor {
  private readonly policies: RunPolicies;
  /** By run and namespace. */
  private readonly proxyCache = new Map<
    string,
    { readonly at: number; readonly run: Promise<ProxyCacheRun | undefined> }
  >();
  private readonly readRepository: (ref: RepositoryRef) => Promise<InventoryRepository | null>;

  constructor(private readonly options: ExecutorOptions) {
    this.policies = new RunPolicies(options.database);
    this.readRepository =
      options.readRepository ?? ((ref) => options.database.repositories.get(ref));
  }

  async execute(task: ClaimedTask): Promise<TaskEnd> {
    const log = this.options.log.child({
      runId: task.runId,
      taskId: task.id,
      namespace: task.repository.namespace,
      repository: repositoryPath(task.repository),
    });
    const start = Date.now();
    // From here on, the lease running out counts towards abandoning the repository: a worker
    // killed with it in hand may have been killed by it. (Thrown if the database is unreachable.)
    if (!(await this.options.database.runs.startTask(task.id, { owner: this.options.owner }))) {
      log.warn({}, 'lease lost before the repository was started; another worker takes it over');
      return 'lost';
    }
    let decisions: readonly TagDecision[];
    let result: ApplyResult;
    try {
      decisions = await this.evaluate(task);
      result = await this.apply(task, decisions);
    } catch (error) {
      // Not the repository's fault: the task stays the worker's, which backs off and retries.
      if (isDatabaseUnavailable(error)) throw error;
      return this.fail(task, error, log);
    }
    if (!result.applied) {
      log.warn({}, 'lease lost before the repository was applied; another worker takes it over');
      return 'lost';
    }
    for (const d of decisions) {
      if (d.decision !== 'delete') continue;
      const { tag, digest, stage, policy, rule, reason } = d;
      log.debug({ tag, digest, stage, policy, rule, reason }, 'tag decided: delete');
    }
    log.debug({ ...result.counts, durationMs: since(start) }, 'repository applied');
    observeAppliedTask(this.options.metrics, task.repository.namespace, decisions, result.counts);
    return 'applied';
  }

  private async evaluate(task: ClaimedTask): Promise<readonly TagDecision[]> {
    const policies = await this.policies.of(task.runId);
    const repository = await this.readRepository(task.repository);
    if (repository === null) {
      throw new TaskFailure(
        TaskErrorCode.repositoryGone,
        `repository ${repositoryPath(task.repository)} was deleted after the run was created`,
      );
    }
    // A proxy-cache namespace adds its cache TTL rule, and guards against an upstream outage.
    const cache = await this.proxyCacheOf(task.runId, task.repository.namespace);
    const report = evaluateInventory(
      { apiVersion: 'winnow/v1', kind: 'Inventory', repositories: [repository] },
      cache === undefined ? policies : cache.policies(policies),
      {
        now: task.run.now,
        ...(this.options.maxDeleteRatio !== undefined && {
          maxDeleteRatio: this.options.maxDeleteRatio,
        }),
      },
    );
    return cache === undefined
      ? report.decisions
      : cache.guard(task.repository, report.decisions, task.run.now);
  }

  private proxyCacheOf(runId: number, namespace: string): Promise<ProxyCacheRun | undefined> {
    const key = `${runId} ${namespace}`;
    const cached = this.proxyCache.get(key);
    if (cached !== undefined && Date.now() - cached.at < PROXY_CACHE_STATE_MS) return cached.run;
    if (this.proxyCache.size > 1000) this.proxyCache.clear();
    const run = proxyCacheRun(this.options.database, namespace);
    // A failed read is not kept: the next repository asks again.
    run.catch(() => this.proxyCache.delete(key));
    this.proxyCache.set(key, { at: Date.now(), run });
    return run;
  }

  private apply(task: ClaimedTask, decisions: readonly TagDecision[]): Promise<ApplyResult> {
    const { owner } = this.options;
    return this.options.database.transaction(async (stores) => {
      const result = await stores.runs.applyTask(task.id, { owner, decisions });
      if (result.applied && result.counts.expired > 0) {
        await stores.audit.record({
          actor: WORKER_ACTOR,
          action: 'tags.expire',
          target: `repository:${repositoryPath(task.repository)}`,
          details: { run: task.runId, ...result.counts },
        });
      }
      return result;
    });
  }

  private async fail(task: ClaimedTask, cause: unknown, log: Log): Promise<TaskEnd> {
    const { error, known } = taskErrorOf(cause, task.id);
    if (known) log.warn({ code: error.code, reason: error.message }, 'repository failed');
    else log.error({ code: error.code, err: cause }, 'repository failed');
    // Throws when the database cannot record it either: the worker's cycle fails and retries.
    const recorded = await this.options.database.runs.failTask(task.id, {
      owner: this.options.owner,
      error,
    });
    if (!recorded) return 'lost';
    this.options.metrics.errors.inc({ kind: 'task' });
    return 'failed';
  }
}
