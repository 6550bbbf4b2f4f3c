import type { OrderKey } from '../../model/policy';
import type { Candidate } from '../../pipeline/candidate';
import { comparatorFor } from '../../pipeline/order';
import type { Verdicts } from '../kind';

/** A candidate that belongs to no group, with the reason it is a non-hit. */
export interface Miss {
  readonly miss: string;
}

/**
 * "The N first in `by` order", per group. `groupOf` returns the group key, or a `Miss` for a
 * candidate that belongs to no group (a non-hit).
 */
export function newestPerGroup(
  selected: readonly Candidate[],
  n: number,
  by: OrderKey,
  groupOf: (c: Candidate) => string | Miss,
  describeGroup: (group: string) => string,
): Verdicts {
  const hits = new Uint8Array(selected.length);
  const ranks = new Int32Array(selected.length);
  const keys = new Array<string | Miss>(selected.length);
  const groups = new Map<string, number[]>();
  for (let index = 0; index < selected.length; index++) {
    const group = groupOf(selected[index] as Candidate);
    keys[index] = group;
    if (typeof group !== 'string') continue;
    const members = groups.get(group);
    if (members) members.push(index);
    else groups.set(group, [index]);
  }
  const compare = comparatorFor(by);
  for (const members of groups.values()) {
    members.sort((a, b) => compare(selected[a] as Candidate, selected[b] as Candidate));
    for (let position = 0; position < members.length; position++) {
      const index = members[position] as number;
      ranks[index] = position + 1;
      if (position < n) hits[index] = 1;
    }
  }
  return {
    hits,
    reason: (index) => {
      const key = keys[index] as string | Miss;
      if (typeof key !== 'string') return key.miss;
      const where = describeGroup(key);
      const rank = ranks[index] ?? 0;
      return `${hits[index] ? '' : 'not '}one of the ${n} newest by ${by}${where} (#${rank})`;
    },
  };
}
