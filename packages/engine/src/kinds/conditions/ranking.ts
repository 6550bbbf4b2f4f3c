import type { OrderKey } from '../../model/policy';
import type { Candidate } from '../../pipeline/candidate';
import { comparatorFor } from '../../pipeline/order';
import type { Verdict } from '../kind';

/**
 * "The N first in `by` order", per group. `groupOf` returns the group key, or a reason string
 * wrapped in `{ miss }` for a candidate that belongs to no group (a non-hit).
 */
export function newestPerGroup(
  selected: readonly Candidate[],
  n: number,
  by: OrderKey,
  groupOf: (c: Candidate) => string | { readonly miss: string },
  describeGroup: (group: string) => string,
): Verdict[] {
  const verdicts = new Array<Verdict>(selected.length);
  const groups = new Map<string, number[]>();
  selected.forEach((candidate, index) => {
    const group = groupOf(candidate);
    if (typeof group !== 'string') {
      verdicts[index] = { hit: false, reason: group.miss };
      return;
    }
    const members = groups.get(group);
    if (members) members.push(index);
    else groups.set(group, [index]);
  });
  const compare = comparatorFor(by);
  for (const [group, members] of groups) {
    members.sort((a, b) => compare(selected[a] as Candidate, selected[b] as Candidate));
    const where = describeGroup(group);
    members.forEach((index, position) => {
      const rank = position + 1;
      verdicts[index] =
        rank <= n
          ? { hit: true, reason: `one of the ${n} newest by ${by}${where} (#${rank})` }
          : { hit: false, reason: `not one of the ${n} newest by ${by}${where} (#${rank})` };
    });
  }
  return verdicts;
}
