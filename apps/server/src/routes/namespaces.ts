import type { FastifyInstance } from 'fastify';
import type { Database, NamespaceRecord } from '@winnow/db';
import { NamePattern } from '@winnow/engine';
import { audited } from '../audit';
import { ApiError } from '../errors';
import { proxyCacheSettingsIssues } from '../proxy-cache/settings';

const namespaceSchema = {
  type: 'object',
  required: ['name', 'kind', 'settings'],
  properties: {
    name: { type: 'string' },
    kind: { type: 'string', enum: ['normal', 'proxy_cache'] },
    settings: { type: 'object', additionalProperties: true },
    upstream: {
      type: 'object',
      description: 'Proxy-cache namespaces: the upstream registry as last checked',
      required: ['status', 'checkedAt', 'error'],
      properties: {
        status: {
          type: ['string', 'null'],
          description: 'up, down, or null before the first check',
        },
        checkedAt: { type: ['string', 'null'], format: 'date-time' },
        error: { type: ['string', 'null'] },
      },
    },
  },
} as const;
const repositorySchema = {
  type: 'object',
  required: ['namespace', 'name'],
  properties: { namespace: { type: 'string' }, name: { type: 'string' } },
} as const;
const namespaceParams = {
  type: 'object',
  required: ['namespace'],
  properties: {
    namespace: {
      type: 'string',
      pattern: NamePattern.namespace,
      'x-expected': 'a namespace name (lower case, e.g. acme)',
    },
  },
} as const;
const errors = {
  400: { $ref: 'ErrorBody#' },
  404: { $ref: 'ErrorBody#' },
  409: { $ref: 'ErrorBody#' },
};

/** 400 naming the field when a proxy-cache namespace's settings are not valid. */
async function checkProxyCacheSettings(database: Database, settings: unknown): Promise<void> {
  const issues = proxyCacheSettingsIssues(settings, '/body/settings');
  const registry = (settings as { upstream?: { registry?: unknown } }).upstream?.registry;
  if (
    issues.length === 0 &&
    typeof registry === 'string' &&
    (await database.registries.get(registry)) === null
  ) {
    issues.push({
      pointer: '/body/settings/upstream/registry',
      message: `expected the name of a registry connection; there is no registry "${registry}"`,
    });
  }
  const [first] = issues;
  if (first !== undefined) {
    throw new ApiError('validation', `${first.pointer}: ${first.message}`, issues);
  }
}

/** Namespaces, and the repositories in them. */
export async function namespaceRoutes(
  app: FastifyInstance,
  { database }: { database: Database },
): Promise<void> {
  app.get(
    '/api/v1/namespaces',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Every namespace, by name',
        response: {
          200: {
            type: 'object',
            required: ['namespaces'],
            properties: { namespaces: { type: 'array', items: namespaceSchema } },
          },
        },
      },
    },
    async () => ({
      namespaces: await database.namespaces.list(),
    }),
  );
  app.post<{
    Body: { name: string; kind?: NamespaceRecord['kind']; settings?: Record<string, unknown> };
  }>(
    '/api/v1/namespaces',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Create a namespace (409 if it exists)',
        description:
          'A proxy_cache namespace needs settings {upstream: {url, registry?, repositoryPrefix?}, cacheTtl, stalenessPeriod} (docs/registry.md)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: {
              type: 'string',
              pattern: NamePattern.namespace,
              'x-expected': 'a namespace name (lower case, e.g. acme)',
            },
            kind: { type: 'string', enum: ['normal', 'proxy_cache'] },
            settings: { type: 'object', additionalProperties: true },
          },
        },
        response: { 201: namespaceSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { name, kind = 'normal', settings = {} } = request.body;
      if (kind === 'proxy_cache') await checkProxyCacheSettings(database, settings);
      const created = await audited(
        database,
        (stores) => stores.namespaces.create({ name, kind, settings }),
        () => ({ action: 'namespace.create', target: `namespace:${name}`, details: { kind } }),
      );
      return reply.status(201).send(created);
    },
  );
  app.get<{ Params: { namespace: string } }>(
    '/api/v1/namespaces/:namespace',
    {
      schema: {
        tags: ['inventory'],
        summary: 'One namespace',
        params: namespaceParams,
        response: { 200: namespaceSchema, ...errors },
      },
    },
    async (request) => {
      const namespace = await database.namespaces.get(request.params.namespace);
      if (!namespace) throw new ApiError('notFound', `no namespace "${request.params.namespace}"`);
      return namespace;
    },
  );
  app.delete<{ Params: { namespace: string } }>(
    '/api/v1/namespaces/:namespace',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Delete a namespace and everything in it',
        params: namespaceParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const { namespace } = request.params;
      await audited(
        database,
        (stores) => stores.namespaces.delete(namespace),
        () => ({ action: 'namespace.delete', target: `namespace:${namespace}` }),
      );
      return reply.status(204).send();
    },
  );
  app.get<{ Params: { namespace: string } }>(
    '/api/v1/namespaces/:namespace/repositories',
    {
      schema: {
        tags: ['inventory'],
        summary: 'The repositories of a namespace, by name',
        params: namespaceParams,
        response: {
          200: {
            type: 'object',
            required: ['repositories'],
            properties: { repositories: { type: 'array', items: repositorySchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      if (!(await database.namespaces.get(request.params.namespace)))
        throw new ApiError('notFound', `no namespace "${request.params.namespace}"`);
      return { repositories: await database.repositories.list(request.params.namespace) };
    },
  );
  app.post<{ Params: { namespace: string }; Body: { name: string } }>(
    '/api/v1/namespaces/:namespace/repositories',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Create a repository in a namespace (409 if it exists)',
        params: namespaceParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: {
              type: 'string',
              pattern: NamePattern.repository,
              'x-expected': 'a repository name (lower case, may contain /)',
            },
          },
        },
        response: { 201: repositorySchema, ...errors },
      },
    },
    async (request, reply) => {
      const created = await audited(
        database,
        (stores) =>
          stores.repositories.create({
            namespace: request.params.namespace,
            name: request.body.name,
          }),
        (ref) => ({
          action: 'repository.create',
          target: `repository:${ref.namespace}/${ref.name}`,
        }),
      );
      return reply.status(201).send(created);
    },
  );
  await Promise.resolve();
}
