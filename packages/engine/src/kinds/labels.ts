import type { LabelSet } from '../model/policy';
import type { JsonSchema } from './kind';

const labelList = { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true };

export const labelSetSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    all: { ...labelList, description: 'Every one of these labels.' },
    any: { ...labelList, description: 'At least one of these labels (when non-empty).' },
    none: { ...labelList, description: 'None of these labels.' },
  },
  minProperties: 1,
};

export interface LabelMatcher {
  test(labels: readonly string[]): boolean;
  readonly description: string;
}

export function compileLabelSet(set: LabelSet): LabelMatcher {
  const all = set.all ?? [];
  const any = set.any ?? [];
  const none = set.none ?? [];
  const parts: string[] = [];
  if (all.length > 0) parts.push(`all of [${all.join(', ')}]`);
  if (any.length > 0) parts.push(`any of [${any.join(', ')}]`);
  if (none.length > 0) parts.push(`none of [${none.join(', ')}]`);
  return {
    description: `labels ${parts.join(' and ') || 'of any kind'}`,
    test: (labels) =>
      all.every((l) => labels.includes(l)) &&
      (any.length === 0 || any.some((l) => labels.includes(l))) &&
      !none.some((l) => labels.includes(l)),
  };
}
