import { ORDER_KEYS } from '../../pipeline/order';
import { compileRegex, regexError } from '../../text/regex';
import type { ConditionKind } from '../kind';
import { newestPerGroup } from './ranking';

interface PerGroup {
  readonly regex: string;
  readonly newest: number;
}

export const perGroup: ConditionKind<PerGroup> = {
  key: 'perGroup',
  summary:
    "Per value of the regex's first capture group, the N newest; tags the regex does not match are non-hits.",
  parameters: {
    type: 'object',
    additionalProperties: false,
    required: ['regex', 'newest'],
    properties: {
      regex: {
        type: 'string',
        minLength: 1,
        description: 'RE2 syntax, with at least one capture group.',
      },
      newest: { type: 'integer', minimum: 1, 'x-expected': 'an integer ≥ 1' },
    },
  },
  example: { perGroup: { regex: '^(.+)-[0-9a-f]{7}$', newest: 10 }, by: 'pushed' },
  byKeys: ORDER_KEYS,
  defaultBy: 'pushed',
  check: (p, pointer) => {
    const error = regexError(p.regex);
    if (error !== undefined) {
      return [
        { pointer: `${pointer}/regex`, message: `expected an RE2 regular expression: ${error}` },
      ];
    }
    return compileRegex(p.regex).groupCount < 1
      ? [{ pointer: `${pointer}/regex`, message: 'expected a regex with a capture group' }]
      : [];
  },
  compile: (p, by) => {
    const regex = compileRegex(p.regex);
    const miss = { miss: `does not match ${JSON.stringify(p.regex)}` };
    return {
      evaluate: (selected) =>
        newestPerGroup(
          selected,
          p.newest,
          by,
          (c) => (c.tag === null ? miss : (regex.firstGroup(c.tag) ?? miss)),
          (group) => ` in group ${JSON.stringify(group)}`,
        ),
    };
  },
};
