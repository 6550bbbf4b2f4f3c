import type { NotificationDeliveryRecord, NotificationEndpointRecord } from '@winnow/db';
import { NamePattern } from '@winnow/engine';
import { RUN_EVENTS } from '../notifications/payload';
import { namespaceName } from './inventory-schemas';
import { idSchema } from './id-schema';

const endpointName = {
  type: 'string',
  pattern: NamePattern.namespace,
  maxLength: 64,
  'x-expected': 'an endpoint name (lower case, e.g. ops-slack)',
} as const;

export const endpointParams = {
  type: 'object',
  required: ['id'],
  properties: { id: idSchema },
} as const;

const secret = {
  type: 'string',
  minLength: 16,
  maxLength: 4096,
  description:
    'The HMAC-SHA256 key deliveries are signed with (at least 16 characters, e.g. openssl rand -hex 32): stored encrypted, never returned',
} as const;

const settings = {
  scope: {
    type: 'string',
    enum: ['server', 'namespace'],
    description: 'server: every run; namespace: the runs that touched `namespace`',
  },
  namespace: { ...namespaceName, description: 'The namespace of a namespace endpoint' },
  url: {
    type: 'string',
    minLength: 1,
    maxLength: 2048,
    description: 'http or https URL the deliveries are POSTed to',
  },
  format: {
    type: 'string',
    enum: ['generic', 'slack'],
    description: "generic: Winnow's JSON event; slack: a Slack incoming-webhook message",
  },
  events: {
    type: 'array',
    items: { type: 'string', enum: RUN_EVENTS },
    uniqueItems: true,
    minItems: 1,
    description: 'The events it is sent (default: all)',
  },
  enabled: { type: 'boolean' },
} as const;

export const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url'],
  properties: {
    name: endpointName,
    ...settings,
    secret: { ...secret, description: `${secret.description}; required for the generic format` },
  },
} as const;

export const changeBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ...settings,
    namespace: { ...settings.namespace, type: ['string', 'null'] },
    secret: {
      ...secret,
      type: ['string', 'null'],
      description: `${secret.description}; omitted: kept; null: cleared (slack only)`,
    },
  },
} as const;

export interface ChangeBody {
  readonly scope?: 'server' | 'namespace';
  readonly namespace?: string | null;
  readonly url?: string;
  readonly format?: 'generic' | 'slack';
  readonly secret?: string | null;
  readonly events?: string[];
  readonly enabled?: boolean;
}

export interface CreateBody extends ChangeBody {
  readonly name: string;
  readonly url: string;
  readonly secret?: string;
}

const time = { type: 'string', format: 'date-time' } as const;

/** An endpoint as the API shows it: never its secret, only whether it has one. */
export const endpointSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'scope',
    'namespace',
    'url',
    'format',
    'secretSet',
    'events',
    'enabled',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    scope: { type: 'string', enum: ['server', 'namespace'] },
    namespace: { type: ['string', 'null'] },
    url: {
      type: 'string',
      description:
        'the origin and first path segment of the URL; the rest, a credential in webhook URLs, shows as …',
    },
    format: { type: 'string', enum: ['generic', 'slack'] },
    secretSet: { type: 'boolean' },
    events: { type: 'array', items: { type: 'string' } },
    enabled: { type: 'boolean' },
    createdAt: time,
    updatedAt: time,
  },
} as const;

/** The API's view of an endpoint: the secret is left out by construction. */
/**
 * The URL as the API shows it: its origin and first path segment, the rest masked. Webhook URLs
 * commonly carry their token in the path (Slack's `/services/T…/B…/token`, Discord's, Teams')
 * or the query, so they are written, never read back.
 */
export function maskedUrl(text: string): string {
  const url = new URL(text);
  const [first = '', ...rest] = url.pathname.split('/').filter((segment) => segment !== '');
  const hidden = rest.length > 0 || url.search !== '';
  return `${url.origin}/${first}${hidden ? `${first === '' ? '' : '/'}…` : ''}`;
}

export function endpointJson(endpoint: NotificationEndpointRecord) {
  return {
    id: endpoint.id,
    name: endpoint.name,
    scope: endpoint.scope,
    namespace: endpoint.namespace,
    url: maskedUrl(endpoint.url),
    format: endpoint.format,
    secretSet: endpoint.secret !== null,
    events: endpoint.events,
    enabled: endpoint.enabled,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

export const deliverySchema = {
  type: 'object',
  required: [
    'id',
    'runId',
    'event',
    'status',
    'attempts',
    'nextAttemptAt',
    'lastStatusCode',
    'lastError',
    'createdAt',
    'deliveredAt',
  ],
  properties: {
    id: { type: 'integer', description: 'Also the X-Winnow-Delivery header of its requests' },
    runId: { type: ['integer', 'null'], description: 'null for a test delivery' },
    event: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer' },
    nextAttemptAt: time,
    lastStatusCode: { type: ['integer', 'null'] },
    lastError: { type: ['string', 'null'] },
    createdAt: time,
    deliveredAt: { type: ['string', 'null'], format: 'date-time' },
    payload: { description: 'The request body (with ?payload=true)' },
  },
} as const;

export function deliveryJson(delivery: NotificationDeliveryRecord, withPayload = false) {
  return {
    id: delivery.id,
    runId: delivery.runId,
    event: delivery.event,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt.toISOString(),
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    ...(withPayload && { payload: JSON.parse(delivery.payload) as unknown }),
  };
}

export const deliveriesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    before: { ...idSchema, description: 'Only deliveries with a smaller id' },
    payload: { type: 'boolean', default: false, description: 'Include each request body' },
  },
} as const;

export const deliveriesResponse = {
  type: 'object',
  required: ['deliveries'],
  properties: {
    deliveries: { type: 'array', items: deliverySchema },
    next: { type: 'string', description: 'The URL of the next (older) page' },
  },
} as const;
