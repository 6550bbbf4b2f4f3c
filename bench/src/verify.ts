import {
  type CompiledPolicies,
  evaluateRepositories,
  type RepositoryEvaluation,
  type RepositoryInput,
  type TagDecision,
  validateInventory,
} from '@winnow/engine';
import type { PlainEvaluator } from './plain-loop';

export interface Agreement {
  readonly repositories: number;
  readonly decisions: number;
  /** Records equal in every field (reasons included), not only in keep/delete. */
  readonly identicalRecords: number;
}

const FIELDS: readonly (keyof TagDecision)[] = [
  'repository',
  'tag',
  'digest',
  'decision',
  'stage',
  'scope',
  'policy',
  'rule',
  'reason',
];

const show = (r: TagDecision | undefined): string => JSON.stringify(r ?? null);

function engineEvaluations(
  inputs: readonly RepositoryInput[],
  policies: CompiledPolicies,
  now: Date,
): RepositoryEvaluation[] {
  const evaluations: RepositoryEvaluation[] = [];
  evaluateRepositories(inputs, policies, { now }).subscribe({
    next: (evaluation) => evaluations.push(evaluation),
    error: (error: unknown) => {
      throw error;
    },
  });
  return evaluations;
}

/**
 * The floor only means something if it decides what the engine decides: on the sample, every
 * tag must get the same keep/delete from both (else the benchmark stops), and the sample must
 * be a valid inventory. Records that differ in any other field are counted and reported.
 */
export function verifyAgreement(
  sample: readonly RepositoryInput[],
  policies: CompiledPolicies,
  plain: PlainEvaluator,
  now: Date,
): Agreement {
  validateInventory({
    apiVersion: 'winnow/v1',
    kind: 'Inventory',
    repositories: sample.map((input) => input.repository),
  });
  const engine = engineEvaluations(sample, policies, now);
  if (engine.length !== sample.length) {
    throw new Error(`engine produced ${engine.length} evaluations for ${sample.length} inputs`);
  }
  let decisions = 0;
  let identicalRecords = 0;
  let firstDifference: string | undefined;
  sample.forEach((input, index) => {
    const ours = plain(input.repository);
    const theirs = engine[index] as RepositoryEvaluation;
    if (
      ours.repository !== theirs.repository ||
      ours.decisions.length !== theirs.decisions.length
    ) {
      throw new Error(
        `disagreement on ${ours.repository}: plain loop has ${ours.decisions.length} records, engine has ${theirs.decisions.length} for ${theirs.repository}`,
      );
    }
    ours.decisions.forEach((a, i) => {
      const b = theirs.decisions[i];
      if (a.tag !== b?.tag || a.decision !== b.decision) {
        throw new Error(
          `disagreement on ${ours.repository}:\n  plain loop: ${show(a)}\n  engine:     ${show(b)}`,
        );
      }
      decisions++;
      if (FIELDS.every((field) => a[field] === b[field])) identicalRecords++;
      else firstDifference ??= `plain loop: ${show(a)}\n  engine:     ${show(b)}`;
    });
  });
  if (firstDifference !== undefined) {
    console.warn(
      `records agree on keep/delete but differ in other fields, e.g.\n  ${firstDifference}`,
    );
  }
  return { repositories: sample.length, decisions, identicalRecords };
}
