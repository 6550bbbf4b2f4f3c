import type { InventoryManifest, InventoryRepository } from '@winnow/engine';

import type { DbClient, DbTransaction } from '../client';
import { manifestColumns, tagColumns } from './inventory-rows';

export interface ImportSummary {
  readonly repositories: number;
}

/**
 * Stores each repository as its snapshot says: tags and manifests it lists are created or
 * updated, those it no longer lists are removed (expired tags too); unchanged rows are not
 * written. A listed tag that a run expired stays expired unless its digest changed. Reads the input
 * lazily and writes `batchSize` repositories per transaction. Importing twice changes nothing.
 */
export async function importRepositories(
  db: DbClient,
  repositories: AsyncIterable<InventoryRepository> | Iterable<InventoryRepository>,
  batchSize: number,
): Promise<ImportSummary> {
  let count = 0;
  let batch: InventoryRepository[] = [];
  const flush = async () => {
    const current = batch;
    batch = [];
    await db.$transaction(
      async (tx) => {
        for (const repository of current) await importRepository(tx, repository);
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  };
  for await (const repository of repositories) {
    batch.push(repository);
    count += 1;
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return { repositories: count };
}

async function importRepository(tx: DbTransaction, input: InventoryRepository): Promise<void> {
  const namespace = await tx.namespace.upsert({
    where: { name: input.namespace },
    create: { name: input.namespace, settings: {} },
    update: {},
  });
  const repository = await tx.repository.upsert({
    where: { namespaceId_name: { namespaceId: namespace.id, name: input.name } },
    create: { namespaceId: namespace.id, name: input.name },
    update: {},
  });
  await syncTags(tx, repository.id, input);
  await syncManifests(tx, repository.id, input.manifests ?? []);
}

async function syncTags(tx: DbTransaction, repositoryId: number, input: InventoryRepository) {
  const stored = new Map(
    (await tx.tag.findMany({ where: { repositoryId } })).map((row) => [row.name, row]),
  );
  const created = [];
  for (const tag of input.tags) {
    const columns = tagColumns(tag);
    const row = stored.get(tag.name);
    stored.delete(tag.name);
    if (row === undefined) {
      created.push({ repositoryId, name: tag.name, ...columns });
      continue;
    }
    // An expired tag the registry still lists stays expired, unless it now points elsewhere: a
    // re-push, which makes it live again.
    const repushed = row.lifetimeEnd !== null && row.digest !== columns.digest;
    if (repushed) {
      await tx.tag.update({
        where: { id: row.id },
        data: { ...columns, lifetimeEnd: null, expiredByRunId: null },
      });
    } else if (!sameColumns(row, columns)) {
      await tx.tag.update({ where: { id: row.id }, data: columns });
    }
  }
  if (created.length > 0) await tx.tag.createMany({ data: created });
  if (stored.size > 0) {
    await tx.tag.deleteMany({ where: { id: { in: [...stored.values()].map((row) => row.id) } } });
  }
}

async function syncManifests(
  tx: DbTransaction,
  repositoryId: number,
  manifests: readonly InventoryManifest[],
) {
  const stored = new Map(
    (
      await tx.manifest.findMany({
        where: { repositoryId },
        include: { children: { orderBy: { position: 'asc' } } },
      })
    ).map((row) => [row.digest, row]),
  );
  for (const manifest of manifests) {
    const columns = manifestColumns(manifest);
    const children = manifest.children ?? [];
    const row = stored.get(manifest.digest);
    stored.delete(manifest.digest);
    if (row === undefined) {
      await tx.manifest.create({
        data: { repositoryId, digest: manifest.digest, ...columns, children: childRows(children) },
      });
    } else if (
      !sameColumns(row, columns) ||
      !sameValue(
        row.children.map((c) => c.childDigest),
        children,
      )
    ) {
      await tx.manifestChild.deleteMany({ where: { manifestId: row.id } });
      await tx.manifest.update({
        where: { id: row.id },
        data: { ...columns, children: childRows(children) },
      });
    }
  }
  if (stored.size > 0) {
    const ids = [...stored.values()].map((row) => row.id);
    await tx.manifest.deleteMany({ where: { id: { in: ids } } });
  }
}

function childRows(children: readonly string[]) {
  return { create: children.map((childDigest, position) => ({ position, childDigest })) };
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
