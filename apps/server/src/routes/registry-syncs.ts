import type { FastifyInstance } from 'fastify';
import type { Database, RegistryDeletionRecord, RegistrySyncRecord } from '@winnow/db';
import { currentActor } from '../audit';
import { ApiError } from '../errors';
import type { WorkerSignals } from '../worker/worker';
import { registryParams } from './registry-schemas';
import { idSchema } from './id-schema';

const time = { type: 'string', format: 'date-time' } as const;
const count = { type: 'integer', minimum: 0 } as const;

const syncSchema = {
  type: 'object',
  required: ['id', 'registry', 'status', 'trigger', 'triggeredBy', 'createdAt', 'progress'],
  properties: {
    id: { type: 'integer' },
    registry: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'partial', 'failed'] },
    trigger: { type: 'string', enum: ['api', 'schedule', 'cli'] },
    triggeredBy: { type: 'string' },
    createdAt: time,
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    progress: {
      type: 'object',
      required: [
        'repositoriesTotal',
        'repositoriesDone',
        'repositoriesFailed',
        'tags',
        'manifestsFetched',
        'manifestsUnchanged',
      ],
      properties: {
        repositoriesTotal: count,
        repositoriesDone: count,
        repositoriesFailed: count,
        tags: count,
        manifestsFetched: count,
        manifestsUnchanged: count,
      },
    },
    errors: {
      type: 'array',
      description: 'The repositories that could not be read (the first 50)',
      items: {
        type: 'object',
        required: ['repository', 'code', 'message'],
        properties: {
          repository: { type: 'string' },
          code: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

const deletionSchema = {
  type: 'object',
  required: ['id', 'runId', 'repository', 'digest', 'tags', 'outcome', 'message', 'at'],
  properties: {
    id: { type: 'integer' },
    runId: { type: ['integer', 'null'] },
    repository: { type: 'string' },
    digest: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    outcome: { type: 'string', enum: ['deleted', 'absent', 'skipped', 'failed'] },
    message: { type: ['string', 'null'] },
    at: time,
  },
} as const;

const deletionsResponse = {
  type: 'object',
  required: ['deletions'],
  properties: {
    deletions: { type: 'array', items: deletionSchema },
    next: { type: 'string', description: 'The URL of the next (older) page' },
  },
} as const;

const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    before: { ...idSchema, description: 'Only entries with a smaller id' },
  },
} as const;

const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } };

function syncJson(sync: RegistrySyncRecord) {
  return {
    id: sync.id,
    registry: sync.registry,
    status: sync.status,
    trigger: sync.trigger,
    triggeredBy: sync.triggeredBy,
    createdAt: sync.createdAt.toISOString(),
    startedAt: sync.startedAt?.toISOString() ?? null,
    finishedAt: sync.finishedAt?.toISOString() ?? null,
    progress: sync.progress,
    errors: sync.errors,
  };
}

function deletionJson(deletion: RegistryDeletionRecord) {
  return {
    id: deletion.id,
    runId: deletion.runId,
    repository: deletion.repository,
    digest: deletion.digest,
    tags: deletion.tags,
    outcome: deletion.outcome,
    message: deletion.message,
    at: deletion.at.toISOString(),
  };
}

export interface RegistrySyncRouteOptions {
  readonly database: Database;
  readonly clock: () => Date;
  readonly signals?: WorkerSignals;
}

interface Page {
  limit: number;
  before?: number;
}

/** Syncs of a registry (trigger, progress, outcome) and the deletions Winnow made in it. */
export async function registrySyncRoutes(
  app: FastifyInstance,
  { database, clock, signals }: RegistrySyncRouteOptions,
): Promise<void> {
  const base = { tags: ['registries'] };
  const registryOf = async (name: string) => {
    const registry = await database.registries.get(name);
    if (registry === null) throw new ApiError('notFound', `no registry "${name}"`);
    return registry;
  };
  const page = (deletions: RegistryDeletionRecord[], url: string, query: Page) => {
    const last = deletions[query.limit - 1];
    return {
      deletions: deletions.map(deletionJson),
      ...(deletions.length === query.limit &&
        last !== undefined && { next: `${url}?limit=${query.limit}&before=${last.id}` }),
    };
  };

  app.post<{ Params: { name: string } }>(
    '/api/v1/registries/:name/syncs',
    {
      schema: {
        ...base,
        summary:
          'Sync the registry now: 202 with the queued sync, or 200 with the one already queued or running',
        params: registryParams,
        response: { 200: syncSchema, 202: syncSchema, ...errors },
      },
    },
    async (request, reply) => {
      const registry = await registryOf(request.params.name);
      const { sync, created } = await database.transaction(async (stores) => {
        const result = await stores.registrySyncs.create({
          registryId: registry.id,
          trigger: 'api',
          triggeredBy: 'api',
          now: clock(),
        });
        if (result.created) {
          await stores.audit.record({
            actor: currentActor(),
            action: 'registry.sync',
            target: `registry:${registry.name}`,
            details: { sync: result.sync.id },
          });
        }
        return result;
      });
      if (created) signals?.wake();
      return reply
        .code(created ? 202 : 200)
        .header('location', `/api/v1/registries/${registry.name}/syncs/${sync.id}`)
        .send(syncJson(sync));
    },
  );

  app.get<{ Params: { name: string }; Querystring: { limit: number } }>(
    '/api/v1/registries/:name/syncs',
    {
      schema: {
        ...base,
        summary: 'The registry syncs, newest first',
        params: registryParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['syncs'],
            properties: { syncs: { type: 'array', items: syncSchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const registry = await registryOf(request.params.name);
      const syncs = await database.registrySyncs.list(registry.id, request.query.limit);
      return { syncs: syncs.map(syncJson) };
    },
  );

  app.get<{ Params: { name: string; id: number } }>(
    '/api/v1/registries/:name/syncs/:id',
    {
      schema: {
        ...base,
        summary: 'One sync: its status and progress',
        params: {
          type: 'object',
          required: ['name', 'id'],
          properties: { ...registryParams.properties, id: idSchema },
        },
        response: { 200: syncSchema, ...errors },
      },
    },
    async (request) => {
      const registry = await registryOf(request.params.name);
      const sync = await database.registrySyncs.get(request.params.id);
      if (sync === null || sync.registryId !== registry.id) {
        throw new ApiError(
          'notFound',
          `no sync ${request.params.id} of registry "${registry.name}"`,
        );
      }
      return syncJson(sync);
    },
  );

  app.get<{ Params: { name: string }; Querystring: Page }>(
    '/api/v1/registries/:name/deletions',
    {
      schema: {
        ...base,
        summary: 'Deletions Winnow asked of the registry and their outcomes, newest first',
        params: registryParams,
        querystring: pageQuery,
        response: { 200: deletionsResponse, ...errors },
      },
    },
    async (request) => {
      const registry = await registryOf(request.params.name);
      const deletions = await database.registryDeletions.list({
        registryId: registry.id,
        limit: request.query.limit,
        ...(request.query.before !== undefined && { beforeId: request.query.before }),
      });
      return page(deletions, `/api/v1/registries/${registry.name}/deletions`, request.query);
    },
  );

  app.get<{ Params: { id: number }; Querystring: Page }>(
    '/api/v1/runs/:id/registry-deletions',
    {
      schema: {
        tags: ['runs'],
        summary:
          "What became in the registries of the run's expired tags: deleted, absent, skipped (and why) or failed, per digest",
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: idSchema },
        },
        querystring: pageQuery,
        response: { 200: deletionsResponse, ...errors },
      },
    },
    async (request) => {
      if ((await database.runs.get(request.params.id)) === null) {
        throw new ApiError('notFound', `no run ${request.params.id}`);
      }
      const deletions = await database.registryDeletions.list({
        runId: request.params.id,
        limit: request.query.limit,
        ...(request.query.before !== undefined && { beforeId: request.query.before }),
      });
      return page(deletions, `/api/v1/runs/${request.params.id}/registry-deletions`, request.query);
    },
  );
  // Fastify awaits plugin functions; the routes above are registered synchronously.
  await Promise.resolve();
}
