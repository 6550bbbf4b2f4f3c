import type { ScopeLevel } from './policy';

export type Decision = 'keep' | 'delete';
export type Stage =
  'immutable' | 'accessory' | 'guard' | 'rule' | 'default' | 'reconcile' | 'safety';

/** One decision record (§5): field order is part of the output contract. */
export interface TagDecision {
  readonly repository: string;
  readonly tag: string | null;
  readonly digest: string;
  readonly decision: Decision;
  readonly stage: Stage;
  readonly scope: ScopeLevel | null;
  readonly policy: string | null;
  readonly rule: string | null;
  readonly reason: string;
}

export interface DecisionCounts {
  tags: number;
  keep: number;
  delete: number;
}

/** The outcome for one repository, in output order. */
export interface RepositoryEvaluation {
  readonly repository: string;
  readonly decisions: readonly TagDecision[];
  readonly counts: Readonly<DecisionCounts>;
  /** Set when the blast-radius guard stopped every deletion in this repository. */
  readonly blocked: boolean;
}
