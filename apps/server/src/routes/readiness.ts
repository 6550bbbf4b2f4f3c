import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import { ApiError } from '../errors';

/**
 * Readiness: the database answers. Migrations are applied before the server listens, so a server
 * that answers has them.
 */
export async function readinessRoutes(
  app: FastifyInstance,
  { database }: { database: Database },
): Promise<void> {
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database is reachable and migrated',
        response: {
          200: {
            type: 'object',
            required: ['status'],
            properties: { status: { type: 'string', enum: ['ready'] } },
          },
          503: { $ref: 'ErrorBody#' },
        },
      },
    },
    async (request) => {
      try {
        await database.ping();
      } catch (error) {
        request.log.warn({ err: error }, 'database not reachable');
        throw new ApiError('unavailable', 'the database is not reachable');
      }
      return { status: 'ready' as const };
    },
  );
  await Promise.resolve();
}
