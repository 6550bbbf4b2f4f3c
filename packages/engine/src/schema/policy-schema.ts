import { conditionKinds, selectorKinds } from '../kinds/registry';
import type { JsonSchema } from '../kinds/kind';
import { NamePattern } from '../model/names';
import { ORDER_KEYS } from '../pipeline/order';

export const POLICY_SCHEMA_ID = 'urn:winnow:schema:policy:v1';

const RULE_NAME = '^[a-z0-9][a-z0-9-]{0,62}$';
const ACTIONS = ['keep', 'delete', 'pass'];
const forbidden = (expected: string): JsonSchema => ({ not: {}, 'x-expected': expected });
const NAMESPACE_EXPECTED = 'a namespace name (lower case, e.g. acme)';
const REPOSITORY_EXPECTED = 'a repository name inside the namespace (lower case, may contain /)';
// What a field required by a conditional says it expects (its own schema is in `properties`).
const described = (expected: string): JsonSchema => ({ 'x-expected': expected });

function selectSchema(): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    description: 'Every selector present must hold (AND).',
    properties: Object.fromEntries(
      selectorKinds.map((k) => [k.key, { ...k.parameters, description: k.summary }]),
    ),
  };
}

function matchSchema(): JsonSchema {
  const keys = conditionKinds.map((k) => k.key);
  return {
    type: 'object',
    additionalProperties: false,
    description: 'Exactly one condition, plus an optional ordering/age key `by`.',
    properties: {
      ...Object.fromEntries(
        conditionKinds.map((k) => [k.key, { ...k.parameters, description: k.summary }]),
      ),
      by: {
        enum: ORDER_KEYS,
        description: 'Ordering/age key; default pushed (semver for semver conditions).',
      },
    },
    oneOf: keys.map((key) => ({ required: [key] })),
    'x-expected': `exactly one condition of ${keys.join(', ')}`,
  };
}

function ruleSchema(): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'then'],
    properties: {
      name: {
        type: 'string',
        pattern: RULE_NAME,
        'x-expected': 'a rule name matching [a-z0-9][a-z0-9-]{0,62}',
      },
      description: { type: 'string' },
      disabled: { type: 'boolean' },
      select: { $ref: '#/$defs/select' },
      match: { $ref: '#/$defs/match' },
      anyOf: {
        type: 'array',
        minItems: 1,
        description: 'Union rule: a tag is a hit if any branch hits it.',
        items: {
          type: 'object',
          additionalProperties: false,
          properties: { select: { $ref: '#/$defs/select' }, match: { $ref: '#/$defs/match' } },
        },
      },
      then: { enum: ACTIONS, description: 'Decision for hits.' },
      else: { enum: ACTIONS, description: 'Decision for selected non-hits (default pass).' },
    },
    dependentSchemas: {
      anyOf: {
        properties: {
          select: forbidden('no select beside anyOf (put it in each branch)'),
          match: forbidden('no match beside anyOf (put it in each branch)'),
        },
      },
    },
  };
}

/** The published JSON Schema (draft 2020-12) of a policy document, built from the kind registry. */
export function buildPolicySchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: POLICY_SCHEMA_ID,
    title: 'Winnow retention policy (winnow/v1)',
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'scope'],
    properties: {
      apiVersion: { const: 'winnow/v1' },
      kind: { const: 'RetentionPolicy' },
      scope: {
        type: 'object',
        additionalProperties: false,
        required: ['level'],
        properties: {
          level: { enum: ['server', 'namespace', 'repository'] },
          namespace: {
            type: 'string',
            pattern: NamePattern.namespace,
            'x-expected': NAMESPACE_EXPECTED,
          },
          repository: {
            type: 'string',
            pattern: NamePattern.repository,
            'x-expected': REPOSITORY_EXPECTED,
          },
        },
        // Each `if` requires `level`: without it every `if` would hold vacuously.
        allOf: [
          {
            if: { required: ['level'], properties: { level: { const: 'server' } } },
            then: {
              properties: {
                namespace: forbidden('no namespace at server scope'),
                repository: forbidden('no repository at server scope'),
              },
            },
          },
          {
            if: { required: ['level'], properties: { level: { const: 'namespace' } } },
            then: {
              required: ['namespace'],
              properties: {
                namespace: described(NAMESPACE_EXPECTED),
                repository: forbidden('no repository at namespace scope'),
              },
            },
          },
          {
            if: { required: ['level'], properties: { level: { const: 'repository' } } },
            then: {
              required: ['namespace', 'repository'],
              properties: {
                namespace: described(NAMESPACE_EXPECTED),
                repository: described(REPOSITORY_EXPECTED),
              },
            },
          },
        ],
      },
      guards: {
        type: 'array',
        description: 'Server scope only: keep-only rules that run first for every repository.',
        items: {
          allOf: [{ $ref: '#/$defs/rule' }],
          properties: {
            then: { const: 'keep', 'x-expected': 'keep (a guard only keeps)' },
            else: { const: 'pass', 'x-expected': 'pass (a guard only keeps)' },
          },
        },
      },
      rules: { type: 'array', items: { $ref: '#/$defs/rule' } },
    },
    if: { properties: { scope: { properties: { level: { const: 'server' } } } } },
    else: {
      properties: { guards: forbidden('no guards: guards are allowed at server scope only') },
    },
    $defs: { rule: ruleSchema(), select: selectSchema(), match: matchSchema() },
  };
}
