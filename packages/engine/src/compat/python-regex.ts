import { regexError } from '../text/regex';

/** A Python `re` pattern carried over to RE2, or why it cannot be. */
export type CarriedRegex =
  | { readonly ok: true; readonly source: string; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Translates a pattern written for Python's `re` (the dialect of Quay's `tagPattern`) to RE2.
 * Both search unanchored. The constructs RE2 lacks (lookaround, backreferences) cannot be
 * carried; the few that both accept with different meanings are rewritten:
 * `\Z` (end of string in Python, an error in RE2) becomes `\z`, and `{,n}` (0 to n in Python,
 * literal text in RE2) becomes `{0,n}`. Tag names are ASCII without newlines, so Python's
 * Unicode classes and its `$` before a final newline make no difference.
 */
export function pythonRegexToRe2(pattern: string): CarriedRegex {
  const notes: string[] = [];
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    const next = pattern.charAt(i + 1);
    if (c === '\\') {
      if (!inClass && /[1-9]/.test(next)) {
        return { ok: false, reason: `a backreference (\\${next}) cannot run on RE2` };
      }
      if (!inClass && next === 'Z') {
        out += '\\z';
        notes.push('\\Z became \\z (end of text)');
      } else {
        out += c + next;
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is literal.
      if (pattern.charAt(i + 1) === '^') out += pattern.charAt(++i);
      if (pattern.charAt(i + 1) === ']') out += pattern.charAt(++i);
      continue;
    }
    if (c === '(' && next === '?') {
      const rest = pattern.slice(i + 2);
      if (/^(?:=|!|<=|<!)/.test(rest)) {
        const kind = rest.startsWith('<') ? 'lookbehind' : 'lookahead';
        return {
          ok: false,
          reason: `a ${kind} ("(?${rest.slice(0, rest.startsWith('<') ? 2 : 1)}") cannot run on RE2`,
        };
      }
      if (rest.startsWith('P=')) {
        return { ok: false, reason: 'a named backreference ("(?P=") cannot run on RE2' };
      }
    }
    if (c === '{' && next === ',') {
      const close = /^\{,(\d+)\}/.exec(pattern.slice(i));
      if (close) {
        out += `{0,${close[1] ?? ''}}`;
        notes.push(`{,${close[1] ?? ''}} became {0,${close[1] ?? ''}}`);
        i += close[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  const error = regexError(out);
  if (error !== undefined) return { ok: false, reason: `RE2 rejects it: ${error}` };
  return { ok: true, source: out, notes };
}
