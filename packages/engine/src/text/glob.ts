/**
 * Doublestar globs, translated to RE2 so that matching is linear whatever the pattern
 * (picomatch compiles to backtracking JavaScript regexes: `*a*a*a*a*b` would be polynomial).
 * Semantics follow picomatch with `dot: true` for the forms the policy language names:
 * `*` inside one segment, `**` across `/`, `?`, `[a-z]` / `[!a-z]`, `{a,b}` (nestable), `\x`.
 * One deliberate difference: `[!a]` negates, as in bash and doublestar (picomatch reads it literally).
 */
export class GlobSyntaxError extends Error {}

const RE2_SPECIAL = /[\\^$.|?*+()[\]{}]/g;
const escapeLiteral = (text: string): string => text.replace(RE2_SPECIAL, '\\$&');
const ANY_LEADING_SEGMENTS = '(?:.*/)?';

export function globToRegexSource(glob: string): string {
  if (glob.length === 0) throw new GlobSyntaxError('a glob must not be empty');
  if (glob.startsWith('!')) {
    throw new GlobSyntaxError('a leading "!" is not supported; use `negate: true`');
  }
  return `^(?:${translate(glob, 0, glob.length)})$`;
}

function translate(glob: string, start: number, end: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const c = glob.charAt(i);
    if (c === '\\') {
      if (i + 1 >= end) throw new GlobSyntaxError('a glob must not end with "\\"');
      out += escapeLiteral(glob.charAt(i + 1));
      i += 2;
    } else if (c === '*') {
      let j = i;
      while (j < end && glob.charAt(j) === '*') j++;
      const segmentStart = i === start || glob.charAt(i - 1) === '/';
      const segmentEnd = j === end || glob.charAt(j) === '/';
      if (j - i === 2 && segmentStart && segmentEnd) {
        // `**/**` is `**`: drop the leading-segments part of a globstar right before this one
        if (out.endsWith(ANY_LEADING_SEGMENTS)) out = out.slice(0, -ANY_LEADING_SEGMENTS.length);
        if (out === '' && j === end) {
          out += '.*';
        } else if (j < end) {
          out += ANY_LEADING_SEGMENTS; // `**/x`: any number of leading segments, each with its slash
          j++;
        } else {
          out = `${out.slice(0, -1)}(?:/.*)?`; // `x/**`: `x` itself matches too
        }
      } else {
        out += '[^/]*';
      }
      i = j;
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[') {
      const close = findBracketEnd(glob, i, end);
      out += bracket(glob.slice(i + 1, close));
      i = close + 1;
    } else if (c === '{') {
      const close = findBraceEnd(glob, i, end);
      const alternatives = splitTopLevel(glob, i + 1, close);
      if (alternatives.length < 2) {
        throw new GlobSyntaxError('a "{...}" group needs at least two alternatives, e.g. {a,b}');
      }
      out += `(?:${alternatives.map(([s, e]) => translate(glob, s, e)).join('|')})`;
      i = close + 1;
    } else if (c === '(' || c === ')' || c === '|') {
      throw new GlobSyntaxError(`"${c}" is not supported in a glob (no extglobs); use a regex`);
    } else if (c === ']' || c === '}') {
      throw new GlobSyntaxError(`unbalanced "${c}"`);
    } else {
      out += escapeLiteral(c);
      i++;
    }
  }
  return out;
}

function findBracketEnd(glob: string, open: number, end: number): number {
  let k = open + 1;
  if (glob.charAt(k) === '!' || glob.charAt(k) === '^') k++;
  if (glob.charAt(k) === ']') k++; // a leading `]` is literal
  while (k < end) {
    const c = glob.charAt(k);
    if (c === '\\') k += 2;
    else if (c === ']') return k;
    else k++;
  }
  throw new GlobSyntaxError('unclosed "[" in glob');
}

function bracket(body: string): string {
  let negated = false;
  let rest = body;
  if (rest.startsWith('!') || rest.startsWith('^')) {
    negated = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) throw new GlobSyntaxError('empty "[]" in glob');
  let out = '';
  for (let k = 0; k < rest.length; k++) {
    const c = rest.charAt(k);
    if (c === '\\' && k + 1 < rest.length) {
      out += `\\${rest.charAt(++k)}`;
    } else if (c === '-' && k > 0 && k < rest.length - 1) {
      out += '-';
    } else {
      out += /[\\\]^[-]/.test(c) ? `\\${c}` : c;
    }
  }
  return negated ? `[^/${out}]` : `[${out}]`;
}

function findBraceEnd(glob: string, open: number, end: number): number {
  let depth = 0;
  for (let k = open; k < end; k++) {
    const c = glob.charAt(k);
    if (c === '\\') k++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return k;
  }
  throw new GlobSyntaxError('unclosed "{" in glob');
}

function splitTopLevel(glob: string, start: number, end: number): [number, number][] {
  const parts: [number, number][] = [];
  let depth = 0;
  let from = start;
  for (let k = start; k < end; k++) {
    const c = glob.charAt(k);
    if (c === '\\') k++;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push([from, k]);
      from = k + 1;
    }
  }
  parts.push([from, end]);
  return parts;
}
