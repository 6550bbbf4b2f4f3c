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
      evaluate: (selected) =>
        selected.map((c) =>
          matcher.test(c.labels)
            ? { hit: true, reason: `has ${matcher.description}` }
            : { hit: false, reason: `does not have ${matcher.description}` },
        ),
    };
  },
};
