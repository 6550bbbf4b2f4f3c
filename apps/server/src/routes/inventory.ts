import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import { validateInventory } from '@winnow/engine';

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

/** Bulk import and export of the inventory snapshot format. */
export async function inventoryRoutes(
  app: FastifyInstance,
  { database }: { database: Database },
): Promise<void> {
  app.post(
    '/api/v1/inventory/import',
    {
      schema: {
        tags: ['inventory'],
        summary:
          'Import an inventory snapshot (idempotent: each repository is replaced by its snapshot)',
        body: { type: 'object' },
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
      const inventory = validateInventory(request.body, 'body');
      return database.inventory.importRepositories(inventory.repositories);
    },
  );
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
