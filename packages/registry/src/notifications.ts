import { MediaType } from './media-types';

/** The content type of the envelopes a distribution registry POSTs to its notification endpoints. */
export const NOTIFICATION_CONTENT_TYPE = 'application/vnd.docker.distribution.events.v1+json';

/** One event of an envelope, as CNCF distribution sends it (the fields Winnow reads). */
export interface NotificationEvent {
  readonly id: string;
  readonly timestamp: string;
  readonly action: 'push' | 'pull' | 'delete' | 'mount';
  readonly target: {
    readonly repository: string;
    readonly mediaType?: string;
    readonly digest?: string;
    readonly size?: number;
    readonly length?: number;
    readonly url?: string;
    readonly tag?: string;
  };
  readonly request?: { readonly method?: string };
}

export interface NotificationEnvelope {
  readonly events: readonly NotificationEvent[];
}

const DIGEST = '^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$';
const TAG = '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = `^${COMPONENT}(?:/${COMPONENT})*$`;
const TIME =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$';
const size = { type: 'integer', minimum: 0, 'x-expected': 'a size in bytes' };

/**
 * JSON Schema of the envelope. Fields Winnow does not read (request, actor, source, and whatever
 * later versions add) are allowed: a registry retries a rejected envelope until it is accepted,
 * so rejecting a new field would stall its whole queue.
 */
export const notificationEnvelopeSchema = {
  type: 'object',
  required: ['events'],
  properties: {
    events: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['id', 'timestamp', 'action', 'target'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 200, 'x-expected': 'an event id' },
          timestamp: {
            type: 'string',
            pattern: TIME,
            'x-expected': 'an RFC 3339 time such as 2026-01-02T03:04:05.123456789Z',
          },
          action: {
            type: 'string',
            enum: ['push', 'pull', 'delete', 'mount'],
            'x-expected': 'push, pull, delete or mount',
          },
          target: {
            type: 'object',
            required: ['repository'],
            properties: {
              repository: {
                type: 'string',
                pattern: REPOSITORY,
                maxLength: 255,
                'x-expected': 'a repository name such as acme/web',
              },
              mediaType: { type: 'string' },
              digest: {
                type: 'string',
                pattern: DIGEST,
                'x-expected': 'a digest such as sha256:<64 hex>',
              },
              size,
              length: size,
              url: { type: 'string' },
              tag: { type: 'string', pattern: TAG, 'x-expected': 'a tag name' },
            },
          },
          request: {
            type: 'object',
            properties: { method: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

/** What an event means for an inventory: a manifest pushed, pulled or deleted, or nothing. */
export type InventoryEvent =
  | {
      readonly kind: 'push';
      readonly repository: string;
      readonly digest: string;
      readonly tag?: string;
      readonly mediaType?: string;
      readonly sizeBytes?: number;
    }
  | {
      readonly kind: 'pull';
      readonly repository: string;
      readonly digest: string;
      readonly tag?: string;
    }
  | {
      readonly kind: 'delete';
      readonly repository: string;
      /** Deletes carry the digest (every tag on it goes), or only the tag. */
      readonly digest?: string;
      readonly tag?: string;
    };

const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  ...Object.values(MediaType),
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.oci.artifact.manifest.v1+json',
]);

/** Whether a push or pull was of a manifest (blob events say /blobs/ and application/octet-stream). */
function isManifest(target: NotificationEvent['target']): boolean {
  if (target.url?.includes('/blobs/') === true) return false;
  if (target.url?.includes('/manifests/') === true) return true;
  return target.mediaType !== undefined && MANIFEST_MEDIA_TYPES.has(target.mediaType);
}

/**
 * The inventory meaning of an event, or null: blob pushes and pulls, mounts (blobs too),
 * manifest requests other than GET and HEAD, and a delete of a whole repository (no digest, no
 * tag) change nothing Winnow keeps. A delete by digest may be a blob's: the registry's event
 * says no more; the inventory then has nothing on that digest.
 */
export function inventoryEventOf(event: NotificationEvent): InventoryEvent | null {
  const { target } = event;
  const { repository, digest, tag } = target;
  const tagged = tag === undefined ? {} : { tag };
  const sizeBytes = target.size ?? target.length;
  switch (event.action) {
    case 'push':
      if (digest === undefined || !isManifest(target)) return null;
      return {
        kind: 'push',
        repository,
        digest,
        ...tagged,
        ...(target.mediaType !== undefined && { mediaType: target.mediaType }),
        ...(sizeBytes !== undefined && { sizeBytes }),
      };
    case 'pull': {
      const method = event.request?.method;
      if (digest === undefined || !isManifest(target)) return null;
      if (method !== undefined && method !== 'GET' && method !== 'HEAD') return null;
      return { kind: 'pull', repository, digest, ...tagged };
    }
    case 'delete':
      if (digest === undefined && tag === undefined) return null;
      if (target.url?.includes('/blobs/') === true) return null;
      return { kind: 'delete', repository, ...(digest !== undefined && { digest }), ...tagged };
    case 'mount':
      return null;
  }
}
