import type { Scope } from '@winnow/engine';

import type { DbTransaction } from '../client';
import { translated } from '../errors';
import type { Prisma } from '../generated/postgresql/client';

export type NotificationScope = 'server' | 'namespace';
export type NotificationFormat = 'generic' | 'slack';
export type NotificationDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A webhook told when runs finish. `secret` is stored as given: the caller encrypts it. */
export interface NotificationEndpointRecord {
  readonly id: number;
  readonly name: string;
  /** `server`: every run; `namespace`: the runs that touched `namespace`. */
  readonly scope: NotificationScope;
  readonly namespace: string | null;
  readonly url: string;
  readonly format: NotificationFormat;
  /** The encrypted signing key; null: deliveries are not signed. */
  readonly secret: string | null;
  /** The events it is sent (`run.succeeded`, ...). */
  readonly events: readonly string[];
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewNotificationEndpoint = Omit<
  NotificationEndpointRecord,
  'id' | 'createdAt' | 'updatedAt'
>;
/** The fields to change; absent ones stay (`null` clears a nullable one). */
export type NotificationEndpointChanges = Partial<Omit<NewNotificationEndpoint, 'name'>>;

export interface NotificationDeliveryRecord {
  readonly id: number;
  readonly endpointId: number;
  /** Null for a test delivery. */
  readonly runId: number | null;
  readonly event: string;
  /** The request body, as sent. */
  readonly payload: string;
  readonly status: NotificationDeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
}

export interface NewNotificationDelivery {
  readonly endpointId: number;
  readonly runId: number | null;
  readonly event: string;
  readonly payload: string;
}

/** A delivery a dispatcher holds, with what sending it needs. `attempts` counts this one. */
export interface ClaimedDelivery extends NotificationDeliveryRecord {
  readonly endpoint: Pick<NotificationEndpointRecord, 'name' | 'url' | 'format' | 'secret'>;
  readonly leaseExpiresAt: Date;
}

/** What came of an attempt: sent, to try again at `nextAttemptAt`, or given up. */
export type DeliveryOutcome =
  | { readonly status: 'delivered'; readonly statusCode: number }
  | {
      readonly status: 'pending';
      readonly nextAttemptAt: Date;
      readonly statusCode: number | null;
      readonly error: string;
    }
  | { readonly status: 'failed'; readonly statusCode: number | null; readonly error: string };

export interface NotificationStore {
  /** WINNOW_DB_CONFLICT if the name is taken. */
  create(endpoint: NewNotificationEndpoint): Promise<NotificationEndpointRecord>;
  /** By name. */
  list(): Promise<NotificationEndpointRecord[]>;
  get(id: number): Promise<NotificationEndpointRecord | null>;
  /** WINNOW_DB_NOT_FOUND if there is none. */
  update(id: number, changes: NotificationEndpointChanges): Promise<NotificationEndpointRecord>;
  /** WINNOW_DB_NOT_FOUND if there is none; its deliveries go with it. */
  delete(id: number): Promise<void>;
  /**
   * The enabled endpoints that want `event` of run `runId` of `scope`: server endpoints, and
   * namespace endpoints of a namespace the run touched (its scope's, or one of its repositories').
   */
  subscribed(input: {
    readonly event: string;
    readonly runId: number;
    readonly scope: Scope;
  }): Promise<NotificationEndpointRecord[]>;
  /** Queues deliveries, due now (in the caller's transaction: the outbox). */
  enqueue(deliveries: readonly NewNotificationDelivery[]): Promise<NotificationDeliveryRecord[]>;
  /** An endpoint's deliveries, newest first, with an id below `beforeId`. */
  deliveries(input: {
    readonly endpointId: number;
    readonly limit: number;
    readonly beforeId?: number;
  }): Promise<NotificationDeliveryRecord[]>;
  getDelivery(id: number): Promise<NotificationDeliveryRecord | null>;
  /**
   * Claims up to `limit` due deliveries of enabled endpoints for `owner` for `leaseMs`: pending
   * ones whose next attempt is due and that nobody holds (or whose holder's lease ran out). Of
   * dispatchers racing for one, one gets it.
   */
  claim(input: {
    readonly owner: string;
    readonly limit: number;
    readonly leaseMs: number;
  }): Promise<ClaimedDelivery[]>;
  /** Records an attempt's outcome and ends the lease; false (nothing written) if `owner` lost it. */
  complete(id: number, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
}

type EndpointRow = Prisma.NotificationEndpointGetPayload<object>;
type DeliveryRow = Prisma.NotificationDeliveryGetPayload<object>;

function endpointOf(row: EndpointRow): NotificationEndpointRecord {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as NotificationScope,
    namespace: row.namespace,
    url: row.url,
    format: row.format as NotificationFormat,
    secret: row.secret,
    events: row.events as string[],
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function deliveryOf(row: DeliveryRow): NotificationDeliveryRecord {
  return {
    id: row.id,
    endpointId: row.endpointId,
    runId: row.runId,
    event: row.event,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
  };
}

function dataOf(changes: NotificationEndpointChanges): Prisma.NotificationEndpointUpdateInput {
  const { events, ...plain } = changes;
  return { ...plain, ...(events !== undefined && { events: [...events] }) };
}

export function notificationStore(db: DbTransaction, clock: () => Date): NotificationStore {
  const what = (id: number | string) => `notification endpoint ${id}`;
  return {
    create: (endpoint) =>
      translated(what(endpoint.name), async () =>
        endpointOf(
          await db.notificationEndpoint.create({
            data: { ...endpoint, events: [...endpoint.events] },
          }),
        ),
      ),
    list: async () =>
      (await db.notificationEndpoint.findMany({ orderBy: { name: 'asc' } })).map(endpointOf),
    get: async (id) => {
      const row = await db.notificationEndpoint.findUnique({ where: { id } });
      return row === null ? null : endpointOf(row);
    },
    update: (id, changes) =>
      translated(what(id), async () =>
        endpointOf(await db.notificationEndpoint.update({ where: { id }, data: dataOf(changes) })),
      ),
    delete: (id) =>
      translated(what(id), async () => {
        await db.notificationEndpoint.delete({ where: { id } });
      }),
    subscribed: async ({ event, runId, scope }) => {
      const rows = await db.notificationEndpoint.findMany({
        where: { enabled: true },
        orderBy: { id: 'asc' },
      });
      const wanted = rows.filter((row) => (row.events as string[]).includes(event));
      const result: NotificationEndpointRecord[] = [];
      for (const row of wanted) {
        if (row.scope === 'server') result.push(endpointOf(row));
        else if (row.namespace !== null && (await touched(db, runId, scope, row.namespace))) {
          result.push(endpointOf(row));
        }
      }
      return result;
    },
    enqueue: async (deliveries) => {
      const now = clock();
      const created: NotificationDeliveryRecord[] = [];
      // One row at a time: createMany returns no ids on SQLite, and endpoints are few.
      for (const delivery of deliveries) {
        const row = await db.notificationDelivery.create({
          data: { ...delivery, nextAttemptAt: now, createdAt: now },
        });
        created.push(deliveryOf(row));
      }
      return created;
    },
    deliveries: async ({ endpointId, limit, beforeId }) =>
      (
        await db.notificationDelivery.findMany({
          where: { endpointId, ...(beforeId !== undefined && { id: { lt: beforeId } }) },
          orderBy: { id: 'desc' },
          take: limit,
        })
      ).map(deliveryOf),
    getDelivery: async (id) => {
      const row = await db.notificationDelivery.findUnique({ where: { id } });
      return row === null ? null : deliveryOf(row);
    },
    claim: async ({ owner, limit, leaseMs }) => {
      const now = clock();
      const leaseExpiresAt = new Date(now.getTime() + leaseMs);
      const free = {
        status: 'pending' as const,
        nextAttemptAt: { lte: now },
        OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lte: now } }],
      };
      const candidates = await db.notificationDelivery.findMany({
        where: { ...free, endpoint: { enabled: true } },
        orderBy: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
        select: { id: true },
        take: limit,
      });
      const claimed: ClaimedDelivery[] = [];
      for (const { id } of candidates) {
        // Conditional update: PostgreSQL re-checks the condition once a racing claimer's update
        // commits, so of two dispatchers one changes the row; SQLite serializes writes.
        const { count } = await db.notificationDelivery.updateMany({
          where: { id, ...free },
          data: { leaseOwner: owner, leaseExpiresAt, attempts: { increment: 1 } },
        });
        if (count !== 1) continue;
        const row = await db.notificationDelivery.findUnique({
          where: { id },
          include: { endpoint: { select: { name: true, url: true, format: true, secret: true } } },
        });
        if (row === null) continue;
        const { endpoint, ...delivery } = row;
        claimed.push({
          ...deliveryOf(delivery),
          leaseExpiresAt,
          endpoint: { ...endpoint, format: endpoint.format as NotificationFormat },
        });
      }
      return claimed;
    },
    complete: async (id, owner, outcome) => {
      const now = clock();
      const { count } = await db.notificationDelivery.updateMany({
        where: { id, leaseOwner: owner, status: 'pending' },
        data: {
          status: outcome.status,
          leaseOwner: null,
          leaseExpiresAt: null,
          lastStatusCode: outcome.statusCode,
          lastError: outcome.status === 'delivered' ? null : outcome.error,
          ...(outcome.status === 'delivered' && { deliveredAt: now }),
          ...(outcome.status === 'pending' && { nextAttemptAt: outcome.nextAttemptAt }),
        },
      });
      return count === 1;
    },
  };
}

/**
 * Whether run `runId` of `scope` touched `namespace`: its scope is in it, or one of its tasks is
 * (a repository deleted since the run started no longer counts).
 */
async function touched(
  db: DbTransaction,
  runId: number,
  scope: Scope,
  namespace: string,
): Promise<boolean> {
  if (scope.level !== 'server') return scope.namespace === namespace;
  const task = await db.runTask.findFirst({
    where: { runId, repository: { namespace: { name: namespace } } },
    select: { id: true },
  });
  return task !== null;
}
