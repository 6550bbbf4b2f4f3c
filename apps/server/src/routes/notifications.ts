import type { FastifyInstance } from 'fastify';
import type { Database, NotificationEndpointRecord, TransactionStores } from '@winnow/db';
import { audited } from '../audit';
import { ApiError } from '../errors';
import { assertConsistent, changesOf, newEndpointOf } from '../notifications/endpoint-input';
import { enqueueTestNotification } from '../notifications/enqueue';
import {
  type ChangeBody,
  changeBody,
  type CreateBody,
  createBody,
  deliveriesQuery,
  deliveriesResponse,
  deliveryJson,
  deliverySchema,
  endpointJson,
  endpointParams,
  endpointSchema,
} from './notification-schemas';

const errors = {
  400: { $ref: 'ErrorBody#' },
  404: { $ref: 'ErrorBody#' },
  409: { $ref: 'ErrorBody#' },
};
const target = (name: string) => `notification:${name}`;

/** What the audit log says of an endpoint: everything but the secret, whether it has one. */
const auditDetails = (endpoint: NotificationEndpointRecord) => ({
  id: endpoint.id,
  scope: endpoint.scope,
  namespace: endpoint.namespace,
  format: endpoint.format,
  events: endpoint.events,
  enabled: endpoint.enabled,
  secretSet: endpoint.secret !== null,
});

export interface NotificationRouteOptions {
  readonly database: Database;
  readonly clock: () => Date;
  /** The key the endpoints' secrets are encrypted with (WINNOW_SECRET_KEY). */
  readonly secretKey: Buffer | undefined;
}

interface Params {
  id: number;
}

/** Webhook endpoints told when runs finish, and their deliveries (docs/notifications.md). */
export async function notificationRoutes(
  app: FastifyInstance,
  { database, clock, secretKey }: NotificationRouteOptions,
): Promise<void> {
  const base = { tags: ['notifications'] };
  const existing = async (stores: Pick<TransactionStores, 'notifications'>, id: number) => {
    const endpoint = await stores.notifications.get(id);
    if (endpoint === null) throw new ApiError('notFound', `no notification endpoint ${id}`);
    return endpoint;
  };
  app.get(
    '/api/v1/notifications',
    {
      schema: {
        ...base,
        summary: 'Every webhook endpoint, by name (never a secret)',
        response: {
          200: {
            type: 'object',
            required: ['endpoints'],
            properties: { endpoints: { type: 'array', items: endpointSchema } },
          },
        },
      },
    },
    async () => ({ endpoints: (await database.notifications.list()).map(endpointJson) }),
  );
  app.post<{ Body: CreateBody }>(
    '/api/v1/notifications',
    {
      schema: {
        ...base,
        summary: 'Create a webhook endpoint told when runs finish (409 if the name is taken)',
        body: createBody,
        response: { 201: endpointSchema, ...errors },
      },
    },
    async (request, reply) => {
      const endpoint = newEndpointOf(request.body, secretKey);
      const created = await audited(
        database,
        async (stores) => {
          await assertConsistent(stores, endpoint);
          return stores.notifications.create(endpoint);
        },
        (stored) => ({
          action: 'notification.create',
          target: target(stored.name),
          details: auditDetails(stored),
        }),
      );
      return reply
        .status(201)
        .header('location', `/api/v1/notifications/${created.id}`)
        .send(endpointJson(created));
    },
  );
  app.get<{ Params: Params }>(
    '/api/v1/notifications/:id',
    {
      schema: {
        ...base,
        summary: 'One webhook endpoint (never its secret)',
        params: endpointParams,
        response: { 200: endpointSchema, ...errors },
      },
    },
    async (request) => endpointJson(await existing(database, request.params.id)),
  );
  app.patch<{ Params: Params; Body: ChangeBody }>(
    '/api/v1/notifications/:id',
    {
      schema: {
        ...base,
        summary: 'Change some fields of a webhook endpoint; an omitted secret is kept',
        params: endpointParams,
        body: changeBody,
        response: { 200: endpointSchema, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      // Moving to the server scope drops the namespace unless the body names one.
      const changes = changesOf(
        body.scope === 'server' && body.namespace === undefined
          ? { ...body, namespace: null }
          : body,
        secretKey,
      );
      const updated = await audited(
        database,
        async (stores) => {
          const current = await existing(stores, id);
          await assertConsistent(stores, { ...current, ...changes });
          return stores.notifications.update(id, changes);
        },
        (stored) => ({
          action: 'notification.update',
          target: target(stored.name),
          details: {
            ...auditDetails(stored),
            changed: Object.keys(body).sort(),
            ...(body.secret !== undefined && {
              secret: body.secret === null ? 'cleared' : 'replaced',
            }),
          },
        }),
      );
      return endpointJson(updated);
    },
  );
  app.delete<{ Params: Params }>(
    '/api/v1/notifications/:id',
    {
      schema: {
        ...base,
        summary: 'Delete a webhook endpoint and its deliveries, sent or not',
        params: endpointParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await audited(
        database,
        async (stores) => {
          const endpoint = await existing(stores, id);
          await stores.notifications.delete(id);
          return endpoint;
        },
        (endpoint) => ({ action: 'notification.delete', target: target(endpoint.name) }),
      );
      return reply.status(204).send();
    },
  );
  app.get<{
    Params: Params;
    Querystring: { limit: number; before?: number; payload: boolean };
  }>(
    '/api/v1/notifications/:id/deliveries',
    {
      schema: {
        ...base,
        summary:
          "The endpoint's deliveries, newest first: status, attempts, last status code and error (paged: limit, before)",
        params: endpointParams,
        querystring: deliveriesQuery,
        response: { 200: deliveriesResponse, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { limit, before, payload } = request.query;
      await existing(database, id);
      const deliveries = await database.notifications.deliveries({
        endpointId: id,
        limit,
        ...(before !== undefined && { beforeId: before }),
      });
      const last = deliveries[limit - 1];
      return {
        deliveries: deliveries.map((d) => deliveryJson(d, payload)),
        ...(last !== undefined && {
          next: `/api/v1/notifications/${id}/deliveries?limit=${limit}&before=${last.id}${payload ? '&payload=true' : ''}`,
        }),
      };
    },
  );
  app.post<{ Params: Params }>(
    '/api/v1/notifications/:id/test',
    {
      schema: {
        ...base,
        summary:
          'Queue a test delivery (event test) to the endpoint: 202 with the delivery; follow it in /deliveries',
        params: endpointParams,
        response: { 202: deliverySchema, ...errors },
      },
    },
    async (request, reply) => {
      const queued = await database.transaction(async (stores) =>
        enqueueTestNotification(stores, await existing(stores, request.params.id), clock()),
      );
      return reply.status(202).send(deliveryJson(queued));
    },
  );
  await Promise.resolve();
}
