import type { PatternSelector, PolicyDocument, Rule } from '../model/policy';
import { compileRegex } from '../text/regex';
import { pythonRegexToRe2 } from './python-regex';
import { policiesOf, type QuayPolicy, readPolicy } from './quay-input';
import {
  assertValidDocument,
  type ImportEntry,
  type ImportResult,
  InputIssues,
  invalidInput,
  scopeIssues,
  sortReport,
} from './report';

/** Where the imported Quay policies apply: a namespace (organization or user), or one repository in it. */
export interface QuayImportOptions {
  readonly namespace: string;
  readonly repository?: string;
}

function describe(policy: QuayPolicy): string {
  const what =
    policy.method === 'number_of_tags'
      ? `number_of_tags ${policy.count}`
      : `creation_date ${policy.age}`;
  const pattern =
    policy.pattern === undefined
      ? ''
      : `, tags ${policy.matches ? 'matching' : 'not matching'} ${JSON.stringify(policy.pattern)}`;
  return `Quay autoprune policy ${policy.uuid ?? `#${policy.index + 1}`}: ${what}${pattern}`;
}

/** The rule of one policy, or undefined when its pattern cannot be carried (reported as dropped). */
function ruleOf(policy: QuayPolicy, report: ImportEntry[]): Rule | undefined {
  let tags: PatternSelector | undefined;
  const notes: string[] = [];
  if (policy.pattern !== undefined) {
    const carried = pythonRegexToRe2(policy.pattern);
    if (!carried.ok) {
      report.push({
        path: `${policy.pointer}/${policy.patternField}`,
        severity: 'dropped',
        message: `${JSON.stringify(policy.pattern)}: ${carried.reason}; the policy is not imported, so Winnow prunes less than Quay`,
      });
      return undefined;
    }
    notes.push(...carried.notes);
    if (compileRegex(carried.source).test(''))
      notes.push(
        `${JSON.stringify(policy.pattern)} matches every tag (a regular expression, not a glob)`,
      );
    tags = policy.matches ? { regex: carried.source } : { regex: carried.source, negate: true };
  }
  const select = tags ? { select: { tags } } : {};
  const name = `quay-${policy.index + 1}-${policy.method.replace(/_/g, '-')}`;
  const description = describe(policy);
  const said = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  if (policy.method === 'creation_date') {
    report.push({
      path: policy.pointer,
      severity: 'exact',
      message: `creation_date ${policy.age}: rule "${name}" deletes ${tags ? 'the selected ' : ''}tags pushed more than ${policy.age} ago${said}`,
    });
    return { name, description, ...select, match: { olderThan: policy.age }, then: 'delete' };
  }
  report.push({
    path: policy.pointer,
    severity: 'exact',
    message: `number_of_tags ${policy.count}: rule "${name}" keeps the ${policy.count} newest ${tags ? 'selected ' : ''}tags by push time and deletes the rest; equal push times (which Quay leaves to the database) order by pull time, then name${said}`,
  });
  return {
    name,
    description,
    ...select,
    match: { newest: policy.count },
    then: 'pass',
    else: 'delete',
  };
}

/**
 * Quay autoprune policies (§6 of the policy language) as one Winnow policy. Quay prunes by
 * creation date first, then by count, each count policy on what is left; deletions add up.
 * The rules follow that order; count rules pass what they keep, so later rules still see it.
 */
export function importQuayPolicies(input: unknown, options: QuayImportOptions): ImportResult {
  const scope = scopeIssues(options.namespace, options.repository);
  if (scope.length > 0)
    throw invalidInput(
      '',
      `invalid scope: ${scope.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`,
    );
  const issues = new InputIssues();
  const report: ImportEntry[] = [];
  const policies = policiesOf(input)
    .map(([raw, pointer], index) => readPolicy(raw, pointer, index, issues, report))
    .filter((p): p is QuayPolicy => p !== undefined);
  issues.fail();
  const ordered = [
    ...policies.filter((p) => p.method === 'creation_date'),
    ...policies.filter((p) => p.method === 'number_of_tags'),
  ];
  if (ordered.some((p, i) => p !== policies[i]))
    report.push({
      path: '',
      severity: 'exact',
      message:
        'creation_date policies come first, as Quay runs them before number_of_tags policies',
    });
  if (policies.length === 0)
    report.push({ path: '', severity: 'exact', message: 'no policies: nothing is pruned' });
  const rules = ordered.map((p) => ruleOf(p, report)).filter((r): r is Rule => r !== undefined);
  const document: PolicyDocument = {
    apiVersion: 'winnow/v1',
    kind: 'RetentionPolicy',
    scope:
      options.repository === undefined
        ? { level: 'namespace', namespace: options.namespace }
        : { level: 'repository', namespace: options.namespace, repository: options.repository },
    rules,
  };
  return { document: assertValidDocument(document), report: sortReport(report) };
}
