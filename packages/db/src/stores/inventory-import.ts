import type { InventoryManifest, InventoryRepository } from '@winnow/engine';

import type { DbClient, DbTransaction } from '../client';
import type { Provider } from '../provider';
import {
  bulkBigInt,
  bulkBoolean,
  type BulkRow,
  type BulkStatement,
  bulkTime,
  deleteRows,
  type Field,
  insertRows,
  updateRows,
} from './bulk-sql';
import { manifestColumns, tagColumns } from './inventory-rows';
import { childrenOf } from './manifest-children';

export interface ImportSummary {
  readonly repositories: number;
}

export interface ImportLimits {
  /** Repositories per transaction, at most. */
  readonly batchSize: number;
  /** Tags and manifests per transaction, at most (a batch closes early when it has as many). */
  readonly batchRows: number;
  /** Batches written at once, each in its own transaction and connection. */
  readonly concurrency: number;
  /**
   * The input comes from a registry, which knows a tag's name, digest and push time only: a
   * stored tag keeps its `lastPulledAt`, `immutable` and `labels`, and its `pushedAt` while its
   * digest is unchanged (a moved tag takes the input's).
   */
  readonly fromRegistry?: boolean;
}

/**
 * Stores each repository as its snapshot says: tags and manifests it lists are created or
 * updated, those it no longer lists are removed (expired tags too); unchanged rows are not
 * written. A listed tag that a run expired stays expired unless its digest changed (a re-push).
 * Importing twice changes nothing.
 *
 * The input is read lazily and written in batches, one transaction each, with set-based
 * statements (a handful per batch, see `bulk-sql.ts`). The next batch is read while up to
 * `concurrency` batches are written. When the input fails (an invalid repository, a broken
 * stream), every repository read before the failure is written, then the failure is thrown; when
 * a write fails, nothing of its batch is stored, the writes in flight finish, and the failure
 * is thrown.
 */
export async function importRepositories(
  db: DbClient,
  provider: Provider,
  repositories: AsyncIterable<InventoryRepository> | Iterable<InventoryRepository>,
  limits: ImportLimits,
): Promise<ImportSummary> {
  const writer = new BatchWriter(db, provider, limits.fromRegistry ?? false);
  const pending = new Set<Promise<void>>();
  let failed: { error: unknown } | undefined;
  /** Waits for every write in flight; throws the first write failure. */
  const settle = async (): Promise<void> => {
    await Promise.all(pending);
    if (failed) throw failed.error;
  };
  let count = 0;
  let total = 0;
  let batch: InventoryRepository[] = [];
  let rows = 0;
  const flush = async (): Promise<void> => {
    const current = batch;
    batch = [];
    rows = 0;
    while (pending.size >= limits.concurrency) await Promise.race(pending);
    if (failed) await settle();
    const write: Promise<void> = writer.write(current).then(
      () => {
        pending.delete(write);
      },
      (error: unknown) => {
        pending.delete(write);
        failed ??= { error };
      },
    );
    pending.add(write);
  };
  try {
    for await (const repository of repositories) {
      batch.push(repository);
      count += 1;
      rows += repository.tags.length + (repository.manifests?.length ?? 0);
      total += repository.tags.length + (repository.manifests?.length ?? 0);
      if (batch.length >= limits.batchSize || rows >= limits.batchRows) await flush();
    }
  } catch (error) {
    if (batch.length > 0) await flush();
    await settle();
    throw error;
  }
  if (batch.length > 0) await flush();
  await settle();
  if (provider === 'postgresql' && total >= ANALYZE_AFTER_ROWS) await analyze(db);
  return { repositories: count };
}

/** Tags and manifests imported at once from which PostgreSQL's statistics are refreshed. */
export const ANALYZE_AFTER_ROWS = 10_000;

/**
 * Refreshes PostgreSQL's statistics of the inventory's tables. Right after a large first import
 * the planner still sees them as empty (autovacuum analyses them later, if it runs) and reads a
 * repository's tags by scanning the whole table: 22 ms instead of 3.5 for a repository of 50 tags
 * among 500,000, a scoped preview 35 ms instead of 6.5. As pg_restore's documentation advises
 * after a bulk load. Statistics only help: a failure here leaves the import as it is.
 */
async function analyze(db: DbClient): Promise<void> {
  try {
    await db.$executeRawUnsafe(
      'ANALYZE "Namespace", "Repository", "Manifest", "ManifestChild", "Tag"',
    );
  } catch {
    // The import is committed; the planner catches up when autovacuum analyses the tables.
  }
}

interface StoredTag {
  id: number;
  repositoryId: number;
  name: string;
  digest: string;
  pushedAt: Date | null;
  lastPulledAt: Date | null;
  immutable: boolean;
  labels: unknown;
  /** Set when a run expired the tag. */
  lifetimeEnd: Date | null;
}

interface StoredManifest {
  id: number;
  repositoryId: number;
  digest: string;
  mediaType: string | null;
  sizeBytes: bigint | null;
  pushedAt: Date | null;
  subject: string | null;
  artifactType: string | null;
  children: { childDigest: string }[];
}

/** The rows one batch writes, by statement. */
interface Changes {
  readonly insertTags: BulkRow[];
  readonly updateTags: BulkRow[];
  readonly deleteTags: BulkRow[];
  /** Expired tags that the snapshot shows at another digest: re-pushed, live again. */
  readonly reviveTags: BulkRow[];
  readonly insertManifests: BulkRow[];
  readonly updateManifests: BulkRow[];
  readonly deleteManifests: BulkRow[];
  /** Children of inserted manifests, by repository id and digest (ids come back from the insert). */
  readonly newChildren: Map<string, readonly string[]>;
  /** Children of updated manifests whose list changed: replaced. */
  readonly replaceChildren: Map<number, readonly string[]>;
}

const manifestKey = (repositoryId: number, digest: string): string => `${repositoryId} ${digest}`;

const TAG_COLUMNS: readonly Field[] = [
  { key: 'd', column: 'digest', type: 'text' },
  { key: 'p', column: 'pushedAt', type: 'timestamp(3)' },
  { key: 'l', column: 'lastPulledAt', type: 'timestamp(3)' },
  { key: 'i', column: 'immutable', type: 'boolean' },
  { key: 'b', column: 'labels', type: 'jsonb' },
];
const MANIFEST_COLUMNS: readonly Field[] = [
  { key: 'm', column: 'mediaType', type: 'text' },
  { key: 's', column: 'sizeBytes', type: 'bigint' },
  { key: 'p', column: 'pushedAt', type: 'timestamp(3)' },
  { key: 'j', column: 'subject', type: 'text' },
  { key: 'a', column: 'artifactType', type: 'text' },
];
const ROW_ID: Field = { key: 'id', column: 'id', type: 'integer' };
/** What a re-push clears on a tag a run expired: both set to NULL (rows carry only the id). */
const REVIVED_COLUMNS: readonly Field[] = [
  { key: 'e', column: 'lifetimeEnd', type: 'timestamp(3)' },
  { key: 'r', column: 'expiredByRunId', type: 'integer' },
];
const PARENT_ID: Field = { key: 'id', column: 'repositoryId', type: 'integer' };

/** The statements of an import, for one provider. */
function statements(provider: Provider) {
  return {
    insertTags: insertRows(provider, 'Tag', [
      PARENT_ID,
      { key: 'n', column: 'name', type: 'text' },
      ...TAG_COLUMNS,
    ]),
    updateTags: updateRows(provider, 'Tag', [ROW_ID, ...TAG_COLUMNS]),
    deleteTags: deleteRows(provider, 'Tag', 'id'),
    reviveTags: updateRows(provider, 'Tag', [ROW_ID, ...REVIVED_COLUMNS]),
    insertManifests: insertRows(
      provider,
      'Manifest',
      [PARENT_ID, { key: 'd', column: 'digest', type: 'text' }, ...MANIFEST_COLUMNS],
      ['id', 'repositoryId', 'digest'],
    ),
    updateManifests: updateRows(provider, 'Manifest', [ROW_ID, ...MANIFEST_COLUMNS]),
    deleteManifests: deleteRows(provider, 'Manifest', 'id'),
    insertChildren: insertRows(provider, 'ManifestChild', [
      { key: 'id', column: 'manifestId', type: 'integer' },
      { key: 'o', column: 'position', type: 'integer' },
      { key: 'c', column: 'childDigest', type: 'text' },
    ]),
    deleteChildren: deleteRows(provider, 'ManifestChild', 'manifestId'),
  };
}

class BatchWriter {
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly db: DbClient,
    private readonly provider: Provider,
    private readonly fromRegistry: boolean,
  ) {
    this.sql = statements(provider);
  }

  /**
   * Writes the batch in one transaction: its missing namespaces and repositories, then its tags
   * and manifests. Creations skip rows that a concurrent transaction created meanwhile (on
   * PostgreSQL; SQLite has one writer). Namespaces are created in name order, so that two
   * batches never wait for each other in opposite orders; repositories in the snapshot's order
   * (the export's order), and two batches never hold the same repository.
   */
  async write(batch: readonly InventoryRepository[]): Promise<void> {
    await this.db.$transaction(
      async (tx) => {
        const skipDuplicates = this.provider === 'postgresql';
        const namespaces = await namespaceIds(tx, batch, skipDuplicates);
        const wanted = batch.map((r) => ({
          namespaceId: namespaces.get(r.namespace) ?? 0,
          name: r.name,
        }));
        const found = await repositoryIds(tx, wanted);
        const existing = wanted.flatMap((w) => found.get(repositoryKey(w)) ?? []);
        const missing = wanted.filter((w) => !found.has(repositoryKey(w)));
        if (missing.length > 0) {
          await tx.repository.createMany({
            data: missing,
            ...(skipDuplicates && { skipDuplicates }),
          });
          for (const [key, id] of await repositoryIds(tx, missing)) found.set(key, id);
        }
        const ids = wanted.map((w) => found.get(repositoryKey(w)) ?? 0);
        const changes = this.changes(batch, ids, await storedRows(tx, existing));
        await this.apply(tx, changes);
      },
      { timeout: 120_000, maxWait: 60_000 },
    );
  }

  private changes(
    batch: readonly InventoryRepository[],
    ids: readonly number[],
    stored: { tags: Map<number, Map<string, StoredTag>>; manifests: Map<number, StoredManifest[]> },
  ): Changes {
    const changes: Changes = {
      insertTags: [],
      updateTags: [],
      deleteTags: [],
      reviveTags: [],
      insertManifests: [],
      updateManifests: [],
      deleteManifests: [],
      newChildren: new Map(),
      replaceChildren: new Map(),
    };
    batch.forEach((input, index) => {
      const repositoryId = ids[index] ?? 0;
      this.tagChanges(changes, repositoryId, input, stored.tags.get(repositoryId));
      this.manifestChanges(
        changes,
        repositoryId,
        input.manifests ?? [],
        stored.manifests.get(repositoryId),
      );
    });
    return changes;
  }

  private tagChanges(
    changes: Changes,
    repositoryId: number,
    input: InventoryRepository,
    stored: Map<string, StoredTag> | undefined,
  ): void {
    for (const tag of input.tags) {
      const row = stored?.get(tag.name);
      const columns =
        this.fromRegistry && row !== undefined ? registryColumns(tag, row) : tagColumns(tag);
      if (row === undefined) {
        changes.insertTags.push({ id: repositoryId, n: tag.name, ...this.tagValues(columns) });
        continue;
      }
      stored?.delete(tag.name);
      if (!sameColumns(row, columns)) {
        changes.updateTags.push({ id: row.id, ...this.tagValues(columns) });
      }
      // An expired tag the registry still lists stays expired, unless it now points elsewhere.
      if (row.lifetimeEnd !== null && row.digest !== columns.digest) {
        changes.reviveTags.push({ id: row.id });
      }
    }
    for (const row of stored?.values() ?? []) changes.deleteTags.push({ id: row.id });
  }

  private manifestChanges(
    changes: Changes,
    repositoryId: number,
    manifests: readonly InventoryManifest[],
    stored: readonly StoredManifest[] | undefined,
  ): void {
    const rows = new Map((stored ?? []).map((row) => [row.digest, row]));
    for (const manifest of manifests) {
      const columns = manifestColumns(manifest);
      const children = manifest.children ?? [];
      const row = rows.get(manifest.digest);
      if (row === undefined) {
        changes.insertManifests.push({
          id: repositoryId,
          d: manifest.digest,
          ...this.manifestValues(columns),
        });
        if (children.length > 0) {
          changes.newChildren.set(manifestKey(repositoryId, manifest.digest), children);
        }
        continue;
      }
      rows.delete(manifest.digest);
      const sameChildren = sameValue(
        row.children.map((child) => child.childDigest),
        children,
      );
      if (!sameColumns(row, columns) || !sameChildren) {
        changes.updateManifests.push({ id: row.id, ...this.manifestValues(columns) });
      }
      if (!sameChildren) changes.replaceChildren.set(row.id, children);
    }
    for (const row of rows.values()) changes.deleteManifests.push({ id: row.id });
  }

  private tagValues(columns: ReturnType<typeof tagColumns>): BulkRow {
    return {
      d: columns.digest,
      p: bulkTime(this.provider, columns.pushedAt),
      l: bulkTime(this.provider, columns.lastPulledAt),
      i: bulkBoolean(this.provider, columns.immutable),
      b: JSON.stringify(columns.labels),
    };
  }

  private manifestValues(columns: ReturnType<typeof manifestColumns>): BulkRow {
    return {
      m: columns.mediaType,
      s: bulkBigInt(columns.sizeBytes),
      p: bulkTime(this.provider, columns.pushedAt),
      j: columns.subject,
      a: columns.artifactType,
    };
  }

  private async apply(tx: DbTransaction, changes: Changes): Promise<void> {
    const sql = this.sql;
    await execute(tx, sql.deleteTags, changes.deleteTags);
    await execute(tx, sql.deleteManifests, changes.deleteManifests);
    await execute(tx, sql.updateTags, changes.updateTags);
    await execute(tx, sql.reviveTags, changes.reviveTags);
    await execute(tx, sql.insertTags, changes.insertTags);
    await execute(tx, sql.updateManifests, changes.updateManifests);
    const children: BulkRow[] = [];
    if (changes.replaceChildren.size > 0) {
      const replaced = [...changes.replaceChildren.keys()].map((id) => ({ id }));
      await execute(tx, sql.deleteChildren, replaced);
      for (const [id, digests] of changes.replaceChildren) pushChildren(children, id, digests);
    }
    if (changes.insertManifests.length > 0) {
      const statement = sql.insertManifests;
      const inserted = await tx.$queryRawUnsafe<
        { id: number | bigint; repositoryId: number | bigint; digest: string }[]
      >(statement.sql, ...statement.parameters(changes.insertManifests));
      for (const row of inserted) {
        const digests = changes.newChildren.get(manifestKey(Number(row.repositoryId), row.digest));
        if (digests !== undefined) pushChildren(children, Number(row.id), digests);
      }
    }
    await execute(tx, sql.insertChildren, children);
  }
}

/** A registry's view of a stored tag: what the registry does not know is kept. */
function registryColumns(tag: InventoryRepository['tags'][number], row: StoredTag) {
  const columns = tagColumns(tag);
  return {
    ...columns,
    pushedAt: row.digest === columns.digest ? row.pushedAt : columns.pushedAt,
    lastPulledAt: row.lastPulledAt,
    immutable: row.immutable,
    labels: Array.isArray(row.labels) ? (row.labels as string[]) : [],
  };
}

function pushChildren(rows: BulkRow[], manifestId: number, digests: readonly string[]): void {
  digests.forEach((digest, position) => rows.push({ id: manifestId, o: position, c: digest }));
}

async function execute(tx: DbTransaction, statement: BulkStatement, rows: readonly BulkRow[]) {
  if (rows.length > 0) await tx.$executeRawUnsafe(statement.sql, ...statement.parameters(rows));
}

/** Ids of the batch's namespaces, created (in name order) when missing. */
async function namespaceIds(
  tx: DbTransaction,
  batch: readonly InventoryRepository[],
  skipDuplicates: boolean,
): Promise<Map<string, number>> {
  const names = [...new Set(batch.map((repository) => repository.namespace))];
  const find = async (wanted: readonly string[]) =>
    (
      await tx.namespace.findMany({
        where: { name: { in: [...wanted] } },
        select: { id: true, name: true },
      })
    ).map((row): [string, number] => [row.name, row.id]);
  const ids = new Map(await find(names));
  const missing = names.filter((name) => !ids.has(name)).sort(compareText);
  if (missing.length > 0) {
    await tx.namespace.createMany({
      data: missing.map((name) => ({ name, settings: {} })),
      ...(skipDuplicates && { skipDuplicates }),
    });
    for (const [name, id] of await find(missing)) ids.set(name, id);
  }
  return ids;
}

/** Code-point order, the same in every locale. */
const compareText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

interface RepositoryKey {
  readonly namespaceId: number;
  readonly name: string;
}

const repositoryKey = (r: RepositoryKey): string => `${r.namespaceId} ${r.name}`;

/** Ids of those of `wanted` that exist, by `repositoryKey`. */
async function repositoryIds(
  tx: DbTransaction,
  wanted: readonly RepositoryKey[],
): Promise<Map<string, number>> {
  const rows = await tx.repository.findMany({
    where: {
      namespaceId: { in: [...new Set(wanted.map((w) => w.namespaceId))] },
      name: { in: [...new Set(wanted.map((w) => w.name))] },
    },
    select: { id: true, namespaceId: true, name: true },
  });
  return new Map(rows.map((row) => [repositoryKey(row), row.id]));
}

/** The stored tags and manifests of existing repositories, by repository id. */
async function storedRows(tx: DbTransaction, repositoryIds: readonly number[]) {
  const tags = new Map<number, Map<string, StoredTag>>();
  const manifests = new Map<number, StoredManifest[]>();
  if (repositoryIds.length === 0) return { tags, manifests };
  const where = { repositoryId: { in: [...repositoryIds] } };
  for (const row of await tx.tag.findMany({ where, omit: { expiredByRunId: true } })) {
    let byName = tags.get(row.repositoryId);
    if (byName === undefined) tags.set(row.repositoryId, (byName = new Map<string, StoredTag>()));
    byName.set(row.name, row);
  }
  const rows = await tx.manifest.findMany({ where });
  const children = await childrenOf(
    tx,
    rows.map((row) => row.id),
  );
  for (const row of rows) {
    let list = manifests.get(row.repositoryId);
    if (list === undefined) manifests.set(row.repositoryId, (list = []));
    list.push({
      ...row,
      children: (children.get(row.id) ?? []).map((childDigest) => ({ childDigest })),
    });
  }
  return { tags, manifests };
}

/** Whether a stored row already holds these column values. */
function sameColumns(row: object, columns: Readonly<Record<string, unknown>>): boolean {
  const stored = row as Readonly<Record<string, unknown>>;
  return Object.entries(columns).every(([key, value]) => sameValue(stored[key], value));
}

/** Equality of column values: scalars, times, and arrays of strings (labels, children). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => item === b[i]);
  }
  return false;
}
