import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import { currentActor } from '../audit';
import { ApiError } from '../errors';
import type { Metrics } from '../metrics';
import {
  refOf,
  type RepositoryParams,
  repositoryParams,
  type TagParams,
  tagParams,
  tagSchema,
  tagTarget,
} from './inventory-schemas';

const listedTagSchema = {
  ...tagSchema,
  properties: {
    ...tagSchema.properties,
    expiredAt: { type: 'string', format: 'date-time' },
    expiredByRun: { type: ['integer', 'null'] },
    restorableUntil: { type: 'string', format: 'date-time' },
  },
} as const;

/**
 * A repository's tags, live or expired (soft-deleted by runs), and restore: an expired tag comes
 * back while its restore window lasts.
 */
export async function tagExpiryRoutes(
  app: FastifyInstance,
  options: { database: Database; metrics: Metrics; restoreWindowMs: number },
): Promise<void> {
  const { database, metrics, restoreWindowMs } = options;
  const repositoryPath = '/api/v1/namespaces/:namespace/repositories/:repository';
  app.get<{ Params: RepositoryParams; Querystring: { expired: boolean } }>(
    `${repositoryPath}/tags`,
    {
      schema: {
        tags: ['inventory'],
        summary:
          'The live tags of a repository, or with expired=true its expired tags: when, by which run, restorable until when',
        params: repositoryParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { expired: { type: 'boolean', default: false } },
        },
        response: {
          200: {
            type: 'object',
            required: ['tags'],
            properties: { tags: { type: 'array', items: listedTagSchema } },
          },
          400: { $ref: 'ErrorBody#' },
          404: { $ref: 'ErrorBody#' },
        },
      },
    },
    async (request) => {
      const ref = refOf(request.params);
      const notFound = () =>
        new ApiError('notFound', `no repository "${ref.namespace}/${ref.name}"`);
      if (!request.query.expired) {
        const repository = await database.repositories.get(ref);
        if (repository === null) throw notFound();
        return { tags: repository.tags };
      }
      const expired = await database.tags.listExpired(ref);
      if (expired.length === 0 && (await database.repositories.get(ref)) === null) throw notFound();
      return {
        tags: expired.map((e) => ({
          ...e.tag,
          expiredAt: e.expiredAt.toISOString(),
          expiredByRun: e.runId,
          restorableUntil: new Date(e.expiredAt.getTime() + restoreWindowMs).toISOString(),
        })),
      };
    },
  );
  app.post<{ Params: TagParams }>(
    `${repositoryPath}/tags/:tag/restore`,
    {
      schema: {
        tags: ['inventory'],
        summary:
          'Restore a tag a run expired, while its restore window lasts (404 no such tag, 409 it is live, 410 the window has ended)',
        params: tagParams,
        response: {
          200: tagSchema,
          400: { $ref: 'ErrorBody#' },
          404: { $ref: 'ErrorBody#' },
          409: { $ref: 'ErrorBody#' },
          410: { $ref: 'ErrorBody#' },
        },
      },
    },
    async (request) => {
      const restored = await database.transaction(async (stores) => {
        const tag = await stores.tags.restore(refOf(request.params), request.params.tag, {
          windowMs: restoreWindowMs,
        });
        await stores.audit.record({
          actor: currentActor(),
          action: 'tag.restore',
          target: tagTarget(request.params),
          details: {
            digest: tag.tag.digest,
            expiredAt: tag.expiredAt.toISOString(),
            run: tag.runId,
          },
        });
        return tag;
      });
      metrics.tagsRestored.inc({ namespace: request.params.namespace });
      return restored.tag;
    },
  );
  await Promise.resolve();
}
