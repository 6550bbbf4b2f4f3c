import { RegistryError, RegistryErrorCode } from './errors';
import { isIndex, MediaType } from './media-types';

/** What sync needs to know of a manifest. */
export interface ParsedManifest {
  /** `image`: a config and layers; `index`: a list of manifests; `other`: anything else. */
  readonly kind: 'image' | 'index' | 'other';
  readonly mediaType: string;
  /** The digests an index lists (its platforms, attestations); none for an image. */
  readonly children: readonly string[];
  /** The digest of the manifest this one refers to (OCI 1.1 `subject`): a signature, an SBOM. */
  readonly subject: string | null;
  /** `artifactType`, or else the config's media type when it is not an image config. */
  readonly artifactType: string | null;
  readonly configDigest: string | null;
  /** Bytes of the manifest. */
  readonly size: number;
}

const IMAGE_CONFIG_TYPES = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);

const isImage = (mediaType: string): boolean =>
  mediaType === MediaType.ociManifest || mediaType === MediaType.dockerManifest;

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[name]
    : undefined;

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Reads a manifest's kind, children, subject, artifact type and config digest. `mediaType` is the
 * one the registry sent (`Content-Type`); when empty, the manifest's own `mediaType` field and
 * then its shape decide. Throws a protocol error when the bytes are not a JSON object.
 */
export function parseManifest(mediaType: string, body: Buffer): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    json = undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RegistryError(RegistryErrorCode.protocol, 'the manifest is not a JSON object');
  }
  const type = mediaType.split(';')[0]?.trim() || stringOrNull(field(json, 'mediaType')) || '';
  const manifests = field(json, 'manifests');
  const config = field(json, 'config');
  const kind =
    isIndex(type) || (type === '' && Array.isArray(manifests))
      ? 'index'
      : isImage(type) || (type === '' && config !== undefined)
        ? 'image'
        : 'other';
  const children =
    kind === 'index' && Array.isArray(manifests)
      ? manifests.map((m) => field(m, 'digest')).filter((d): d is string => typeof d === 'string')
      : [];
  const configType = stringOrNull(field(config, 'mediaType'));
  const artifactType =
    stringOrNull(field(json, 'artifactType')) ??
    (kind === 'image' && configType !== null && !IMAGE_CONFIG_TYPES.has(configType)
      ? configType
      : null);
  return {
    kind,
    mediaType: type,
    children,
    subject: stringOrNull(field(field(json, 'subject'), 'digest')),
    artifactType,
    configDigest: stringOrNull(field(config, 'digest')),
    size: body.length,
  };
}

/** The image config's `created` time (when the image was built); null if absent or unreadable. */
export function configCreated(blob: Buffer): Date | null {
  let created: unknown;
  try {
    created = field(JSON.parse(blob.toString('utf8')), 'created');
  } catch {
    return null;
  }
  if (typeof created !== 'string') return null;
  const date = new Date(created);
  return Number.isNaN(date.getTime()) ? null : date;
}
