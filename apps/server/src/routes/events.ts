import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type Database,
  DbErrorCode,
  type InventoryChange,
  type RegistryEventInput,
  type RegistryEventResult,
  WinnowDbError,
} from '@winnow/db';
import {
  inventoryEventOf,
  NOTIFICATION_CONTENT_TYPE,
  type NotificationEnvelope,
  type NotificationEvent,
  notificationEnvelopeSchema,
} from '@winnow/registry';
import { ApiError } from '../errors';
import type { Metrics } from '../metrics';

/** Who the audit log names for changes that registry events make. */
export const REGISTRY_ACTOR = 'registry';

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Whether the request carries `Bearer <secret>`, compared in constant time. */
function authorized(request: FastifyRequest, secret: string): boolean {
  const header = request.headers.authorization ?? '';
  // Hashing first gives both sides one length: timingSafeEqual needs it, and the time taken
  // says nothing of the secret's length.
  return timingSafeEqual(sha256(header), sha256(`Bearer ${secret}`));
}

/** `<namespace>/<rest>`: repository `<rest>` of namespace `<namespace>`; null without a slash. */
function splitRepository(path: string): { namespace: string; name: string } | null {
  const slash = path.indexOf('/');
  return slash < 0 ? null : { namespace: path.slice(0, slash), name: path.slice(slash + 1) };
}

function changeOf(event: NotificationEvent): InventoryChange | null {
  const meaning = inventoryEventOf(event);
  if (meaning === null) return null;
  const repository = splitRepository(meaning.repository);
  return repository === null ? null : { ...meaning, repository };
}

const countSchema = { type: 'integer', minimum: 0 } as const;

/**
 * Registry notifications (CNCF distribution's webhook): pushes, pulls and deletes of manifests
 * keep the inventory current between syncs. Each envelope is applied whole, in one transaction,
 * and each event once, whatever the redeliveries.
 */
export async function eventRoutes(
  app: FastifyInstance,
  options: { database: Database; metrics: Metrics; secret: string | undefined },
): Promise<void> {
  const { database, metrics, secret } = options;
  // The registry's own content type, parsed as JSON (this plugin's routes only).
  app.addContentTypeParser(
    NOTIFICATION_CONTENT_TYPE,
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  // Before the body is read: nothing of an unauthenticated request is parsed or validated.
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    if (secret === undefined) {
      throw new ApiError(
        'unavailable',
        'registry events are not configured: set WINNOW_EVENTS_SECRET and send it as a bearer token',
      );
    }
    if (!authorized(request, secret)) {
      // Never the header itself: it may be a near miss of the secret.
      request.log.warn({}, 'registry events: refused a request without the bearer secret');
      void reply.header('www-authenticate', 'Bearer');
      throw new ApiError('unauthorized', 'expected Authorization: Bearer <WINNOW_EVENTS_SECRET>');
    }
    await Promise.resolve();
  };
  app.post<{ Body: NotificationEnvelope }>(
    '/api/v1/events/distribution',
    {
      onRequest: authenticate,
      schema: {
        tags: ['events'],
        summary: `Registry notifications (${NOTIFICATION_CONTENT_TYPE} or JSON), authenticated by Bearer WINNOW_EVENTS_SECRET: manifest pushes, pulls and deletes update the inventory, each event once`,
        body: notificationEnvelopeSchema,
        response: {
          200: {
            type: 'object',
            required: ['accepted', 'applied', 'duplicates', 'ignored'],
            properties: {
              accepted: countSchema,
              applied: countSchema,
              duplicates: countSchema,
              ignored: countSchema,
            },
          },
          400: { $ref: 'ErrorBody#' },
          401: { $ref: 'ErrorBody#' },
          503: { $ref: 'ErrorBody#' },
        },
      },
    },
    async (request) => {
      const events: RegistryEventInput[] = request.body.events.map((event, i) => {
        const at = new Date(event.timestamp);
        // A timestamp of the right shape may still name no instant (month 13): a 400, not a 500.
        if (Number.isNaN(at.getTime())) {
          throw new ApiError('validation', 'invalid body', [
            { pointer: `/body/events/${i}/timestamp`, message: 'expected an RFC 3339 time' },
          ]);
        }
        return { id: event.id, action: event.action, at, change: changeOf(event) };
      });
      const apply = () =>
        database.transaction(async (stores) => {
          const applied = await stores.registryEvents.apply(events, new Date());
          await stores.audit.recordMany(
            applied.flatMap((result, i) => auditEntry(result, events[i])),
          );
          return applied;
        });
      const results = await apply().catch((error: unknown) => {
        // A concurrent delivery of the same events (a registry retrying after its timeout)
        // committed first: once more, they are duplicates.
        if (error instanceof WinnowDbError && error.code === DbErrorCode.conflict) return apply();
        throw error;
      });
      const count = (outcome: RegistryEventResult['outcome']) =>
        results.filter((result) => result.outcome === outcome).length;
      for (const { action, outcome } of results) metrics.registryEvents.inc({ action, outcome });
      results.forEach(({ id, action, outcome }, i) => {
        const change = events[i]?.change;
        const where = change && {
          namespace: change.repository.namespace,
          repository: `${change.repository.namespace}/${change.repository.name}`,
          tag: change.tag,
          digest: change.digest,
        };
        request.log.debug({ eventId: id, action, outcome, ...where }, 'registry event');
      });
      const counts = {
        accepted: results.length,
        applied: count('applied'),
        duplicates: count('duplicate'),
        ignored: count('ignored'),
      };
      request.log.debug(counts, 'registry events');
      return counts;
    },
  );
  await Promise.resolve();
}

/** A delete an event applied, for the audit log: the registry removed it, so Winnow did. */
function auditEntry(result: RegistryEventResult, event: RegistryEventInput | undefined) {
  const change = event?.change;
  if (result.deleted === undefined || change?.kind !== 'delete') return [];
  const path = `${change.repository.namespace}/${change.repository.name}`;
  return [
    {
      actor: REGISTRY_ACTOR,
      action: change.digest === undefined ? 'tag.delete' : 'manifest.delete',
      target:
        change.digest === undefined
          ? `tag:${path}:${change.tag ?? ''}`
          : `manifest:${path}@${change.digest}`,
      details: { event: result.id, tags: result.deleted.tags, manifest: result.deleted.manifest },
    },
  ];
}
