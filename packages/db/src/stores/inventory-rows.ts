import type { InventoryManifest, InventoryRepository, InventoryTag } from '@winnow/engine';

/** Tag columns for an engine tag (absent times are NULL; labels a JSON array). */
export function tagColumns(tag: InventoryTag) {
  return {
    digest: tag.digest,
    pushedAt: optionalDate(tag.pushedAt),
    lastPulledAt: optionalDate(tag.lastPulledAt),
    immutable: tag.immutable ?? false,
    labels: [...(tag.labels ?? [])],
  };
}

export function manifestColumns(manifest: InventoryManifest) {
  return {
    mediaType: manifest.mediaType ?? null,
    sizeBytes: manifest.sizeBytes === undefined ? null : BigInt(manifest.sizeBytes),
    pushedAt: optionalDate(manifest.pushedAt),
    subject: manifest.subject ?? null,
    artifactType: manifest.artifactType ?? null,
  };
}

function optionalDate(value: string | null | undefined): Date | null {
  return value === undefined || value === null ? null : new Date(value);
}

export interface TagRow {
  name: string;
  digest: string;
  pushedAt: Date | null;
  lastPulledAt: Date | null;
  immutable: boolean;
  labels: unknown;
}

export interface ManifestRow {
  digest: string;
  mediaType: string | null;
  sizeBytes: bigint | null;
  pushedAt: Date | null;
  subject: string | null;
  artifactType: string | null;
  children: { childDigest: string }[];
}

/**
 * The canonical engine form of stored rows: NULL columns are left out, times are RFC 3339 UTC with
 * milliseconds, `immutable` and `labels` are always present, tags by name, manifests by digest.
 */
export function toInventoryRepository(
  namespace: string,
  name: string,
  tags: readonly TagRow[],
  manifests: readonly ManifestRow[],
): InventoryRepository {
  const repository: InventoryRepository = { namespace, name, tags: tags.map(toInventoryTag) };
  return manifests.length === 0
    ? repository
    : { ...repository, manifests: manifests.map(toInventoryManifest) };
}

export function toInventoryTag(row: TagRow): InventoryTag {
  return {
    name: row.name,
    digest: row.digest,
    ...(row.pushedAt !== null && { pushedAt: row.pushedAt.toISOString() }),
    ...(row.lastPulledAt !== null && { lastPulledAt: row.lastPulledAt.toISOString() }),
    immutable: row.immutable,
    labels: row.labels as string[],
  };
}

function toInventoryManifest(row: ManifestRow): InventoryManifest {
  return {
    digest: row.digest,
    ...(row.mediaType !== null && { mediaType: row.mediaType }),
    ...(row.pushedAt !== null && { pushedAt: row.pushedAt.toISOString() }),
    ...(row.sizeBytes !== null && { sizeBytes: Number(row.sizeBytes) }),
    ...(row.children.length > 0 && { children: row.children.map((c) => c.childDigest) }),
    ...(row.subject !== null && { subject: row.subject }),
    ...(row.artifactType !== null && { artifactType: row.artifactType }),
  };
}
