import { labels } from './conditions/labels';
import { newerThan, olderThan } from './conditions/age';
import { newest } from './conditions/newest';
import { perGroup } from './conditions/per-group';
import { semver } from './conditions/semver';
import type { ConditionKind, SelectorKind } from './kind';
import { labelsSelector, repositoriesSelector, tagsSelector, untaggedSelector } from './selectors';

/**
 * The one table of rule kinds. The JSON Schema, the docs and the API's catalogue are generated
 * from it; a new condition or selector is added here and nowhere else.
 */
export const conditionKinds: readonly ConditionKind[] = [
  newest,
  olderThan,
  newerThan,
  perGroup,
  semver,
  labels,
];

export const selectorKinds: readonly SelectorKind[] = [
  tagsSelector,
  repositoriesSelector,
  labelsSelector,
  untaggedSelector,
];

export function conditionKind(key: string): ConditionKind | undefined {
  return conditionKinds.find((kind) => kind.key === key);
}

/** The catalogue as data (for the API and the docs). */
export function ruleKindCatalogue(): {
  conditions: {
    key: string;
    summary: string;
    parameters: unknown;
    by: readonly string[];
    defaultBy: string | null;
    example: unknown;
  }[];
  selectors: {
    key: string;
    summary: string;
    parameters: unknown;
    levels: readonly string[];
    example: unknown;
  }[];
} {
  return {
    conditions: conditionKinds.map((k) => ({
      key: k.key,
      summary: k.summary,
      parameters: k.parameters,
      by: k.byKeys,
      defaultBy: k.byKeys.length > 0 ? k.defaultBy : null,
      example: k.example,
    })),
    selectors: selectorKinds.map((k) => ({
      key: k.key,
      summary: k.summary,
      parameters: k.parameters,
      levels: k.levels,
      example: k.example,
    })),
  };
}
