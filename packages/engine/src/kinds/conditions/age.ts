import type { ValidationIssue } from '../../errors';
import type { OrderKey } from '../../model/policy';
import { AGE_PATTERN, formatDuration, parseAge } from '../../text/age';
import { TIME_KEYS, timeOf } from '../../pipeline/order';
import type { Candidate } from '../../pipeline/candidate';
import type { Condition, ConditionKind } from '../kind';

const ageSchema = {
  type: 'string',
  pattern: AGE_PATTERN,
  'x-expected': 'an age: a positive integer and a unit s, m (minutes), h, d, w or y, e.g. 30d',
};

function checkAge(text: string, pointer: string): ValidationIssue[] {
  return parseAge(text) === undefined
    ? [{ pointer, message: 'expected an age small enough to represent, e.g. 30d' }]
    : [];
}

function ageCondition(text: string, by: OrderKey, older: boolean): Condition {
  const limit = parseAge(text)?.ms ?? Number.POSITIVE_INFINITY;
  const timeOfCandidate = timeOf(by);
  const word = older ? 'older' : 'newer';
  return {
    evaluate: (selected, now) => {
      const hits = new Uint8Array(selected.length);
      const ages = new Float64Array(selected.length);
      for (let i = 0; i < selected.length; i++) {
        const age = now - timeOfCandidate(selected[i] as Candidate);
        ages[i] = age;
        if (older ? age > limit : age <= limit) hits[i] = 1;
      }
      return {
        hits,
        reason: (i) =>
          `${hits[i] ? '' : 'not '}${word} than ${text} by ${by} (age ${formatDuration(ages[i] ?? 0)})`,
      };
    },
  };
}

export const olderThan: ConditionKind<string> = {
  key: 'olderThan',
  summary: 'Tags whose age by `by` is strictly greater than AGE.',
  parameters: ageSchema,
  example: { olderThan: '30d', by: 'pushed' },
  byKeys: TIME_KEYS,
  defaultBy: 'pushed',
  check: checkAge,
  compile: (text, by) => ageCondition(text, by, true),
};

export const newerThan: ConditionKind<string> = {
  key: 'newerThan',
  summary: 'Tags whose age by `by` is at most AGE.',
  parameters: ageSchema,
  example: { newerThan: '24h', by: 'pulled' },
  byKeys: TIME_KEYS,
  defaultBy: 'pushed',
  check: checkAge,
  compile: (text, by) => ageCondition(text, by, false),
};
