/** The policy language, v1 (`spec/policy-language.md`), as parsed documents. */
export type ScopeLevel = 'server' | 'namespace' | 'repository';
export type Action = 'keep' | 'delete' | 'pass';
export type OrderKey = 'pushed' | 'pulled' | 'active' | 'semver' | 'natural';
export type UntaggedMode = 'exclude' | 'include' | 'only';

export interface Scope {
  readonly level: ScopeLevel;
  readonly namespace?: string;
  readonly repository?: string;
}

export interface PatternSelector {
  readonly regex?: string;
  readonly glob?: string | readonly string[];
  readonly negate?: boolean;
}

export interface LabelSet {
  readonly all?: readonly string[];
  readonly any?: readonly string[];
  readonly none?: readonly string[];
}

export interface Select {
  readonly tags?: PatternSelector;
  readonly repositories?: PatternSelector;
  readonly labels?: LabelSet;
  readonly untagged?: UntaggedMode;
}

/** `match`: exactly one condition key, plus an optional `by`. */
export type Match = { readonly by?: OrderKey } & Readonly<Record<string, unknown>>;

export interface Branch {
  readonly select?: Select;
  readonly match?: Match;
}

export interface Rule extends Branch {
  readonly name: string;
  readonly description?: string;
  readonly disabled?: boolean;
  readonly anyOf?: readonly Branch[];
  readonly then: Action;
  readonly else?: Action;
}

export interface PolicyDocument {
  readonly apiVersion: 'winnow/v1';
  readonly kind: 'RetentionPolicy';
  readonly scope: Scope;
  readonly guards?: readonly Rule[];
  readonly rules?: readonly Rule[];
}

/** How decision records name a policy: `server`, `<namespace>` or `<namespace>/<repository>`. */
export function policyLabel(scope: Scope): string {
  switch (scope.level) {
    case 'server':
      return 'server';
    case 'namespace':
      return scope.namespace ?? '';
    case 'repository':
      return `${scope.namespace ?? ''}/${scope.repository ?? ''}`;
  }
}
