import { type ImportEntry, InputIssues, invalidInput, isRecord } from './report';

const METHODS = ['number_of_tags', 'creation_date'] as const;
export type Method = (typeof METHODS)[number];
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

export interface QuayPolicy {
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
export function policiesOf(input: unknown): [unknown, string][] {
  if (Array.isArray(input)) return input.map((p, i) => [p, `/${i}`]);
  if (isRecord(input) && Array.isArray(input.policies))
    return input.policies.map((p: unknown, i) => [p, `/policies/${i}`]);
  if (isRecord(input) && 'method' in input) return [[input, '']];
  throw invalidInput(
    '',
    'expected a Quay autoprune policy ({method, value, ...}), a list of them, or the API answer {policies: [...]}',
  );
}

function reportUnknownFields(
  raw: Record<string, unknown>,
  pointer: string,
  report: ImportEntry[],
): void {
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key))
      report.push({
        path: `${pointer}/${key}`,
        severity: 'dropped',
        message: `unknown field "${key}" ignored (not part of Quay's autoprune policy)`,
      });
  }
}

/** `value`: a whole number of tags, or an age in Quay's units (leading zeros dropped). */
function readValue(
  method: Method,
  value: unknown,
  at: string,
  issues: InputIssues,
): number | string | undefined {
  if (method === 'number_of_tags') {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
    issues.add(at, `expected a whole number of tags ≥ 1, got ${JSON.stringify(value)}`);
    return undefined;
  }
  const match = typeof value === 'string' ? QUAY_AGE.exec(value) : null;
  const amount = Number(match?.[1] ?? 0);
  if (match && amount >= 1 && Number.isSafeInteger(amount)) return `${amount}${match[2] ?? ''}`;
  issues.add(
    at,
    `expected a positive age with a unit s, m (minutes), h, d or w, e.g. 2w or 30d, got ${JSON.stringify(value)}`,
  );
  return undefined;
}

interface TagPattern {
  readonly pattern: string | undefined;
  readonly patternField: string;
  readonly matches: boolean;
}

/** `tagPattern`/`tagPatternMatches` (or the stored snake_case spelling); matches defaults to true, as in Quay's API. */
function readTagPattern(
  raw: Record<string, unknown>,
  pointer: string,
  issues: InputIssues,
  report: ImportEntry[],
): TagPattern | undefined {
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
  const given = typeof pattern === 'string' && pattern !== '' ? pattern : undefined;
  if (typeof matches === 'boolean' && given === undefined)
    report.push({
      path: `${pointer}/${matchesField}`,
      severity: 'exact',
      message: `${matchesField} has no effect without ${patternField}, in Quay as in Winnow`,
    });
  return { pattern: given, patternField, matches: matches !== false };
}

export function readPolicy(
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
  reportUnknownFields(raw, pointer, report);
  const method = raw.method;
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    issues.add(
      `${pointer}/method`,
      `expected number_of_tags or creation_date, got ${JSON.stringify(method)}`,
    );
    return undefined;
  }
  const value = readValue(method as Method, raw.value, `${pointer}/value`, issues);
  const tagPattern = readTagPattern(raw, pointer, issues, report);
  if (value === undefined || tagPattern === undefined) return undefined;
  return {
    pointer,
    index,
    uuid: typeof raw.uuid === 'string' ? raw.uuid : undefined,
    method: method as Method,
    count: typeof value === 'number' ? value : 0,
    age: typeof value === 'string' ? value : '',
    ...tagPattern,
  };
}
