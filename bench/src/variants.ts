import {
  type CompiledPolicies,
  evaluateInventory,
  evaluateRepositories,
  type Inventory,
  type RepositoryEvaluation,
  type RepositoryInput,
} from '@winnow/engine';
import type { PlainEvaluator } from './plain-loop';

/**
 * The measured variants. Each returns the number of decision records it produced, so a run
 * cannot be optimised away and the throughput is counted in records, not in repositories.
 */
export type VariantName = 'plain-loop' | 'engine-stream' | 'engine-inventory';

/** Called after each repository, for memory sampling; left out of timed runs. */
export type Probe = () => void;

export function runPlain(
  inputs: readonly RepositoryInput[],
  evaluate: PlainEvaluator,
  probe?: Probe,
): number {
  let decisions = 0;
  for (const input of inputs) {
    decisions += evaluate(input.repository).decisions.length;
    probe?.();
  }
  return decisions;
}

/**
 * The engine's streaming entry point: each repository's evaluation is consumed and dropped, as
 * a caller writing decisions out would. The observable is synchronous; errors are rethrown.
 */
export function runEngineStream(
  inputs: readonly RepositoryInput[],
  policies: CompiledPolicies,
  now: Date,
  probe?: Probe,
): number {
  let decisions = 0;
  const failures: unknown[] = [];
  evaluateRepositories(inputs, policies, { now }).subscribe({
    next: (evaluation: RepositoryEvaluation) => {
      decisions += evaluation.decisions.length;
      probe?.();
    },
    error: (error: unknown) => failures.push(error),
  });
  const [failure] = failures;
  if (failures.length > 0) {
    throw failure instanceof Error ? failure : new Error('stream failed', { cause: failure });
  }
  return decisions;
}

/** `evaluateInventory`: every decision retained once, in the report it returns. */
export function runEngineInventory(
  inventory: Inventory,
  policies: CompiledPolicies,
  now: Date,
  probe?: Probe,
): number {
  return evaluateInventory(inventory, policies, { now }, probe).decisions.length;
}
