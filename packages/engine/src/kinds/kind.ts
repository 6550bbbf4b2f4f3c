import type { ValidationIssue } from '../errors';
import type { OrderKey, ScopeLevel } from '../model/policy';
import type { Candidate } from '../pipeline/candidate';

export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * What a condition says about the selected candidates, by position: whether each is a hit, and
 * a reason for a person, made only for the candidates a rule decides (most passes need none).
 */
export interface Verdicts {
  readonly hits: Uint8Array;
  reason(index: number): string;
}

/** A compiled condition: verdicts aligned with `selected`. */
export interface Condition {
  evaluate(selected: readonly Candidate[], now: number): Verdicts;
}

/** A condition kind of `match`: its key, parameter schema and factory. */
export interface ConditionKind<P = unknown> {
  readonly key: string;
  readonly summary: string;
  readonly parameters: JsonSchema;
  /** A whole `match` object using this condition. */
  readonly example: Readonly<Record<string, unknown>>;
  /** The `by` keys this condition accepts; empty when `by` has no meaning for it. */
  readonly byKeys: readonly OrderKey[];
  readonly defaultBy: OrderKey;
  /** Checks the schema cannot express; `pointer` is the condition's own pointer. */
  check?(parameters: P, pointer: string): ValidationIssue[];
  compile(parameters: P, by: OrderKey): Condition;
}

/** A selector kind of `select`. */
export interface SelectorKind {
  readonly key: string;
  readonly summary: string;
  readonly parameters: JsonSchema;
  readonly example: unknown;
  /** Scope levels at which the selector may appear. */
  readonly levels: readonly ScopeLevel[];
  check?(parameters: unknown, pointer: string): ValidationIssue[];
}
