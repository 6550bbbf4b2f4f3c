import type { Condition } from '../kinds/kind';
import { compileLabelSet } from '../kinds/labels';
import { compilePattern, type PatternMatcher } from '../kinds/pattern';
import { conditionKind } from '../kinds/registry';
import type {
  Action,
  Branch,
  PolicyDocument,
  Rule,
  ScopeLevel,
  UntaggedMode,
} from '../model/policy';
import { policyLabel } from '../model/policy';
import type { Candidate } from '../pipeline/candidate';

export interface CompiledBranch {
  /** Tested against the name inside the namespace (namespace scope) or the full path (server scope). */
  readonly repositories: PatternMatcher | undefined;
  readonly selects: (candidate: Candidate) => boolean;
  readonly condition: Condition | undefined;
  /** What the branch selects, for reasons: `tags glob "v*" and labels all of [prod]`. */
  readonly selection: string;
}

export interface CompiledRule {
  readonly name: string;
  readonly scope: ScopeLevel;
  readonly policy: string;
  readonly stage: 'guard' | 'rule';
  readonly then: Action;
  readonly else: Action;
  readonly union: boolean;
  readonly branches: readonly CompiledBranch[];
}

/** Every policy compiled once, ready for any repository. */
export interface CompiledPolicies {
  readonly guards: readonly CompiledRule[];
  readonly server: readonly CompiledRule[];
  /** By namespace. */
  readonly namespaces: ReadonlyMap<string, readonly CompiledRule[]>;
  /** By `namespace/repository`. */
  readonly repositories: ReadonlyMap<string, readonly CompiledRule[]>;
}

function compileBranch(branch: Branch): CompiledBranch {
  const select = branch.select ?? {};
  const tags = select.tags ? compilePattern(select.tags) : undefined;
  const labels = select.labels ? compileLabelSet(select.labels) : undefined;
  const untagged: UntaggedMode = select.untagged ?? 'exclude';
  const repositories = select.repositories ? compilePattern(select.repositories) : undefined;
  const conditionKey = branch.match ? Object.keys(branch.match).find((k) => k !== 'by') : undefined;
  const kind = conditionKey === undefined ? undefined : conditionKind(conditionKey);
  const condition =
    kind && conditionKey !== undefined && branch.match
      ? kind.compile(branch.match[conditionKey], branch.match.by ?? kind.defaultBy)
      : undefined;
  const parts: string[] = [];
  if (repositories) parts.push(`repositories ${repositories.description}`);
  if (tags) parts.push(`tags ${tags.description}`);
  if (labels) parts.push(labels.description);
  if (untagged === 'only') parts.push('untagged manifests only');
  else if (untagged === 'include') parts.push('untagged manifests included');
  return {
    repositories,
    condition,
    selection: parts.length > 0 ? parts.join(' and ') : 'every tag',
    selects: (c) => {
      if (c.tag === null) {
        if (untagged === 'exclude' || tags) return false;
      } else {
        if (untagged === 'only') return false;
        if (tags && !tags.test(c.tag)) return false;
      }
      return !labels || labels.test(c.labels);
    },
  };
}

function compileRules(
  policy: PolicyDocument,
  rules: readonly Rule[] | undefined,
  stage: 'guard' | 'rule',
): CompiledRule[] {
  return (rules ?? [])
    .filter((rule) => rule.disabled !== true)
    .map((rule) => ({
      name: rule.name,
      scope: policy.scope.level,
      policy: policyLabel(policy.scope),
      stage,
      then: rule.then,
      else: rule.else ?? 'pass',
      union: rule.anyOf !== undefined,
      branches: (rule.anyOf ?? [rule]).map(compileBranch),
    }));
}

/** Compiles validated documents (at most one per scope) into the chain's parts. */
export function compilePolicies(policies: readonly PolicyDocument[]): CompiledPolicies {
  let guards: CompiledRule[] = [];
  let server: CompiledRule[] = [];
  const namespaces = new Map<string, CompiledRule[]>();
  const repositories = new Map<string, CompiledRule[]>();
  for (const policy of policies) {
    const rules = compileRules(policy, policy.rules, 'rule');
    switch (policy.scope.level) {
      case 'server':
        guards = compileRules(policy, policy.guards, 'guard');
        server = rules;
        break;
      case 'namespace':
        namespaces.set(policyLabel(policy.scope), rules);
        break;
      case 'repository':
        repositories.set(policyLabel(policy.scope), rules);
        break;
    }
  }
  return { guards, server, namespaces, repositories };
}
