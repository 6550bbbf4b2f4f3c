import type { PatternSelector } from '../model/policy';
import { GlobSyntaxError, globToRegexSource } from '../text/glob';
import { type InputIssues, isRecord } from './report';

const MATCH_ALL = '**';

/** One doublestar selector of a Harbor rule, as read. */
export interface Selector {
  readonly glob: string;
  readonly negate: boolean;
  readonly untagged: boolean;
}

export function readSelector(
  value: unknown,
  pointer: string,
  decorations: readonly [string, string],
  issues: InputIssues,
): Selector | undefined {
  if (!Array.isArray(value) || value.length !== 1 || !isRecord(value[0])) {
    issues.add(pointer, 'expected a list with exactly one selector object');
    return undefined;
  }
  const selector = value[0];
  const at = `${pointer}/0`;
  if (selector.kind !== 'doublestar') {
    issues.add(`${at}/kind`, `expected "doublestar", got ${JSON.stringify(selector.kind)}`);
    return undefined;
  }
  if (typeof selector.decoration !== 'string' || !decorations.includes(selector.decoration)) {
    issues.add(
      `${at}/decoration`,
      `expected ${decorations.join(' or ')}, got ${JSON.stringify(selector.decoration)}`,
    );
    return undefined;
  }
  const glob = selector.pattern;
  if (typeof glob !== 'string' || glob === '') {
    issues.add(
      `${at}/pattern`,
      `expected a non-empty doublestar pattern, got ${JSON.stringify(glob)}`,
    );
    return undefined;
  }
  try {
    globToRegexSource(glob);
  } catch (error) {
    if (!(error instanceof GlobSyntaxError)) throw error;
    issues.add(`${at}/pattern`, `expected a doublestar pattern Winnow can run: ${error.message}`);
    return undefined;
  }
  let untagged = false;
  if (selector.extras !== undefined && selector.extras !== null && selector.extras !== '') {
    let extras: unknown;
    try {
      extras = typeof selector.extras === 'string' ? JSON.parse(selector.extras) : selector.extras;
    } catch {
      issues.add(
        `${at}/extras`,
        'expected a JSON object in a string, e.g. "{\\"untagged\\":true}"',
      );
      return undefined;
    }
    if (!isRecord(extras)) {
      issues.add(`${at}/extras`, 'expected a JSON object, e.g. {"untagged":true}');
      return undefined;
    }
    untagged = extras.untagged === true;
  }
  return { glob, negate: selector.decoration === decorations[1], untagged };
}

export const everything = (s: Selector): boolean => s.glob === MATCH_ALL && !s.negate;
export const patternOf = (s: Selector): PatternSelector =>
  s.negate ? { glob: s.glob, negate: true } : { glob: s.glob };
