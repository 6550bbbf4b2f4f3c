import type { PatternSelector, PolicyDocument, Rule } from '../model/policy';
import { compileRegex } from '../text/regex';
import { pythonRegexToRe2 } from './python-regex';
import {
  assertValidDocument,
  type ImportEntry,
  type ImportResult,
  InputIssues,
  invalidInput,
  isRecord,
  scopeIssues,
} from './report';

/** Where the imported Quay policies apply: a namespace (organization or user), or one repository in it. */
export interface QuayImportOptions {
  readonly namespace: string;
  readonly repository?: string;
}

const METHODS = ['number_of_tags', 'creation_date'] as const;
type Method = (typeof METHODS)[number];
const KNOWN_FIELDS = new Set([
  'uuid',
  'method',
  'value',
  'tagPattern',
  'tagPatternMatches',
  'tag_pattern',
  'tag_pattern_matches',
]);
/** Quay's `convert_to_timedelta` units: s, m (minutes), h, d, w. */
const QUAY_AGE = /^([0-9]+)([smhdw])$/;

interface QuayPolicy {
  readonly pointer: string;
  readonly index: number;
  readonly uuid: string | undefined;
  readonly method: Method;
  readonly count: number;
  readonly age: string;
  readonly pattern: string | undefined;
  readonly patternField: string;
  readonly matches: boolean;
}

/** A single policy, a list, or Quay's `{policies: [...]}` list answer, each with its pointer. */
function policiesOf(input: unknown): [unknown, string][] {
  if (Array.isArray(input)) return input.map((p, i) => [p, `/${i}`]);
  if (isRecord(input) && Array.isArray(input.policies))
    return input.policies.map((p: unknown, i) => [p, `/policies/${i}`]);
  if (isRecord(input) && 'method' in input) return [[input, '']];
  throw invalidInput(
    '',
    'expected a Quay autoprune policy ({method, value, ...}), a list of them, or the API answer {policies: [...]}',
  );
}

function readPolicy(
  raw: unknown,
  pointer: string,
  index: number,
  issues: InputIssues,
  report: ImportEntry[],
): QuayPolicy | undefined {
  if (!isRecord(raw)) {
    issues.add(pointer, 'expected a Quay autoprune policy object');
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key))
      report.push({
        path: `${pointer}/${key}`,
        severity: 'dropped',
        message: `unknown field "${key}" ignored (not part of Quay's autoprune policy)`,
      });
  }
  const method = raw.method;
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    issues.add(
      `${pointer}/method`,
      `expected number_of_tags or creation_date, got ${JSON.stringify(method)}`,
    );
    return undefined;
  }
  let count = 0;
  let age = '';
  const value = raw.value;
  if (method === 'number_of_tags') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      issues.add(
        `${pointer}/value`,
        `expected a whole number of tags ≥ 1, got ${JSON.stringify(value)}`,
      );
      return undefined;
    }
    count = value;
  } else {
    const match = typeof value === 'string' ? QUAY_AGE.exec(value) : null;
    const amount = Number(match?.[1] ?? 0);
    if (!match || amount < 1 || !Number.isSafeInteger(amount)) {
      issues.add(
        `${pointer}/value`,
        `expected a positive age with a unit s, m (minutes), h, d or w, e.g. 2w or 30d, got ${JSON.stringify(value)}`,
      );
      return undefined;
    }
    age = `${amount}${match[2] ?? ''}`;
  }
  const camel = 'tagPattern' in raw || 'tagPatternMatches' in raw;
  const snake = 'tag_pattern' in raw || 'tag_pattern_matches' in raw;
  if (camel && snake) {
    issues.add(
      pointer,
      'expected either tagPattern/tagPatternMatches or tag_pattern/tag_pattern_matches, not both',
    );
    return undefined;
  }
  const patternField = snake ? 'tag_pattern' : 'tagPattern';
  const matchesField = snake ? 'tag_pattern_matches' : 'tagPatternMatches';
  const pattern = raw[patternField];
  const matches = raw[matchesField];
  if (pattern !== undefined && pattern !== null && typeof pattern !== 'string') {
    issues.add(
      `${pointer}/${patternField}`,
      `expected a regular expression string or null, got ${JSON.stringify(pattern)}`,
    );
    return undefined;
  }
  if (matches !== undefined && matches !== null && typeof matches !== 'boolean') {
    issues.add(
      `${pointer}/${matchesField}`,
      `expected true, false or null, got ${JSON.stringify(matches)}`,
    );
    return undefined;
  }
  const uuid = typeof raw.uuid === 'string' ? raw.uuid : undefined;
  return {
    pointer,
    index,
    uuid,
    method: method as Method,
    count,
    age,
    pattern: typeof pattern === 'string' && pattern !== '' ? pattern : undefined,
    patternField,
    matches: matches !== false, // Quay's API defaults tagPatternMatches to true
  };
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

/** Report entries in source order (by pointer, numerically), so the table reads like the input. */
export function sortReport(report: readonly ImportEntry[]): ImportEntry[] {
  const key = (path: string): (string | number)[] =>
    path.split('/').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return [...report].sort((a, b) => {
    const x = key(a.path);
    const y = key(b.path);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const p = x[i] as string | number;
      const q = y[i] as string | number;
      if (p === q) continue;
      if (typeof p === 'number' && typeof q === 'number') return p - q;
      return String(p) < String(q) ? -1 : 1;
    }
    return x.length - y.length;
  });
}
