import type { FastifyInstance } from 'fastify';
import { ruleKindCatalogue } from '@winnow/engine';

const anyJson = {}; // a JSON Schema or an example: passed through as is

/** The catalogue of selectors and conditions, generated from the engine's registry. */
export async function ruleKindRoutes(app: FastifyInstance): Promise<void> {
  const catalogue = ruleKindCatalogue();
  app.get(
    '/api/v1/rule-kinds',
    {
      schema: {
        tags: ['policies'],
        summary: 'Selectors and conditions of the policy language, with their parameter schemas',
        response: {
          200: {
            type: 'object',
            required: ['conditions', 'selectors'],
            properties: {
              conditions: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['key', 'summary', 'parameters', 'by', 'defaultBy', 'example'],
                  properties: {
                    key: { type: 'string' },
                    summary: { type: 'string' },
                    parameters: anyJson,
                    by: { type: 'array', items: { type: 'string' } },
                    defaultBy: { type: ['string', 'null'] },
                    example: anyJson,
                  },
                },
              },
              selectors: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['key', 'summary', 'parameters', 'levels', 'example'],
                  properties: {
                    key: { type: 'string' },
                    summary: { type: 'string' },
                    parameters: anyJson,
                    levels: { type: 'array', items: { type: 'string' } },
                    example: anyJson,
                  },
                },
              },
            },
          },
        },
      },
    },
    () => catalogue,
  );
  await Promise.resolve();
}
