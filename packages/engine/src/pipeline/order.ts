import { compare as compareSemver } from 'semver';
import type { OrderKey } from '../model/policy';
import { compareCodePoints, compareNatural } from '../text/compare';
import { parseSemverTag } from '../text/semver';
import { activeOf, type Candidate, pulledOf, pushedOf } from './candidate';

export type Comparator = (a: Candidate, b: Candidate) => number;

/** Tags by name ascending (so of two equal tags `a` counts as newer), then untagged manifests by digest. */
export function compareIdentity(a: Candidate, b: Candidate): number {
  if (a.tag !== null && b.tag !== null) return compareCodePoints(a.tag, b.tag);
  if (a.tag !== null) return -1;
  if (b.tag !== null) return 1;
  return compareCodePoints(a.digest, b.digest);
}

export function semverOf(candidate: Candidate): Candidate['semver'] {
  if (candidate.semver === undefined) {
    candidate.semver = candidate.tag === null ? null : parseSemverTag(candidate.tag);
  }
  return candidate.semver;
}

const descending = (x: number, y: number): number => (x > y ? -1 : x < y ? 1 : 0);

function byTime(
  primary: (c: Candidate) => number,
  secondary: (c: Candidate) => number,
): Comparator {
  return (a, b) =>
    descending(primary(a), primary(b)) ||
    descending(secondary(a), secondary(b)) ||
    compareIdentity(a, b);
}

const comparators: Record<OrderKey, Comparator> = {
  pushed: byTime(pushedOf, pulledOf),
  pulled: byTime(pulledOf, pushedOf),
  active: byTime(activeOf, pushedOf),
  semver: (a, b) => {
    const va = semverOf(a);
    const vb = semverOf(b);
    if (va && vb) {
      const c = compareSemver(vb, va);
      if (c !== 0) return c;
    } else if (va) return -1;
    else if (vb) return 1;
    return descending(pushedOf(a), pushedOf(b)) || compareIdentity(a, b);
  },
  natural: (a, b) => {
    if (a.tag !== null && b.tag !== null) {
      const c = compareNatural(b.tag, a.tag);
      if (c !== 0) return c;
    } else if (a.tag !== null) return -1;
    else if (b.tag !== null) return 1;
    return descending(pushedOf(a), pushedOf(b)) || compareIdentity(a, b);
  },
};

/** The total order of §3.2: newest first by `key`, ties by the other timestamp, then by identity. */
export function comparatorFor(key: OrderKey): Comparator {
  return comparators[key];
}

/** Time keys give an age; `semver` and `natural` do not. */
export const TIME_KEYS: readonly OrderKey[] = ['pushed', 'pulled', 'active'];
export const ORDER_KEYS: readonly OrderKey[] = ['pushed', 'pulled', 'active', 'semver', 'natural'];

export function timeOf(key: OrderKey): (c: Candidate) => number {
  switch (key) {
    case 'pulled':
      return pulledOf;
    case 'active':
      return activeOf;
    default:
      return pushedOf;
  }
}
