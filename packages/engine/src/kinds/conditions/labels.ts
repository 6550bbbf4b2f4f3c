import type { LabelSet } from '../../model/policy';
import type { ConditionKind } from '../kind';
import { compileLabelSet, labelSetSchema } from '../labels';

export const labels: ConditionKind<LabelSet> = {
  key: 'labels',
  summary: 'Tags whose labels match, in the same form as the labels selector.',
  parameters: labelSetSchema,
  example: { labels: { any: ['prod', 'staging'] } },
  byKeys: [],
  defaultBy: 'pushed',
  compile: (set) => {
    const matcher = compileLabelSet(set);
    return {
      evaluate: (selected) => {
        const hits = Uint8Array.from(selected, (c) => (matcher.test(c.labels) ? 1 : 0));
        return {
          hits,
          reason: (i) => `${hits[i] ? 'has' : 'does not have'} ${matcher.description}`,
        };
      },
    };
  },
};
