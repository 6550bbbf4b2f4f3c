import type { JsonSchema } from '../kinds/kind';
import { NamePattern } from '../model/names';

export const INVENTORY_SCHEMA_ID = 'urn:winnow:schema:inventory:v1';

// OCI distribution grammar: tags, repository path components, digests.
// The algorithms the OCI image spec registers, with their exact encoded lengths.
const DIGEST = '^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$';
const TIME =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$';

const digest = {
  type: 'string',
  pattern: DIGEST,
  'x-expected': 'a digest such as sha256:<64 hex>',
};
const time = {
  type: 'string',
  pattern: TIME,
  'x-expected': 'an RFC 3339 time such as 2026-01-02T03:04:05Z',
};
const nullable = (schema: JsonSchema): JsonSchema => ({
  anyOf: [schema, { type: 'null' }],
  'x-expected': `${String(schema['x-expected'] ?? schema.type)} or null`,
});

export const tagSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'digest'],
  properties: {
    name: {
      type: 'string',
      pattern: NamePattern.tag,
      'x-expected': 'a tag name ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})',
    },
    digest,
    pushedAt: time,
    lastPulledAt: nullable(time),
    immutable: { type: 'boolean' },
    labels: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
};

export const manifestSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['digest'],
  properties: {
    digest,
    mediaType: { type: 'string', minLength: 1 },
    pushedAt: time,
    sizeBytes: { type: 'integer', minimum: 0 },
    children: { type: 'array', items: digest },
    subject: nullable(digest),
    artifactType: nullable({ type: 'string', minLength: 1, 'x-expected': 'a media type' }),
  },
};

export const repositorySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['namespace', 'name', 'tags'],
  properties: {
    namespace: {
      type: 'string',
      pattern: NamePattern.namespace,
      'x-expected': 'a namespace name (lower case, e.g. acme)',
    },
    name: {
      type: 'string',
      pattern: NamePattern.repository,
      'x-expected': 'a repository name (lower case, may contain /)',
    },
    tags: { type: 'array', items: { $ref: '#/$defs/tag' } },
    manifests: { type: 'array', items: { $ref: '#/$defs/manifest' } },
  },
};

/** The published JSON Schema (draft 2020-12) of an inventory snapshot. */
export function buildInventorySchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: INVENTORY_SCHEMA_ID,
    title: 'Winnow inventory snapshot (winnow/v1)',
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'repositories'],
    properties: {
      apiVersion: { const: 'winnow/v1' },
      kind: { const: 'Inventory' },
      repositories: { type: 'array', items: { $ref: '#/$defs/repository' } },
    },
    $defs: { repository: repositorySchema, tag: tagSchema, manifest: manifestSchema },
  };
}

/** One repository on its own (for streaming imports), with the same definitions. */
export function buildRepositorySchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${INVENTORY_SCHEMA_ID}:repository`,
    ...repositorySchema,
    $defs: { tag: tagSchema, manifest: manifestSchema },
  };
}
