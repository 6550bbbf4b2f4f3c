import { validRange } from 'semver';
import { ORDER_KEYS, semverOf } from '../../pipeline/order';
import { satisfiesRange } from '../../text/semver';
import type { Candidate } from '../../pipeline/candidate';
import type { Condition, ConditionKind } from '../kind';
import { newestPerGroup } from './ranking';

type SemverCondition =
  | { readonly newestPerMajor: number }
  | { readonly newestPerMinor: number }
  | { readonly range: string };

const NOT_SEMVER = { miss: 'not a semantic version' };

function compileSemver(p: SemverCondition, by: Parameters<ConditionKind['compile']>[1]): Condition {
  if ('range' in p) {
    const range = JSON.stringify(p.range);
    return {
      evaluate: (selected) => {
        const hits = Uint8Array.from(selected, (c) => {
          const version = semverOf(c);
          return version && satisfiesRange(version, p.range) ? 1 : 0;
        });
        return {
          hits,
          reason: (i) => {
            const version = semverOf(selected[i] as Candidate);
            if (!version) return NOT_SEMVER.miss;
            return `version ${version.version} ${hits[i] ? 'satisfies' : 'does not satisfy'} ${range}`;
          },
        };
      },
    };
  }
  const perMajor = 'newestPerMajor' in p;
  const n = perMajor ? p.newestPerMajor : p.newestPerMinor;
  return {
    evaluate: (selected) =>
      newestPerGroup(
        selected,
        n,
        by,
        (c) => {
          const v = semverOf(c);
          if (!v) return NOT_SEMVER;
          return perMajor ? `${v.major}.x` : `${v.major}.${v.minor}.x`;
        },
        (group) => ` in ${group}`,
      ),
  };
}

export const semver: ConditionKind<SemverCondition> = {
  key: 'semver',
  summary:
    'By semantic version parsed from the tag (MAJOR.MINOR.PATCH[-pre][+build], leading v allowed): the N first per major or per minor, or the versions in a node-semver range.',
  parameters: {
    type: 'object',
    additionalProperties: false,
    properties: {
      newestPerMajor: { type: 'integer', minimum: 1, 'x-expected': 'an integer ≥ 1' },
      newestPerMinor: { type: 'integer', minimum: 1, 'x-expected': 'an integer ≥ 1' },
      range: { type: 'string', minLength: 1, description: "node-semver range, e.g. '>=1.2 <2'" },
    },
    oneOf: [
      { required: ['newestPerMajor'] },
      { required: ['newestPerMinor'] },
      { required: ['range'] },
    ],
    'x-expected': 'exactly one of newestPerMajor, newestPerMinor or range',
  },
  example: { semver: { newestPerMajor: 2 } },
  byKeys: ORDER_KEYS,
  defaultBy: 'semver',
  check: (p, pointer) =>
    'range' in p && validRange(p.range) === null
      ? [{ pointer: `${pointer}/range`, message: "expected a node-semver range, e.g. '>=1.2 <2'" }]
      : [],
  compile: compileSemver,
};
