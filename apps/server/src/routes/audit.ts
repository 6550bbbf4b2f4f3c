import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import { MAX_ID } from './id-schema';

const entrySchema = {
  type: 'object',
  required: ['id', 'at', 'actor', 'action', 'target', 'details'],
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string' },
    action: { type: 'string' },
    target: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

/** The audit log: every change made through the API, oldest first, paged by cursor. */
export async function auditRoutes(
  app: FastifyInstance,
  { database }: { database: Database },
): Promise<void> {
  app.get<{ Querystring: { after?: number; limit?: number; target?: string } }>(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit log entries, oldest first; pass the last id as `after` for the next page',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0, maximum: MAX_ID },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            target: { type: 'string', maxLength: 512 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['entries'],
            properties: { entries: { type: 'array', items: entrySchema } },
          },
          400: { $ref: 'ErrorBody#' },
        },
      },
    },
    async (request) => ({
      entries: (await database.audit.list(request.query)).map((e) => ({
        ...e,
        at: e.at.toISOString(),
      })),
    }),
  );
  await Promise.resolve();
}
