import { from, map, type Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { DecisionCounts, RepositoryEvaluation, TagDecision } from '../model/decision';
import { type Inventory, type InventoryRepository, repositoryPath } from '../model/inventory';
import type { CompiledPolicies } from '../policy/compile';
import { compareCodePoints } from '../text/compare';
import { accessoryStage } from './operators/accessories';
import { chainStage } from './operators/chain';
import { defaultStage } from './operators/default';
import { immutableStage } from './operators/immutable';
import { reconcileStage } from './operators/reconcile';
import { ruleChain } from './operators/rule';
import { safetyStage } from './operators/safety';
import { createState, type RepositoryState } from './state';

export interface EvaluationOptions {
  /** The evaluation's only clock. */
  readonly now: Date;
  /** Blast-radius guard: the largest share of a repository's tags that may be deleted. Off when absent. */
  readonly maxDeleteRatio?: number;
}

export interface RepositoryInput {
  readonly repository: InventoryRepository;
  /** JSON pointer of the repository in its source, for error messages. */
  readonly pointer: string;
}

function toEvaluation(state: RepositoryState): RepositoryEvaluation {
  const decisions: TagDecision[] = [];
  const counts: DecisionCounts = { tags: 0, keep: 0, delete: 0 };
  for (const candidate of state.ordered) {
    const record = state.decisions[candidate.id];
    if (!record) continue;
    decisions.push(record);
    if (record.tag !== null) counts.tags++;
    counts[record.decision]++;
  }
  return { repository: state.path, decisions, counts, blocked: state.blocked };
}

/**
 * The evaluation pipeline of §4, one repository at a time: immutable → accessories → guards →
 * chain (repository → namespace → server) → default → reconcile → safety.
 */
export function evaluatePipeline(
  policies: CompiledPolicies,
  options: EvaluationOptions,
): OperatorFunction<RepositoryInput, RepositoryEvaluation> {
  const now = options.now.getTime();
  return (source) =>
    source.pipe(
      map((input) => createState(input.repository, input.pointer, now)),
      immutableStage(),
      accessoryStage(),
      ruleChain(policies.guards),
      chainStage(policies),
      defaultStage(),
      reconcileStage(),
      safetyStage(options.maxDeleteRatio),
      map(toEvaluation),
    );
}

export function evaluateRepositories(
  repositories: ObservableInput<RepositoryInput>,
  policies: CompiledPolicies,
  options: EvaluationOptions,
): Observable<RepositoryEvaluation> {
  return from(repositories).pipe(evaluatePipeline(policies, options));
}

export interface EvaluationSummary {
  repositories: number;
  tags: number;
  keep: number;
  delete: number;
}

/** The `winnow evaluate --format json` object. */
export interface EvaluationReport {
  readonly now: string;
  readonly summary: EvaluationSummary;
  readonly decisions: readonly TagDecision[];
}

/**
 * The order of repositories in every evaluation's output: by path (`namespace/name`), code point
 * by code point, never a locale's collation. Repositories streamed into `evaluateRepositories` in
 * this order give the records of `evaluateInventory`, in its order.
 */
export function compareRepositoryPaths(a: string, b: string): number {
  return compareCodePoints(a, b);
}

/** Repositories in output order (by path), each with its pointer in the inventory. */
export function inputsInOrder(inventory: Inventory): RepositoryInput[] {
  return inventory.repositories
    .map((repository, index) => ({
      repository,
      pointer: `/repositories/${index}`,
      path: repositoryPath(repository),
    }))
    .sort((a, b) => compareRepositoryPaths(a.path, b.path))
    .map(({ repository, pointer }) => ({ repository, pointer }));
}

/**
 * Evaluates a whole inventory synchronously, visiting each repository once; `onRepository`
 * sees every repository's result as it is produced.
 */
export function evaluateInventory(
  inventory: Inventory,
  policies: CompiledPolicies,
  options: EvaluationOptions,
  onRepository?: (evaluation: RepositoryEvaluation) => void,
): EvaluationReport {
  const summary: EvaluationSummary = {
    repositories: inventory.repositories.length,
    tags: 0,
    keep: 0,
    delete: 0,
  };
  const decisions: TagDecision[] = [];
  let failure: unknown;
  evaluateRepositories(inputsInOrder(inventory), policies, options).subscribe({
    next: (evaluation) => {
      summary.tags += evaluation.counts.tags;
      summary.keep += evaluation.counts.keep;
      summary.delete += evaluation.counts.delete;
      for (const record of evaluation.decisions) decisions.push(record);
      onRepository?.(evaluation);
    },
    error: (error: unknown) => {
      failure = error;
    },
  });
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the pipeline raised, as raised
  if (failure !== undefined) throw failure;
  return { now: options.now.toISOString(), summary, decisions };
}
