import { RE2JS } from 're2js';

/**
 * Regular expressions run on RE2 (re2js): linear time in the input, no backreferences or
 * lookaround. A pattern RE2 rejects is reported at validation, never at evaluation.
 */
export interface Regex {
  readonly source: string;
  /** Unanchored search, like RE2's PartialMatch. */
  test(input: string): boolean;
  /** The first capture group of the first match: undefined when there is no match, '' when the group did not take part. */
  firstGroup(input: string): string | undefined;
  readonly groupCount: number;
}

export function compileRegex(source: string): Regex {
  const re = RE2JS.compile(source);
  return {
    source,
    groupCount: re.groupCount(),
    test: (input) => re.test(input),
    firstGroup: (input) => {
      const matcher = re.matcher(input);
      if (!matcher.find()) return undefined;
      return matcher.group(1) ?? '';
    },
  };
}

/** The reason RE2 rejects `source`, or undefined when it compiles. */
export function regexError(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
