import type { PatternSelector } from '../model/policy';
import type { SelectorKind } from './kind';
import { labelSetSchema } from './labels';
import { checkPattern, patternSchema } from './pattern';

export const tagsSelector: SelectorKind = {
  key: 'tags',
  summary:
    'Tags whose name matches (regex or glob, optionally negated). Never selects an untagged manifest.',
  parameters: patternSchema,
  example: { regex: '^v[0-9]+\\.[0-9]+\\.[0-9]+$' },
  levels: ['server', 'namespace', 'repository'],
  check: (value, pointer) => checkPattern(value as PatternSelector, pointer),
};

export const repositoriesSelector: SelectorKind = {
  key: 'repositories',
  summary:
    'Repositories whose name matches: the name inside the namespace at namespace scope, the full namespace/name at server scope.',
  parameters: patternSchema,
  example: { glob: 'team/**' },
  levels: ['server', 'namespace'],
  check: (value, pointer) => checkPattern(value as PatternSelector, pointer),
};

export const labelsSelector: SelectorKind = {
  key: 'labels',
  summary: 'Tags with all of `all`, at least one of `any` (when non-empty), and none of `none`.',
  parameters: labelSetSchema,
  example: { all: ['prod'], none: ['wip'] },
  levels: ['server', 'namespace', 'repository'],
};

export const untaggedSelector: SelectorKind = {
  key: 'untagged',
  summary:
    'Whether the rule also (include) or only (only) sees untagged manifests that are neither an index child nor a referrer; default exclude.',
  parameters: { enum: ['exclude', 'include', 'only'] },
  example: 'include',
  levels: ['server', 'namespace', 'repository'],
};
