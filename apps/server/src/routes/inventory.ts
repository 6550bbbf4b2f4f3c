import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import { auditAfter } from '../audit';
import { ApiError } from '../errors';
import { streamRepositories } from '../import/stream-inventory';

/** The snapshot as JSON text, one repository at a time, from the store's cursor. */
async function* snapshotText(database: Database): AsyncGenerator<string> {
  yield '{"apiVersion":"winnow/v1","kind":"Inventory","repositories":[';
  let first = true;
  for await (const repository of database.inventory.exportRepositories()) {
    yield `${first ? '' : ','}${JSON.stringify(repository)}`;
    first = false;
  }
  yield ']}\n';
}

/** A 1,000,000-tag snapshot is far above the app's 1 MiB (DEFAULT_BODY_LIMIT); the body is streamed, never held. */
const IMPORT_BODY_LIMIT = 4 * 1024 * 1024 * 1024;

/**
 * The import route in its own scope: its JSON parser hands over the raw stream, so the snapshot
 * is parsed and stored one repository at a time (other routes keep Fastify's JSON parser).
 */
async function importRoute(
  app: FastifyInstance,
  { database }: { database: Database },
): Promise<void> {
  app.addContentTypeParser('application/json', (_request, payload, done) => {
    done(null, payload);
  });
  app.post(
    '/api/v1/inventory/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['inventory'],
        summary:
          'Import an inventory snapshot (idempotent: each repository is replaced by its snapshot)',
        description:
          'The body (application/json) is streamed and validated repository by repository; ' +
          'repositories before an invalid one are already stored.',
        response: {
          200: {
            type: 'object',
            required: ['repositories'],
            properties: { repositories: { type: 'integer' } },
          },
          400: { $ref: 'ErrorBody#' },
        },
      },
    },
    async (request) => {
      // Other content types (text/plain) still reach here through the inherited parsers.
      if (!(request.body instanceof Readable)) {
        throw new ApiError('unsupportedMediaType', 'expected an application/json body');
      }
      const summary = await database.inventory.importRepositories(
        streamRepositories(request.body, request.routeOptions.bodyLimit),
      );
      await auditAfter(database, {
        action: 'inventory.import',
        target: 'inventory',
        details: { ...summary },
      });
      return summary;
    },
  );
  await Promise.resolve();
}

/** Bulk import and export of the inventory snapshot format. */
export async function inventoryRoutes(
  app: FastifyInstance,
  { database }: { database: Database },
): Promise<void> {
  await app.register(importRoute, { database });
  app.get(
    '/api/v1/inventory/export',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Export the whole inventory as a snapshot, streamed',
        produces: ['application/json'],
      },
    },
    (_request, reply) => reply.type('application/json').send(Readable.from(snapshotText(database))),
  );
  await Promise.resolve();
}
