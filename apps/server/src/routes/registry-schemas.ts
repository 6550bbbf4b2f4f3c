import { CONNECTOR_KINDS } from '../registries/connectors';
import type { RegistryAuthKind, RegistryRecord } from '@winnow/db';
import { NamePattern } from '@winnow/engine';
import { namespaceName } from './inventory-schemas';

const registryName = {
  type: 'string',
  pattern: NamePattern.namespace,
  maxLength: 64,
  'x-expected': 'a registry name (lower case, e.g. hub)',
} as const;

export const registryParams = {
  type: 'object',
  required: ['name'],
  properties: { name: registryName },
} as const;

const username = { type: 'string', minLength: 1, maxLength: 255 } as const;
const secret = {
  type: 'string',
  minLength: 1,
  maxLength: 4096,
  description: 'The password or token: stored encrypted, never returned',
} as const;

/** `secretRequired`: creating; a change may omit the secret (kept) or clear it (null). */
const authSchema = (secretRequired: boolean) => ({
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: { kind: { type: 'string', enum: ['anonymous'] } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'username', ...(secretRequired ? ['secret'] : [])],
      properties: {
        kind: { type: 'string', enum: ['basic', 'token'] },
        username,
        secret: secretRequired ? secret : { ...secret, type: ['string', 'null'] },
      },
    },
  ],
  'x-expected': secretRequired
    ? '{"kind": "anonymous"}, or {"kind": "basic" or "token", "username", "secret"}'
    : '{"kind": "anonymous"}, or {"kind": "basic" or "token", "username", "secret" (omitted: kept; null: cleared)}',
});

const syncSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['cron'],
  description: 'Sync the registry on a schedule (null: never)',
  properties: {
    cron: {
      type: 'string',
      minLength: 1,
      maxLength: 120,
      description:
        '5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly',
    },
    timezone: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'IANA time zone the expression is read in (default UTC)',
    },
  },
} as const;

const settings = {
  url: {
    type: 'string',
    minLength: 1,
    maxLength: 2048,
    description: 'http or https base URL, without user information, query, fragment or /v2/',
  },
  namespaces: {
    type: 'array',
    items: namespaceName,
    uniqueItems: true,
    maxItems: 1000,
    description: 'Existing namespaces this registry serves; none served by another registry',
  },
  tls: {
    type: 'object',
    additionalProperties: false,
    properties: {
      caCertificate: {
        type: 'string',
        minLength: 1,
        maxLength: 65_536,
        pattern: '-----BEGIN CERTIFICATE-----',
        'x-expected': 'a PEM certificate (-----BEGIN CERTIFICATE----- ...)',
      },
      insecureSkipVerify: { type: 'boolean' },
    },
  },
  concurrency: { type: 'integer', minimum: 1, maximum: 64 },
  requestsPerSecond: {
    type: ['integer', 'null'],
    minimum: 1,
    maximum: 10_000,
    description: 'null: no rate limit',
  },
  timeoutMs: { type: 'integer', minimum: 1000, maximum: 300_000 },
  deleteImmediately: { type: 'boolean' },
  sync: syncSchema,
} as const;

export const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url'],
  properties: {
    name: registryName,
    kind: {
      type: 'string',
      enum: CONNECTOR_KINDS,
      description: 'The connector (default distribution: the OCI distribution API)',
    },
    auth: authSchema(true),
    ...settings,
  },
} as const;

export const changeBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { auth: authSchema(false), ...settings },
} as const;

export interface AuthBody {
  readonly kind: RegistryAuthKind;
  readonly username?: string;
  readonly secret?: string | null;
}

export interface SyncBody {
  readonly cron: string;
  readonly timezone?: string;
}

/** A change: every field optional. */
export interface ChangeBody {
  readonly url?: string;
  readonly auth?: AuthBody;
  readonly namespaces?: string[];
  readonly tls?: RegistryRecord['tls'];
  readonly concurrency?: number;
  readonly requestsPerSecond?: number | null;
  readonly timeoutMs?: number;
  readonly deleteImmediately?: boolean;
  readonly sync?: SyncBody | null;
}

export interface CreateBody extends ChangeBody {
  readonly name: string;
  readonly kind?: string;
  readonly url: string;
}

const time = { type: 'string', format: 'date-time' } as const;

/** A registry as the API shows it: never its secret, only whether it has one. */
export const registrySchema = {
  type: 'object',
  required: [
    'name',
    'kind',
    'url',
    'auth',
    'namespaces',
    'tls',
    'concurrency',
    'requestsPerSecond',
    'timeoutMs',
    'deleteImmediately',
    'sync',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    name: { type: 'string' },
    kind: { type: 'string' },
    url: { type: 'string' },
    auth: {
      type: 'object',
      required: ['kind', 'hasSecret'],
      properties: {
        kind: { type: 'string', enum: ['anonymous', 'basic', 'token'] },
        username: { type: 'string' },
        hasSecret: { type: 'boolean' },
      },
    },
    namespaces: { type: 'array', items: { type: 'string' } },
    tls: {
      type: 'object',
      properties: {
        caCertificate: { type: 'string' },
        insecureSkipVerify: { type: 'boolean' },
      },
    },
    concurrency: { type: 'integer' },
    requestsPerSecond: { type: ['integer', 'null'] },
    timeoutMs: { type: 'integer' },
    deleteImmediately: { type: 'boolean' },
    sync: {
      type: ['object', 'null'],
      required: ['cron', 'timezone', 'nextSyncAt'],
      properties: { cron: { type: 'string' }, timezone: { type: 'string' }, nextSyncAt: time },
    },
    createdAt: time,
    updatedAt: time,
  },
} as const;

export const checkSchema = {
  type: 'object',
  required: ['ok'],
  properties: {
    ok: { type: 'boolean' },
    code: { type: 'string', description: 'WINNOW_REGISTRY_UNAVAILABLE, ..._UNAUTHORIZED, ...' },
    message: { type: 'string' },
  },
} as const;

/** The API's view of a registry: the secret is left out by construction. */
export function registryJson(registry: RegistryRecord) {
  return {
    name: registry.name,
    kind: registry.kind,
    url: registry.url,
    auth: {
      kind: registry.authKind,
      ...(registry.username !== null && { username: registry.username }),
      hasSecret: registry.secret !== null,
    },
    namespaces: registry.namespaces,
    tls: registry.tls,
    concurrency: registry.concurrency,
    requestsPerSecond: registry.requestsPerSecond,
    timeoutMs: registry.timeoutMs,
    deleteImmediately: registry.deleteImmediately,
    sync:
      registry.sync === null
        ? null
        : {
            cron: registry.sync.cron,
            timezone: registry.sync.timezone,
            nextSyncAt: registry.sync.nextSyncAt.toISOString(),
          },
    createdAt: registry.createdAt.toISOString(),
    updatedAt: registry.updatedAt.toISOString(),
  };
}
