import type { InventoryManifest, InventoryRepository } from '@winnow/engine';

import type { DbClient, DbTransaction } from '../client';
import type { Provider } from '../provider';
import {
  type BulkChild,
  type BulkManifest,
  bulkBigInt,
  bulkBoolean,
  type BulkSql,
  bulkSql,
  type BulkTag,
  bulkTime,
} from './bulk-sql';
import { manifestColumns, tagColumns } from './inventory-rows';

export interface ImportSummary {
  readonly repositories: number;
}

export interface ImportLimits {
  /** Repositories per transaction, at most. */
  readonly batchSize: number;
  /** Tags and manifests per transaction, at most (a batch closes early when it has as many). */
  readonly batchRows: number;
}

/**
 * Stores each repository as its snapshot says: tags and manifests it lists are created or
 * updated, those it no longer lists are removed (expired tags too); unchanged rows are not
 * written. A listed tag that a run expired stays expired unless its digest changed (a re-push).
 * Importing twice changes nothing.
 *
 * The input is read lazily and written in batches, one transaction each, with set-based
 * statements (a handful per batch, see `bulk-sql.ts`). The next batch is read while the previous
 * one is written. When the input fails (an invalid repository, a broken stream), every
 * repository read before the failure is written, then the failure is thrown.
 */
export async function importRepositories(
  db: DbClient,
  provider: Provider,
  repositories: AsyncIterable<InventoryRepository> | Iterable<InventoryRepository>,
  limits: ImportLimits,
): Promise<ImportSummary> {
  const writer = new BatchWriter(db, provider);
  let count = 0;
  let batch: InventoryRepository[] = [];
  let rows = 0;
  let writing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    const current = batch;
    batch = [];
    rows = 0;
    // One batch in flight: wait for the previous write (and see its failure) before the next.
    await writing;
    writing = writer.write(current);
    writing.catch(() => undefined); // seen at the next await, not as an unhandled rejection
  };
  try {
    for await (const repository of repositories) {
      batch.push(repository);
      count += 1;
      rows += repository.tags.length + (repository.manifests?.length ?? 0);
      if (batch.length >= limits.batchSize || rows >= limits.batchRows) await flush();
    }
  } catch (error) {
    if (batch.length > 0) await flush();
    await writing;
    throw error;
  }
  if (batch.length > 0) await flush();
  await writing;
  return { repositories: count };
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
  readonly insertTags: BulkTag[];
  readonly updateTags: BulkTag[];
  readonly deleteTags: number[];
  /** Expired tags that the snapshot shows at another digest: re-pushed, live again. */
  readonly reviveTags: number[];
  readonly insertManifests: BulkManifest[];
  readonly updateManifests: BulkManifest[];
  readonly deleteManifests: number[];
  /** Children of inserted manifests, by repository id and digest (ids come back from the insert). */
  readonly newChildren: Map<string, readonly string[]>;
  /** Children of updated manifests whose list changed: replaced. */
  readonly replaceChildren: Map<number, readonly string[]>;
}

const manifestKey = (repositoryId: number, digest: string): string => `${repositoryId} ${digest}`;

class BatchWriter {
  private readonly sql: BulkSql;

  constructor(
    private readonly db: DbClient,
    private readonly provider: Provider,
  ) {
    this.sql = bulkSql(provider);
  }

  async write(batch: readonly InventoryRepository[]): Promise<void> {
    await this.db.$transaction(
      async (tx) => {
        const namespaces = await namespaceIds(tx, batch);
        const { ids, existing } = await repositoryIds(tx, batch, namespaces);
        const changes = this.changes(batch, ids, await storedRows(tx, existing));
        await this.apply(tx, changes);
      },
      { timeout: 120_000, maxWait: 30_000 },
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
      const columns = tagColumns(tag);
      const row = stored?.get(tag.name);
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
        changes.reviveTags.push(row.id);
      }
    }
    for (const row of stored?.values() ?? []) changes.deleteTags.push(row.id);
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
    for (const row of rows.values()) changes.deleteManifests.push(row.id);
  }

  private tagValues(columns: ReturnType<typeof tagColumns>): Omit<BulkTag, 'id' | 'n'> {
    return {
      d: columns.digest,
      p: bulkTime(this.provider, columns.pushedAt),
      l: bulkTime(this.provider, columns.lastPulledAt),
      i: bulkBoolean(this.provider, columns.immutable),
      b: columns.labels,
    };
  }

  private manifestValues(
    columns: ReturnType<typeof manifestColumns>,
  ): Omit<BulkManifest, 'id' | 'd'> {
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
    const children: BulkChild[] = [];
    if (changes.replaceChildren.size > 0) {
      await execute(tx, sql.deleteChildren, [...changes.replaceChildren.keys()]);
      for (const [id, digests] of changes.replaceChildren) pushChildren(children, id, digests);
    }
    if (changes.insertManifests.length > 0) {
      const inserted = await tx.$queryRawUnsafe<
        { id: number | bigint; repositoryId: number | bigint; digest: string }[]
      >(sql.insertManifests, JSON.stringify(changes.insertManifests));
      for (const row of inserted) {
        const digests = changes.newChildren.get(manifestKey(Number(row.repositoryId), row.digest));
        if (digests !== undefined) pushChildren(children, Number(row.id), digests);
      }
    }
    await execute(tx, sql.insertChildren, children);
  }
}

function pushChildren(rows: BulkChild[], manifestId: number, digests: readonly string[]): void {
  digests.forEach((digest, position) => rows.push({ id: manifestId, o: position, c: digest }));
}

async function execute(tx: DbTransaction, statement: string, rows: readonly unknown[]) {
  if (rows.length > 0) await tx.$executeRawUnsafe(statement, JSON.stringify(rows));
}

/** Ids of the batch's namespaces, created when missing. */
async function namespaceIds(
  tx: DbTransaction,
  batch: readonly InventoryRepository[],
): Promise<Map<string, number>> {
  const names = [...new Set(batch.map((repository) => repository.namespace))];
  const ids = new Map(
    (
      await tx.namespace.findMany({
        where: { name: { in: names } },
        select: { id: true, name: true },
      })
    ).map((row) => [row.name, row.id]),
  );
  for (const name of names) {
    if (ids.has(name)) continue;
    const row = await tx.namespace.upsert({
      where: { name },
      create: { name, settings: {} },
      update: {},
      select: { id: true },
    });
    ids.set(name, row.id);
  }
  return ids;
}

/**
 * The batch's repository ids, in batch order, created when missing; `existing` lists those that
 * were already there (only they can have stored rows).
 */
async function repositoryIds(
  tx: DbTransaction,
  batch: readonly InventoryRepository[],
  namespaces: ReadonlyMap<string, number>,
): Promise<{ ids: number[]; existing: number[] }> {
  const key = (namespaceId: number, name: string): string => `${namespaceId} ${name}`;
  const wanted = batch.map((r) => ({
    namespaceId: namespaces.get(r.namespace) ?? 0,
    name: r.name,
  }));
  const found = new Map(
    (
      await tx.repository.findMany({
        where: {
          namespaceId: { in: [...new Set(wanted.map((w) => w.namespaceId))] },
          name: { in: [...new Set(wanted.map((w) => w.name))] },
        },
        select: { id: true, namespaceId: true, name: true },
      })
    ).map((row) => [key(row.namespaceId, row.name), row.id]),
  );
  const existing = wanted.flatMap((w) => found.get(key(w.namespaceId, w.name)) ?? []);
  const missing = wanted.filter((w) => !found.has(key(w.namespaceId, w.name)));
  if (missing.length > 0) {
    const created = await tx.repository.createManyAndReturn({
      data: missing,
      select: { id: true, namespaceId: true, name: true },
    });
    for (const row of created) found.set(key(row.namespaceId, row.name), row.id);
  }
  return { ids: wanted.map((w) => found.get(key(w.namespaceId, w.name)) ?? 0), existing };
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
  for (const row of await tx.manifest.findMany({
    where,
    include: { children: { orderBy: { position: 'asc' }, select: { childDigest: true } } },
  })) {
    let list = manifests.get(row.repositoryId);
    if (list === undefined) manifests.set(row.repositoryId, (list = []));
    list.push(row);
  }
  return { tags, manifests };
}

/** Whether a stored row already holds these column values. */
function sameColumns(row: object, columns: Readonly<Record<string, unknown>>): boolean {
  const stored = row as Readonly<Record<string, unknown>>;
  return Object.entries(columns).every(([key, value]) => sameValue(stored[key], value));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'bigint' || typeof b === 'bigint') return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}
