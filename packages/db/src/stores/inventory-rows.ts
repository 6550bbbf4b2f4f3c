import type { InventoryManifest, InventoryTag } from '@winnow/engine';

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

/**
 * The canonical engine form of a stored tag row: NULL columns are left out, times are RFC 3339
 * UTC with milliseconds, `immutable` and `labels` are always present (`inventory-read.ts` builds
 * the same form from the database's JSON).
 */
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
