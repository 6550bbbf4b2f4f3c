import type { ValidationIssue } from '../errors';
import type { PatternSelector } from '../model/policy';
import { GlobSyntaxError, globToRegexSource } from '../text/glob';
import { compileRegex, regexError } from '../text/regex';
import type { JsonSchema } from './kind';

/** `{ regex }` or `{ glob }` (one or a list), with optional `negate`. */
export const patternSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    regex: {
      type: 'string',
      minLength: 1,
      description: 'RE2 syntax, unanchored unless the pattern anchors itself.',
    },
    glob: {
      description: 'Doublestar glob, or a list of globs (any may match).',
      oneOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      ],
      'x-expected': 'a glob string or a non-empty list of glob strings',
    },
    negate: { type: 'boolean', description: 'Select what does NOT match.' },
  },
  oneOf: [{ required: ['regex'] }, { required: ['glob'] }],
  'x-expected': 'exactly one of regex or glob',
};

export function checkPattern(pattern: PatternSelector, pointer: string): ValidationIssue[] {
  if (pattern.regex !== undefined) {
    const error = regexError(pattern.regex);
    return error === undefined
      ? []
      : [{ pointer: `${pointer}/regex`, message: `expected an RE2 regular expression: ${error}` }];
  }
  const globs = typeof pattern.glob === 'string' ? [pattern.glob] : (pattern.glob ?? []);
  const issues: ValidationIssue[] = [];
  globs.forEach((glob, index) => {
    try {
      globToRegexSource(glob);
    } catch (error) {
      if (!(error instanceof GlobSyntaxError)) throw error;
      const at = typeof pattern.glob === 'string' ? `${pointer}/glob` : `${pointer}/glob/${index}`;
      issues.push({ pointer: at, message: `expected a glob: ${error.message}` });
    }
  });
  return issues;
}

export interface PatternMatcher {
  test(name: string): boolean;
  readonly description: string;
}

type Test = (name: string) => boolean;

const GLOB_SPECIAL = /[*?[\]{}\\]/;

/** Exact tests for the common glob shapes (`latest`, `v*`, `*-rc`); undefined for the rest. */
function literalGlob(glob: string): Test | undefined {
  if (!GLOB_SPECIAL.test(glob)) return (name) => name === glob;
  const star = glob.indexOf('*');
  if (star !== glob.lastIndexOf('*') || glob.charAt(star + 1) === '*') return undefined;
  const prefix = glob.slice(0, star);
  const suffix = glob.slice(star + 1);
  if (GLOB_SPECIAL.test(prefix) || GLOB_SPECIAL.test(suffix)) return undefined;
  // `*` stays inside one segment: no `/` in what it covers.
  return (name) =>
    name.length >= prefix.length + suffix.length &&
    name.startsWith(prefix) &&
    name.endsWith(suffix) &&
    !name.slice(prefix.length, name.length - suffix.length).includes('/');
}

/** `abc`, `^abc`, `abc$`, `^abc$` with plain characters and `\.` escapes: the literal and anchors. */
function literalRegex(source: string): Test | undefined {
  const start = source.startsWith('^');
  const end = source.endsWith('$') && !source.endsWith('\\$');
  const body = source.slice(start ? 1 : 0, end ? -1 : undefined);
  if (!/^(?:[A-Za-z0-9_\-/:,=@%]|\\\.)*$/.test(body)) return undefined;
  const literal = body.replace(/\\\./g, '.');
  if (start && end) return (name) => name === literal;
  if (start) return (name) => name.startsWith(literal);
  if (end) return (name) => name.endsWith(literal);
  return (name) => name.includes(literal);
}

const LITERAL_CHAR = /[A-Za-z0-9_\-/:,=@%]/;

/** The literal run at the start of `text` (with `\.` escapes), as far as it is certain. */
function literalRun(text: string): string {
  let run = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '\\' && text.charAt(i + 1) === '.') {
      run += '.';
      i += 2;
    } else if (LITERAL_CHAR.test(c)) {
      run += c;
      i++;
    } else break;
  }
  // A quantifier that allows zero repetitions makes the last character optional.
  const next = text.charAt(i);
  return next === '?' || next === '*' || next === '{' ? run.slice(0, -1) : run;
}

/** Splits `body` at `|` outside groups and classes; undefined when it cannot tell. */
function topLevelAlternatives(body: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c === '\\') i++;
    else if (c === '[') {
      const close = body.indexOf(']', i + 2);
      if (close < 0) return undefined;
      i = close;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(body.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(body.slice(from));
  return parts;
}

/**
 * Literal prefixes one of which every match of an anchored regex starts with (`^v[0-9]` → v,
 * `^(?:main|feature)-` → main, feature); undefined when there is no such certainty. A cheap
 * test that rejects most names before RE2 runs.
 */
export function requiredPrefixes(source: string): string[] | undefined {
  if (!source.startsWith('^')) return undefined;
  const rest = source.slice(1);
  if (topLevelAlternatives(rest)?.length !== 1) return undefined;
  const group = /^\((?:\?:)?/.exec(rest);
  if (!group) {
    const run = literalRun(rest);
    return run === '' ? undefined : [run];
  }
  let depth = 0;
  let close = -1;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charAt(i);
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0 || /^[?*{]/.test(rest.slice(close + 1))) return undefined;
  const alternatives = topLevelAlternatives(rest.slice(group[0].length, close));
  const runs = alternatives?.map(literalRun);
  return runs && runs.every((r) => r !== '') ? runs : undefined;
}

/**
 * Compiles a checked pattern. Literal and prefix/suffix shapes are tested directly (they are
 * most patterns in practice); everything else runs on one RE2 program.
 */
export function compilePattern(pattern: PatternSelector): PatternMatcher {
  let test: Test;
  let description: string;
  if (pattern.regex !== undefined) {
    description = `regex ${JSON.stringify(pattern.regex)}`;
    const regex = compileRegex(pattern.regex);
    const prefixes = requiredPrefixes(pattern.regex);
    test =
      literalRegex(pattern.regex) ??
      (prefixes
        ? (name) => prefixes.some((p) => name.startsWith(p)) && regex.test(name)
        : (name) => regex.test(name));
  } else {
    const globs = typeof pattern.glob === 'string' ? [pattern.glob] : (pattern.glob ?? []);
    description = `glob ${globs.map((g) => JSON.stringify(g)).join(' or ')}`;
    const fast = globs.map(literalGlob);
    if (fast.every((t): t is Test => t !== undefined)) {
      test = fast.length === 1 && fast[0] ? fast[0] : (name) => fast.some((t) => t(name));
    } else {
      const regex = compileRegex(globs.map(globToRegexSource).join('|'));
      test = (name) => regex.test(name);
    }
  }
  if (pattern.negate === true)
    return { test: (name) => !test(name), description: `not ${description}` };
  return { test, description };
}
