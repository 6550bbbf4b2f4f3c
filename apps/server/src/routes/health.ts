import type { FastifyInstance } from 'fastify';

/** Liveness: the process answers. Readiness (database, migrations) arrives with the data layer. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: {
          200: {
            type: 'object',
            required: ['status'],
            properties: { status: { type: 'string', enum: ['ok'] } },
          },
        },
      },
    },
    () => ({ status: 'ok' as const }),
  );
  await Promise.resolve();
}
