import { ORDER_KEYS } from '../../pipeline/order';
import type { ConditionKind } from '../kind';
import { newestPerGroup } from './ranking';

export const newest: ConditionKind<number> = {
  key: 'newest',
  summary: 'The N first selected tags in descending order of `by`.',
  parameters: { type: 'integer', minimum: 1, 'x-expected': 'an integer ≥ 1' },
  example: { newest: 10, by: 'pushed' },
  byKeys: ORDER_KEYS,
  defaultBy: 'pushed',
  compile: (n, by) => ({
    evaluate: (selected) =>
      newestPerGroup(
        selected,
        n,
        by,
        () => '',
        () => '',
      ),
  }),
};
