import type { InventoryManifest, InventoryTag } from '@winnow/engine';

import type { DbClient } from '../client';
import type { Provider } from '../provider';

/** A repository's tags (by name) and manifests (by digest) in engine form. */
export interface StoredContent {
  readonly tags: InventoryTag[];
  readonly manifests: InventoryManifest[];
}

/**
 * A stored time in `Date.toISOString`'s form (RFC 3339, UTC, milliseconds), from its JSON text:
 * PostgreSQL writes a `timestamp(3)` as its UTC wall time with the fraction trimmed
 * (`2026-10-01T12:00:00`, `...:00.25`), SQLite holds the text Prisma wrote
 * (`2026-10-01T12:00:00.000+00:00`). Anything else goes through `Date`. Cheaper than having the
 * database format every time (`to_char`, `strftime`).
 */
export function utcTime(text: string): string {
  if (text.length === 29 && text.endsWith('+00:00')) return `${text.slice(0, 23)}Z`;
  if (text.length === 19) return `${text}.000Z`;
  if (text.length > 20 && text.length < 24 && text[19] === '.') return `${text.padEnd(23, '0')}Z`;
  return new Date(/(?:Z|[+-]\d\d:\d\d)$/.test(text) ? text : `${text}Z`).toISOString();
}

/**
 * Per repository of the ids parameter (an integer array; a JSON array on SQLite) that still
 * exists, two JSON texts built by the database:
 * - `tags`: one array per column (names, digests, push times, pull times, immutable, labels),
 *   which parses into six arrays instead of one small array per tag;
 * - `manifests`: one array of columns per manifest, its children in order.
 * Neither is sorted there: an aggregate's ORDER BY sorts every time, and by the database's
 * collation; `readContents` sorts by code point, the engine's order.
 */
function contentsSql(provider: Provider): string {
  const pg = provider === 'postgresql';
  const agg = pg ? 'json_agg' : 'json_group_array';
  const array = pg ? 'json_build_array' : 'json_array';
  const tagColumns = ['name', 'digest', 'pushedAt', 'lastPulledAt', 'immutable', 'labels'].map(
    (column) => (!pg && column === 'labels' ? `${agg}(json(t."labels"))` : `${agg}(t."${column}")`),
  );
  const tags = `(SELECT ${array}(${tagColumns.join(', ')})${pg ? '::text' : ''} FROM "Tag" t WHERE t."repositoryId" = r."id" AND t."lifetimeEnd" IS NULL)`;
  const children = pg
    ? `(SELECT coalesce(json_agg(c."childDigest" ORDER BY c."position"), '[]'::json) FROM "ManifestChild" c WHERE c."manifestId" = m."id")`
    : `json((SELECT json_group_array(c."childDigest" ORDER BY c."position") FROM "ManifestChild" c WHERE c."manifestId" = m."id"))`;
  const manifestRow = ['digest', 'mediaType', 'sizeBytes', 'pushedAt', 'subject', 'artifactType']
    .map((column) => `m."${column}"`)
    .concat(children);
  const manifests = `(SELECT ${agg}(${array}(${manifestRow.join(', ')}))${pg ? '::text' : ''} FROM "Manifest" m WHERE m."repositoryId" = r."id")`;
  const ids = pg ? 'r."id" = ANY($1::integer[])' : 'r."id" IN (SELECT value FROM json_each(?))';
  return `SELECT r."id" AS id, ${tags} AS tags, ${manifests} AS manifests FROM "Repository" r WHERE ${ids}`;
}

/** Six columns of equal length; on PostgreSQL all six are NULL for a repository without tags. */
type TagColumns = [
  string[] | null,
  string[],
  (string | null)[],
  (string | null)[],
  (boolean | number)[],
  string[][],
];
type ManifestColumns = [
  string,
  string | null,
  number | null,
  string | null,
  string | null,
  string | null,
  string[],
];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The canonical engine form (see inventory-rows.ts): absent values left out, same key order. */
function toTags(text: string | null): InventoryTag[] {
  if (text === null) return [];
  const [names, digests, pushed, pulled, immutable, labels] = JSON.parse(text) as TagColumns;
  if (names === null) return [];
  const tags: InventoryTag[] = [];
  for (let i = 0; i < names.length; i++) {
    const tag: Mutable<InventoryTag> = { name: names[i] as string, digest: digests[i] as string };
    const pushedAt = pushed[i] ?? null;
    const lastPulledAt = pulled[i] ?? null;
    if (pushedAt !== null) tag.pushedAt = utcTime(pushedAt);
    if (lastPulledAt !== null) tag.lastPulledAt = utcTime(lastPulledAt);
    tag.immutable = immutable[i] === true || immutable[i] === 1;
    tag.labels = labels[i] ?? [];
    tags.push(tag);
  }
  return tags.sort((a, b) => byCodePoint(a.name, b.name));
}

function toManifest([
  digest,
  mediaType,
  sizeBytes,
  pushedAt,
  subject,
  artifactType,
  children,
]: ManifestColumns): InventoryManifest {
  const manifest: Mutable<InventoryManifest> = { digest };
  if (mediaType !== null) manifest.mediaType = mediaType;
  if (pushedAt !== null) manifest.pushedAt = utcTime(pushedAt);
  if (sizeBytes !== null) manifest.sizeBytes = sizeBytes;
  if (children.length > 0) manifest.children = children;
  if (subject !== null) manifest.subject = subject;
  if (artifactType !== null) manifest.artifactType = artifactType;
  return manifest;
}

function toManifests(text: string | null): InventoryManifest[] {
  if (text === null) return [];
  return (JSON.parse(text) as ManifestColumns[])
    .map(toManifest)
    .sort((a, b) => byCodePoint(a.digest, b.digest));
}

/**
 * The tags (by name) and manifests (by digest) of the repositories `ids` that exist, by id, in
 * one query whatever their number: the database builds JSON texts per repository, which costs a
 * fraction of materializing a row object per tag in the driver and in Prisma (a sixth on
 * SQLite's driver). Names and digests are ASCII: code unit order is code point order.
 */
export async function readContents(
  db: Pick<DbClient, '$queryRawUnsafe'>,
  provider: Provider,
  ids: readonly number[],
): Promise<Map<number, StoredContent>> {
  const rows = await db.$queryRawUnsafe<
    { id: number | bigint; tags: string | null; manifests: string | null }[]
  >(contentsSql(provider), provider === 'postgresql' ? ids : JSON.stringify(ids));
  return new Map(
    rows.map((row) => [
      Number(row.id),
      { tags: toTags(row.tags), manifests: toManifests(row.manifests) },
    ]),
  );
}
