import type { ManifestHead, Manifest } from '@winnow/registry';

/**
 * What sync and apply need of a registry: the distribution API's reads and the manifest delete.
 * `DistributionClient` is one; a vendor connector (Harbor, Quay, ...) is another.
 */
export interface RegistrySource {
  repositories(): AsyncIterable<string>;
  tags(path: string): AsyncIterable<string>;
  headManifest(path: string, reference: string): Promise<ManifestHead | null>;
  getManifest(path: string, reference: string): Promise<Manifest | null>;
  /** A blob's bytes (image configs, to read `created`); null when absent. */
  getBlob(path: string, digest: string): Promise<Buffer | null>;
  /** True when deleted, false when it was not there. */
  deleteManifest(path: string, digest: string): Promise<boolean>;
}

export interface ParsedManifest {
  readonly kind: 'image' | 'index' | 'other';
  /** An index's entries, in order. */
  readonly children: readonly string[];
  readonly subject: string | null;
  readonly artifactType: string | null;
  /** An image's config blob. */
  readonly configDigest: string | null;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const IMAGE_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);

interface Descriptor {
  digest?: unknown;
  mediaType?: unknown;
  artifactType?: unknown;
}

const digestOf = (value: unknown): string | null => {
  const digest = (value as Descriptor | null)?.digest;
  return typeof digest === 'string' ? digest : null;
};

/** The parts of a manifest the inventory records; unreadable bytes give kind `other`. */
export function parseManifest(mediaType: string, body: Buffer): ParsedManifest {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return { kind: 'other', children: [], subject: null, artifactType: null, configDigest: null };
  }
  const type = typeof document.mediaType === 'string' ? document.mediaType : mediaType;
  const manifests = Array.isArray(document.manifests) ? (document.manifests as unknown[]) : null;
  const kind =
    INDEX_TYPES.has(type) || (manifests !== null && !IMAGE_TYPES.has(type))
      ? 'index'
      : IMAGE_TYPES.has(type)
        ? 'image'
        : 'other';
  const config = document.config as Descriptor | undefined;
  const artifactType =
    typeof document.artifactType === 'string'
      ? document.artifactType
      : kind === 'image' &&
          typeof config?.mediaType === 'string' &&
          config.mediaType !== 'application/vnd.oci.image.config.v1+json' &&
          config.mediaType !== 'application/vnd.docker.container.image.v1+json'
        ? config.mediaType
        : null;
  return {
    kind,
    children:
      kind === 'index'
        ? (manifests ?? []).map(digestOf).filter((d): d is string => d !== null)
        : [],
    subject: digestOf(document.subject),
    artifactType,
    configDigest: kind === 'image' ? digestOf(config) : null,
  };
}
