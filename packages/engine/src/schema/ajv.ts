import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import type { ValidationIssue } from '../errors';
import type { JsonSchema } from '../kinds/kind';

/** `x-expected` is our annotation: how to say what a schema expects when it is not met. */
const EXPECTED = 'x-expected';

export function compileSchema(schema: JsonSchema): ValidateFunction {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    allowUnionTypes: true,
  });
  ajv.addKeyword({ keyword: EXPECTED, schemaType: 'string' });
  return ajv.compile(schema);
}

type Schema = Record<string, unknown> | boolean | undefined;

function expectedOf(schema: Schema): string | undefined {
  if (typeof schema !== 'object') return undefined;
  const value = schema[EXPECTED];
  return typeof value === 'string' ? value : undefined;
}

function describeSchema(schema: Schema): string | undefined {
  if (typeof schema !== 'object') return undefined;
  const expected = expectedOf(schema);
  if (expected) return expected;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(String).join(', ')}`;
  if ('const' in schema) return JSON.stringify(schema.const);
  if (typeof schema.type === 'string') return `${article(schema.type)} ${schema.type}`;
  return undefined;
}

const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');

function issueOf(error: ErrorObject): ValidationIssue | undefined {
  const at = error.instancePath;
  const parent = error.parentSchema as Schema;
  const params = error.params as Record<string, unknown>;
  const expected = expectedOf(parent);
  switch (error.keyword) {
    case 'required': {
      const field = String(params.missingProperty);
      const properties =
        typeof parent === 'object'
          ? (parent.properties as Record<string, Schema> | undefined)
          : undefined;
      const what = describeSchema(properties?.[field]);
      return {
        pointer: `${at}/${field}`,
        message: `is required${what ? `: expected ${what}` : ''}`,
      };
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known =
        typeof parent === 'object' && parent.properties ? Object.keys(parent.properties) : [];
      return {
        pointer: `${at}/${field}`,
        message: `unknown field; expected one of ${known.join(', ')}`,
      };
    }
    case 'if':
      return undefined;
    case 'not':
    case 'false schema':
      return {
        pointer: at,
        message: `is not allowed here${expected ? `: expected ${expected}` : ''}`,
      };
    case 'oneOf':
    case 'anyOf':
      return {
        pointer: at,
        message: `expected ${expected ?? 'a value matching one of the allowed forms'}`,
      };
    case 'type':
      return {
        pointer: at,
        message: `expected ${expected ?? `${article(String(params.type))} ${String(params.type)}`}`,
      };
    case 'enum':
      return {
        pointer: at,
        message: `expected ${expected ?? `one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`}`,
      };
    case 'const':
      return {
        pointer: at,
        message: `expected ${expected ?? JSON.stringify(params.allowedValue)}`,
      };
    case 'pattern':
      return {
        pointer: at,
        message: `expected ${expected ?? `a string matching ${String(params.pattern)}`}`,
      };
    // Ajv's own wording ("must NOT have fewer than 1 items") does not read after "expected".
    case 'minItems':
      return {
        pointer: at,
        message: `expected ${expected ?? `at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`}`,
      };
    case 'minProperties': {
      const known =
        typeof parent === 'object' && parent.properties ? Object.keys(parent.properties) : [];
      return {
        pointer: at,
        message: `expected ${expected ?? `at least ${String(params.limit)} of ${known.join(', ')}`}`,
      };
    }
    case 'minLength':
      return {
        pointer: at,
        message: `expected ${expected ?? (params.limit === 1 ? 'a non-empty string' : `at least ${String(params.limit)} characters`)}`,
      };
    case 'minimum':
      return {
        pointer: at,
        message: `expected ${expected ?? `a number ≥ ${String(params.limit)}`}`,
      };
    case 'maximum':
      return {
        pointer: at,
        message: `expected ${expected ?? `a number ≤ ${String(params.limit)}`}`,
      };
    case 'exclusiveMinimum':
      return {
        pointer: at,
        message: `expected ${expected ?? `a number > ${String(params.limit)}`}`,
      };
    case 'exclusiveMaximum':
      return {
        pointer: at,
        message: `expected ${expected ?? `a number < ${String(params.limit)}`}`,
      };
    case 'maxItems':
      return {
        pointer: at,
        message: `expected ${expected ?? `at most ${String(params.limit)} items`}`,
      };
    case 'maxLength':
      return {
        pointer: at,
        message: `expected ${expected ?? `at most ${String(params.limit)} characters`}`,
      };
    case 'uniqueItems':
      return {
        pointer: at,
        message: `expected no duplicates: items ${String(params.i)} and ${String(params.j)} are equal`,
      };
    default:
      return { pointer: at, message: `expected ${expected ?? error.message ?? 'a valid value'}` };
  }
}

/**
 * Turns Ajv's errors into one issue per problem: errors under a failed oneOf/not are folded into
 * it (its `x-expected` says what was meant), duplicates are dropped.
 */
export function issuesFromAjv(
  errors: readonly ErrorObject[] | null | undefined,
): ValidationIssue[] {
  if (!errors) return [];
  const folded = errors.filter(
    (e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && expectedOf(e.parentSchema as Schema),
  );
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const inside = folded.some(
      (f) =>
        f !== error &&
        error.schemaPath.startsWith(`${f.schemaPath}/`) &&
        error.instancePath.startsWith(f.instancePath),
    );
    if (inside) continue;
    const issue = issueOf(error);
    if (!issue) continue;
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}
