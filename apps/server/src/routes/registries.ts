import type { FastifyInstance } from 'fastify';
import type { Database, RegistryRecord } from '@winnow/db';
import { audited } from '../audit';
import { ApiError } from '../errors';
import { checkRegistry } from '../registries/check';
import { assertNamespacesExist, changesOf, newRegistryOf } from '../registries/registry-input';
import {
  type ChangeBody,
  changeBody,
  checkSchema,
  type CreateBody,
  createBody,
  registryJson,
  registryParams,
  registrySchema,
} from './registry-schemas';

const errors = {
  400: { $ref: 'ErrorBody#' },
  404: { $ref: 'ErrorBody#' },
  409: { $ref: 'ErrorBody#' },
};
const target = (name: string) => `registry:${name}`;

/** What the audit log says of a registry: everything but the secret, whether it has one. */
const auditDetails = (registry: RegistryRecord) => ({
  url: registry.url,
  authKind: registry.authKind,
  username: registry.username,
  hasSecret: registry.secret !== null,
  namespaces: registry.namespaces,
});

export interface RegistryRouteOptions {
  readonly database: Database;
  readonly clock: () => Date;
  /** The key of the registries' secrets (WINNOW_SECRET_KEY); none: no secret can be stored. */
  readonly secretKey: Buffer | undefined;
}

/**
 * Registry connections: where the registries are, how to authenticate to them (the secret is
 * stored encrypted and never returned), which namespaces each serves (docs/registry.md).
 */
export async function registryRoutes(
  app: FastifyInstance,
  { database, clock, secretKey }: RegistryRouteOptions,
): Promise<void> {
  const notFound = (name: string) => new ApiError('notFound', `no registry "${name}"`);
  const base = { tags: ['registries'] };
  app.get(
    '/api/v1/registries',
    {
      schema: {
        ...base,
        summary: 'Every registry connection, by name (never a secret)',
        response: {
          200: {
            type: 'object',
            required: ['registries'],
            properties: { registries: { type: 'array', items: registrySchema } },
          },
        },
      },
    },
    async () => ({ registries: (await database.registries.list()).map(registryJson) }),
  );
  app.post<{ Body: CreateBody }>(
    '/api/v1/registries',
    {
      schema: {
        ...base,
        summary:
          'Create a registry connection (409 if the name is taken or a namespace is served by another registry)',
        body: createBody,
        response: { 201: registrySchema, ...errors },
      },
    },
    async (request, reply) => {
      const registry = newRegistryOf(request.body, { now: clock(), secretKey });
      const created = await audited(
        database,
        async (stores) => {
          await assertNamespacesExist(stores, registry.namespaces);
          return stores.registries.create(registry);
        },
        (stored) => ({
          action: 'registry.create',
          target: target(stored.name),
          details: auditDetails(stored),
        }),
      );
      return reply.status(201).send(registryJson(created));
    },
  );
  app.get<{ Params: { name: string } }>(
    '/api/v1/registries/:name',
    {
      schema: {
        ...base,
        summary: 'One registry connection (never its secret)',
        params: registryParams,
        response: { 200: registrySchema, ...errors },
      },
    },
    async (request) => {
      const registry = await database.registries.get(request.params.name);
      if (registry === null) throw notFound(request.params.name);
      return registryJson(registry);
    },
  );
  app.patch<{ Params: { name: string }; Body: ChangeBody }>(
    '/api/v1/registries/:name',
    {
      schema: {
        ...base,
        summary:
          'Change some fields of a registry connection; an omitted secret is kept, a null one cleared',
        params: registryParams,
        body: changeBody,
        response: { 200: registrySchema, ...errors },
      },
    },
    async (request) => {
      const { name } = request.params;
      const changes = changesOf(request.body, { now: clock(), secretKey });
      const secret = request.body.auth?.secret;
      const updated = await audited(
        database,
        async (stores) => {
          await assertNamespacesExist(stores, changes.namespaces);
          return stores.registries.update(name, changes);
        },
        (stored) => ({
          action: 'registry.update',
          target: target(name),
          details: {
            ...auditDetails(stored),
            changed: Object.keys(request.body).sort(),
            ...(secret !== undefined && { secret: secret === null ? 'cleared' : 'replaced' }),
          },
        }),
      );
      return registryJson(updated);
    },
  );
  app.delete<{ Params: { name: string } }>(
    '/api/v1/registries/:name',
    {
      schema: {
        ...base,
        summary: 'Delete a registry connection (the inventory of its namespaces stays)',
        params: registryParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      await audited(
        database,
        (stores) => stores.registries.delete(name),
        () => ({ action: 'registry.delete', target: target(name) }),
      );
      return reply.status(204).send();
    },
  );
  app.post<{ Params: { name: string } }>(
    '/api/v1/registries/:name/check',
    {
      schema: {
        ...base,
        summary:
          'Check the connection: GET /v2/ with its credentials; 200 with ok, or ok false, a code and a message',
        params: registryParams,
        response: { 200: checkSchema, 404: { $ref: 'ErrorBody#' } },
      },
    },
    async (request) => {
      const registry = await database.registries.get(request.params.name);
      if (registry === null) throw notFound(request.params.name);
      return checkRegistry(registry, secretKey);
    },
  );
  await Promise.resolve();
}
