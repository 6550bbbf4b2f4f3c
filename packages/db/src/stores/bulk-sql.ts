import type { Provider } from '../provider';

/**
 * Set-based statements for bulk writes: each takes ONE parameter, a JSON array of rows, and
 * turns it into a table inside the database (`json_to_recordset` on PostgreSQL, `json_each` on
 * SQLite). One statement writes thousands of rows with one bind, whatever the provider's limit on
 * bind parameters, and costs one round trip.
 *
 * Row values are prepared by `bulkTime`, `bulkBoolean` and `bulkBigInt`: Prisma's own column formats,
 * so the rows read back through Prisma exactly as if Prisma had written them.
 */
export interface BulkSql {
  readonly insertTags: string;
  readonly updateTags: string;
  readonly insertManifests: string;
  readonly updateManifests: string;
  readonly insertChildren: string;
  readonly deleteTags: string;
  /** Makes expired tags live again (a re-push the snapshot shows). */
  readonly reviveTags: string;
  readonly deleteManifests: string;
  readonly deleteChildren: string;
}

/** A tag row: repository id or tag id, then the columns the snapshot sets. */
export interface BulkTag {
  readonly id: number;
  readonly n?: string;
  readonly d: string;
  readonly p: string | null;
  readonly l: string | null;
  readonly i: boolean | number;
  /** Labels, as a JSON array (a `jsonb` on PostgreSQL, JSON text on SQLite). */
  readonly b: readonly string[];
}

export interface BulkManifest {
  readonly id: number;
  readonly d?: string;
  readonly m: string | null;
  readonly s: string | null;
  readonly p: string | null;
  readonly j: string | null;
  readonly a: string | null;
}

export interface BulkChild {
  readonly id: number;
  readonly o: number;
  readonly c: string;
}

const POSTGRESQL: BulkSql = {
  insertTags:
    'INSERT INTO "Tag" ("repositoryId", "name", "digest", "pushedAt", "lastPulledAt", "immutable", "labels") ' +
    'SELECT x.id, x.n, x.d, x.p, x.l, x.i, x.b FROM json_to_recordset($1::json) ' +
    'AS x(id integer, n text, d text, p timestamp(3), l timestamp(3), i boolean, b jsonb)',
  updateTags:
    'UPDATE "Tag" AS t SET "digest" = x.d, "pushedAt" = x.p, "lastPulledAt" = x.l, ' +
    '"immutable" = x.i, "labels" = x.b FROM json_to_recordset($1::json) ' +
    'AS x(id integer, d text, p timestamp(3), l timestamp(3), i boolean, b jsonb) WHERE t."id" = x.id',
  insertManifests:
    'INSERT INTO "Manifest" ("repositoryId", "digest", "mediaType", "sizeBytes", "pushedAt", "subject", "artifactType") ' +
    'SELECT x.id, x.d, x.m, x.s, x.p, x.j, x.a FROM json_to_recordset($1::json) ' +
    'AS x(id integer, d text, m text, s bigint, p timestamp(3), j text, a text) ' +
    'RETURNING "id", "repositoryId", "digest"',
  updateManifests:
    'UPDATE "Manifest" AS t SET "mediaType" = x.m, "sizeBytes" = x.s, "pushedAt" = x.p, ' +
    '"subject" = x.j, "artifactType" = x.a FROM json_to_recordset($1::json) ' +
    'AS x(id integer, m text, s bigint, p timestamp(3), j text, a text) WHERE t."id" = x.id',
  insertChildren:
    'INSERT INTO "ManifestChild" ("manifestId", "position", "childDigest") ' +
    'SELECT x.id, x.o, x.c FROM json_to_recordset($1::json) AS x(id integer, o integer, c text)',
  deleteTags:
    'DELETE FROM "Tag" WHERE "id" IN (SELECT value::integer FROM json_array_elements_text($1::json))',
  reviveTags:
    'UPDATE "Tag" SET "lifetimeEnd" = NULL, "expiredByRunId" = NULL WHERE "id" IN (SELECT value::integer FROM json_array_elements_text($1::json))',
  deleteManifests:
    'DELETE FROM "Manifest" WHERE "id" IN (SELECT value::integer FROM json_array_elements_text($1::json))',
  deleteChildren:
    'DELETE FROM "ManifestChild" WHERE "manifestId" IN (SELECT value::integer FROM json_array_elements_text($1::json))',
};

/** `json_extract` of each key of the rows in `json_each(?)`, aliased by key. */
const fields = (keys: readonly string[]): string =>
  keys.map((key) => `json_extract(value, '$.${key}') AS ${key}`).join(', ');

const SQLITE: BulkSql = {
  insertTags:
    'INSERT INTO "Tag" ("repositoryId", "name", "digest", "pushedAt", "lastPulledAt", "immutable", "labels") ' +
    `SELECT ${fields(['id', 'n', 'd', 'p', 'l', 'i', 'b'])} FROM json_each(?)`,
  updateTags:
    'UPDATE "Tag" SET "digest" = x.d, "pushedAt" = x.p, "lastPulledAt" = x.l, "immutable" = x.i, ' +
    `"labels" = x.b FROM (SELECT ${fields(['id', 'd', 'p', 'l', 'i', 'b'])} FROM json_each(?)) AS x ` +
    'WHERE "Tag"."id" = x.id',
  insertManifests:
    'INSERT INTO "Manifest" ("repositoryId", "digest", "mediaType", "sizeBytes", "pushedAt", "subject", "artifactType") ' +
    `SELECT ${fields(['id', 'd', 'm', 's', 'p', 'j', 'a'])} FROM json_each(?) WHERE true ` +
    'RETURNING "id", "repositoryId", "digest"',
  updateManifests:
    'UPDATE "Manifest" SET "mediaType" = x.m, "sizeBytes" = x.s, "pushedAt" = x.p, "subject" = x.j, ' +
    `"artifactType" = x.a FROM (SELECT ${fields(['id', 'm', 's', 'p', 'j', 'a'])} FROM json_each(?)) AS x ` +
    'WHERE "Manifest"."id" = x.id',
  insertChildren:
    'INSERT INTO "ManifestChild" ("manifestId", "position", "childDigest") ' +
    `SELECT ${fields(['id', 'o', 'c'])} FROM json_each(?)`,
  deleteTags: 'DELETE FROM "Tag" WHERE "id" IN (SELECT value FROM json_each(?))',
  reviveTags:
    'UPDATE "Tag" SET "lifetimeEnd" = NULL, "expiredByRunId" = NULL WHERE "id" IN (SELECT value FROM json_each(?))',
  deleteManifests: 'DELETE FROM "Manifest" WHERE "id" IN (SELECT value FROM json_each(?))',
  deleteChildren:
    'DELETE FROM "ManifestChild" WHERE "manifestId" IN (SELECT value FROM json_each(?))',
};

export const bulkSql = (provider: Provider): BulkSql =>
  provider === 'postgresql' ? POSTGRESQL : SQLITE;

/**
 * A time as Prisma stores it: PostgreSQL `timestamp(3)` reads the UTC wall time (and ignores the
 * zone); Prisma's SQLite adapter writes `YYYY-MM-DDTHH:MM:SS.mmm+00:00` text.
 */
export function bulkTime(provider: Provider, value: Date | null): string | null {
  if (value === null) return null;
  const iso = value.toISOString();
  return provider === 'postgresql' ? iso : `${iso.slice(0, -1)}+00:00`;
}

/** SQLite has no boolean: Prisma stores 0 and 1. */
export const bulkBoolean = (provider: Provider, value: boolean): boolean | number =>
  provider === 'postgresql' ? value : value ? 1 : 0;

/** A BigInt as decimal text (JSON has no 64-bit integers; both databases cast the text). */
export const bulkBigInt = (value: bigint | null): string | null =>
  value === null ? null : value.toString();
