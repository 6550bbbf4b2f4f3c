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

/** Compiles a checked pattern to one RE2 program (a glob list becomes one alternation). */
export function compilePattern(pattern: PatternSelector): PatternMatcher {
  let source: string;
  let description: string;
  if (pattern.regex !== undefined) {
    source = pattern.regex;
    description = `regex ${JSON.stringify(pattern.regex)}`;
  } else {
    const globs = typeof pattern.glob === 'string' ? [pattern.glob] : (pattern.glob ?? []);
    source = globs.map(globToRegexSource).join('|');
    description = `glob ${globs.map((g) => JSON.stringify(g)).join(' or ')}`;
  }
  const regex = compileRegex(source);
  if (pattern.negate === true) {
    return { test: (name) => !regex.test(name), description: `not ${description}` };
  }
  return { test: (name) => regex.test(name), description };
}
