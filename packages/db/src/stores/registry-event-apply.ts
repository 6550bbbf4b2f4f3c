import type { DbTransaction } from '../client';
import type { InventoryChange, RegistryEventResult } from './registry-events';
import type { RepositoryRef } from './repositories';

/** What applying one change did. */
export type ChangeOutcome = Omit<RegistryEventResult, 'id' | 'action'>;
const applied: ChangeOutcome = { outcome: 'applied' };
const ignored: ChangeOutcome = { outcome: 'ignored' };

/** Later than `at`: a push after this event happened (registries do not promise order). */
const after = (time: Date | null, at: Date): boolean => time !== null && time > at;

/** Namespace and repository ids by name, namespaces looked up once (an envelope's worth). */
class Lookup {
  private readonly namespaces = new Map<string, number | null>();
  constructor(private readonly db: DbTransaction) {}

  async namespaceId(name: string): Promise<number | null> {
    if (!this.namespaces.has(name)) {
      const row = await this.db.namespace.findUnique({ where: { name }, select: { id: true } });
      this.namespaces.set(name, row?.id ?? null);
    }
    return this.namespaces.get(name) ?? null;
  }

  async repositoryId(ref: RepositoryRef): Promise<number | null> {
    const namespaceId = await this.namespaceId(ref.namespace);
    if (namespaceId === null) return null;
    const row = await this.db.repository.findUnique({
      where: { namespaceId_name: { namespaceId, name: ref.name } },
      select: { id: true },
    });
    return row?.id ?? null;
  }
}

type Change<K extends InventoryChange['kind']> = Extract<InventoryChange, { kind: K }>;

async function push(db: DbTransaction, lookup: Lookup, change: Change<'push'>, at: Date) {
  const namespaceId = await lookup.namespaceId(change.repository.namespace);
  if (namespaceId === null) return ignored;
  const { id } = await db.repository.upsert({
    where: { namespaceId_name: { namespaceId, name: change.repository.name } },
    create: { namespaceId, name: change.repository.name },
    update: {},
    select: { id: true },
  });
  const facts = {
    ...(change.mediaType !== undefined && { mediaType: change.mediaType }),
    ...(change.sizeBytes !== undefined && { sizeBytes: BigInt(change.sizeBytes) }),
  };
  await db.manifest.upsert({
    where: { repositoryId_digest: { repositoryId: id, digest: change.digest } },
    create: { repositoryId: id, digest: change.digest, pushedAt: at, ...facts },
    update: facts,
  });
  if (change.tag === undefined) return applied;
  const tag = await db.tag.findUnique({
    where: { repositoryId_name: { repositoryId: id, name: change.tag } },
  });
  if (tag === null) {
    await db.tag.create({
      data: { repositoryId: id, name: change.tag, digest: change.digest, pushedAt: at, labels: [] },
    });
    return applied;
  }
  const live = tag.lifetimeEnd === null;
  if (live && tag.digest === change.digest) return applied;
  // A live tag moved by a later push stays where it is.
  if (live && after(tag.pushedAt, at)) return ignored;
  // Moved, or pushed again after a run expired it: live again, pushed now.
  await db.tag.update({
    where: { id: tag.id },
    data: {
      digest: change.digest,
      pushedAt: at,
      lifetimeEnd: null,
      expiredByRunId: null,
      // A proxy cache's stale tag, re-fetched: its new digest is what the upstream has.
      upstreamStale: false,
    },
  });
  return applied;
}

async function pull(db: DbTransaction, lookup: Lookup, change: Change<'pull'>, at: Date) {
  const id = await lookup.repositoryId(change.repository);
  if (id === null) return ignored;
  const where = {
    repositoryId: id,
    digest: change.digest,
    lifetimeEnd: null,
    ...(change.tag !== undefined && { name: change.tag }),
  };
  if ((await db.tag.count({ where })) === 0) return ignored;
  await db.tag.updateMany({
    where: { ...where, OR: [{ lastPulledAt: null }, { lastPulledAt: { lt: at } }] },
    data: { lastPulledAt: at },
  });
  return applied;
}

async function remove(
  db: DbTransaction,
  lookup: Lookup,
  change: Change<'delete'>,
  at: Date,
): Promise<ChangeOutcome> {
  const id = await lookup.repositoryId(change.repository);
  if (id === null) return ignored;
  const tags = (
    await db.tag.findMany({
      where: {
        repositoryId: id,
        ...(change.digest !== undefined && { digest: change.digest }),
        ...(change.tag !== undefined && { name: change.tag }),
      },
      select: { id: true, name: true, pushedAt: true },
      orderBy: { name: 'asc' },
    })
  ).filter((tag) => !after(tag.pushedAt, at));
  await db.tag.deleteMany({ where: { id: { in: tags.map((tag) => tag.id) } } });
  let manifest = false;
  if (change.digest !== undefined) {
    const row = await db.manifest.findUnique({
      where: { repositoryId_digest: { repositoryId: id, digest: change.digest } },
      select: { id: true, pushedAt: true },
    });
    if (row !== null && !after(row.pushedAt, at)) {
      await db.manifest.delete({ where: { id: row.id } });
      manifest = true;
    }
  }
  if (tags.length === 0 && !manifest) return ignored;
  return { ...applied, deleted: { tags: tags.map((tag) => tag.name), manifest } };
}

/**
 * Applies changes to the inventory, in the caller's transaction; one applier per envelope.
 * Unknown namespaces, repositories, tags and manifests make a change `ignored`.
 */
export function inventoryApplier(
  db: DbTransaction,
): (change: InventoryChange, at: Date) => Promise<ChangeOutcome> {
  const lookup = new Lookup(db);
  return (change, at) => {
    switch (change.kind) {
      case 'push':
        return push(db, lookup, change, at);
      case 'pull':
        return pull(db, lookup, change, at);
      case 'delete':
        return remove(db, lookup, change, at);
    }
  };
}
