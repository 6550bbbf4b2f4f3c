import type { Branch, PolicyDocument, Rule, Select } from '../model/policy';
import { everything, patternOf, readSelector, type Selector } from './harbor-selectors';
import { type Template, TEMPLATES } from './harbor-templates';
import {
  assertValidDocument,
  type ImportEntry,
  type ImportResult,
  InputIssues,
  invalidInput,
  isRecord,
  scopeIssues,
  sortReport,
} from './report';

/** Harbor's project becomes a Winnow namespace; Harbor's API names the project only by id. */
export interface HarborImportOptions {
  readonly namespace: string;
}

const RULE_FIELDS = new Set([
  'id',
  'priority',
  'disabled',
  'action',
  'template',
  'params',
  'tag_selectors',
  'scope_selectors',
]);

/** One enabled retain rule, checked. */
interface RetainRule {
  readonly at: string;
  readonly name: string;
  readonly template: Template;
  readonly n: number;
  readonly tags: Selector;
  readonly repositories: Selector;
}

function reportUnknownFields(
  raw: Record<string, unknown>,
  at: string,
  report: ImportEntry[],
): void {
  for (const key of Object.keys(raw)) {
    if (!RULE_FIELDS.has(key))
      report.push({
        path: `${at}/${key}`,
        severity: 'dropped',
        message: `unknown field "${key}" ignored (not part of Harbor's retention rule)`,
      });
  }
}

/** The template's parameter: `params[template]`, a whole number (none for always and nothing). */
function parameterOf(
  raw: Record<string, unknown>,
  name: string,
  at: string,
  issues: InputIssues,
): number | undefined {
  if (name === 'always' || name === 'nothing') return 0;
  const value = (isRecord(raw.params) ? raw.params : {})[name];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  issues.add(`${at}/params/${name}`, `expected a whole number ≥ 0, got ${JSON.stringify(value)}`);
  return undefined;
}

function readRule(
  raw: Record<string, unknown>,
  at: string,
  issues: InputIssues,
): RetainRule | undefined {
  if (raw.action !== undefined && raw.action !== 'retain') {
    issues.add(
      `${at}/action`,
      `expected "retain" (Harbor's only action), got ${JSON.stringify(raw.action)}`,
    );
    return undefined;
  }
  const name = raw.template;
  const template = typeof name === 'string' ? TEMPLATES[name] : undefined;
  if (typeof name !== 'string' || template === undefined) {
    issues.add(
      `${at}/template`,
      `expected one of ${Object.keys(TEMPLATES).join(', ')}, got ${JSON.stringify(name)}`,
    );
    return undefined;
  }
  const n = parameterOf(raw, name, at, issues);
  const scopeSelectors = isRecord(raw.scope_selectors) ? raw.scope_selectors : undefined;
  if (scopeSelectors === undefined) {
    issues.add(`${at}/scope_selectors`, 'expected {"repository": [selector]}');
    return undefined;
  }
  const repositories = readSelector(
    scopeSelectors.repository,
    `${at}/scope_selectors/repository`,
    ['repoMatches', 'repoExcludes'],
    issues,
  );
  const tags = readSelector(
    raw.tag_selectors,
    `${at}/tag_selectors`,
    ['matches', 'excludes'],
    issues,
  );
  if (n === undefined || !repositories || !tags) return undefined;
  return { at, name, template, n, tags, repositories };
}

/** The rule's branches of the keep rule: none when it retains nothing, two for a split untagged selection. */
function branchesOf(rule: RetainRule, report: ImportEntry[]): Branch[] {
  const { tags, repositories } = rule;
  const match = rule.template.match(rule.n);
  if (match === undefined) return [];
  const base: Select = everything(repositories) ? {} : { repositories: patternOf(repositories) };
  const condition = match === 'all' ? {} : { match };
  if (tags.untagged && everything(tags))
    return [{ select: { ...base, untagged: 'include' }, ...condition }];
  const select = everything(tags) ? base : { ...base, tags: patternOf(tags) };
  const branches: Branch[] = [
    { ...(Object.keys(select).length > 0 ? { select } : {}), ...condition },
  ];
  if (tags.untagged) {
    branches.push({ select: { ...base, untagged: 'only' }, ...condition });
    report.push({
      path: `${rule.at}/tag_selectors/0/extras`,
      severity: 'approximated',
      message: `untagged artifacts are counted apart from the tags ${tags.negate ? 'not ' : ''}matching "${tags.glob}" (Winnow's tag patterns never select untagged manifests), so up to twice as many may be kept`,
    });
  }
  return branches;
}

function describeRule(rule: RetainRule): ImportEntry {
  const { tags, repositories, name, n } = rule;
  const tagWords = everything(tags)
    ? 'every tag'
    : `tags ${tags.negate ? 'not ' : ''}matching "${tags.glob}"`;
  const repoWords = everything(repositories)
    ? 'every repository'
    : `repositories ${repositories.negate ? 'not ' : ''}matching "${repositories.glob}"`;
  const parameter = name === 'always' || name === 'nothing' ? '' : ` ${n}`;
  return {
    path: rule.at,
    severity: rule.template.exact(n) ? 'exact' : 'approximated',
    message: `${name}${parameter} on ${tagWords}${tags.untagged ? ' (and untagged artifacts)' : ''} in ${repoWords}: ${rule.template.says(n)}`,
  };
}

/**
 * A Harbor retention policy (§6 of the policy language): one `anyOf` rule that keeps what any
 * enabled retain rule retains, then a rule that deletes everything else, untagged manifests
 * included, in the repositories those rules cover; repositories no rule covers are untouched.
 */
export function importHarborPolicy(input: unknown, options: HarborImportOptions): ImportResult {
  const scope = scopeIssues(options.namespace, undefined);
  if (scope.length > 0)
    throw invalidInput('', `invalid namespace: ${scope.map((i) => i.message).join('; ')}`);
  if (!isRecord(input) || !Array.isArray(input.rules))
    throw invalidInput(
      '',
      'expected a Harbor retention policy: {algorithm, rules: [...], trigger, scope}',
    );
  const issues = new InputIssues();
  const report: ImportEntry[] = [];
  if (input.algorithm !== undefined && input.algorithm !== 'or')
    issues.add(
      '/algorithm',
      `expected "or" (Harbor's only algorithm), got ${JSON.stringify(input.algorithm)}`,
    );
  if (isRecord(input.scope) && input.scope.level !== undefined && input.scope.level !== 'project')
    issues.add('/scope/level', `expected "project", got ${JSON.stringify(input.scope.level)}`);
  if (input.trigger !== undefined && input.trigger !== null)
    report.push({
      path: '/trigger',
      severity: 'dropped',
      message:
        "the trigger (schedule) is not part of a policy: Winnow's runs have their own schedule",
    });

  const keep: Branch[] = [];
  const covered = new Map<string, Selector>();
  input.rules.forEach((raw: unknown, index) => {
    const at = `/rules/${index}`;
    if (!isRecord(raw)) {
      issues.add(at, 'expected a retention rule object');
      return;
    }
    if (raw.disabled === true) {
      report.push({
        path: at,
        severity: 'exact',
        message: 'disabled rule skipped, as Harbor does',
      });
      return;
    }
    reportUnknownFields(raw, at, report);
    const rule = readRule(raw, at, issues);
    if (!rule) return;
    report.push(describeRule(rule));
    keep.push(...branchesOf(rule, report));
    const r = rule.repositories;
    covered.set(`${r.negate}:${r.glob}`, r);
  });
  issues.fail();

  const rules: Rule[] = [];
  const description = 'Imported from a Harbor retention policy';
  if (keep.length > 0) {
    rules.push(
      keep.length === 1
        ? {
            name: 'harbor-retain',
            description: `${description}: what its rules retain`,
            ...(keep[0] as Branch),
            then: 'keep',
          }
        : {
            name: 'harbor-retain',
            description: `${description}: what any of its rules retains`,
            anyOf: keep,
            then: 'keep',
          },
    );
  }
  const cover = [...covered.values()];
  if (cover.length > 0) {
    const all = cover.some(everything);
    const branches: Branch[] = all
      ? [{ select: { untagged: 'include' } }]
      : cover.map((r) => ({ select: { repositories: patternOf(r), untagged: 'include' } }));
    rules.push({
      name: 'harbor-delete-unretained',
      description: `${description}: Harbor deletes what no rule retains in the repositories its rules cover`,
      ...(branches.length === 1 ? (branches[0] as Branch) : { anyOf: branches }),
      then: 'delete',
    });
  } else {
    report.push({
      path: '/rules',
      severity: 'exact',
      message: 'no enabled rule: nothing is deleted',
    });
  }
  const document: PolicyDocument = {
    apiVersion: 'winnow/v1',
    kind: 'RetentionPolicy',
    scope: { level: 'namespace', namespace: options.namespace },
    rules,
  };
  return { document: assertValidDocument(document), report: sortReport(report) };
}
