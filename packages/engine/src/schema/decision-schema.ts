import type { JsonSchema } from '../kinds/kind';

/** Every stage a decision record can name (§5), in pipeline order. */
export const STAGES = [
  'immutable',
  'accessory',
  'guard',
  'rule',
  'default',
  'reconcile',
  'safety',
] as const;

const nullableString = { type: ['string', 'null'] };

/**
 * JSON Schema of one decision record (§5). Property order is the record's field order, which
 * serializers that follow the schema (Fastify's) keep in their output.
 */
export const decisionRecordSchema: JsonSchema = {
  type: 'object',
  required: [
    'repository',
    'tag',
    'digest',
    'decision',
    'stage',
    'scope',
    'policy',
    'rule',
    'reason',
  ],
  properties: {
    repository: { type: 'string' },
    tag: nullableString,
    digest: { type: 'string' },
    decision: { type: 'string', enum: ['keep', 'delete'] },
    stage: { type: 'string', enum: STAGES },
    scope: { type: ['string', 'null'], enum: ['server', 'namespace', 'repository', null] },
    policy: nullableString,
    rule: nullableString,
    reason: { type: 'string' },
  },
};
