import type { DbTransaction } from '../client';
import { translated } from '../errors';
import type { RepositoryRef } from './repositories';

/** What a registry event changes in the inventory, its repository already split. */
export type InventoryChange =
  | {
      readonly kind: 'push';
      readonly repository: RepositoryRef;
      readonly digest: string;
      readonly tag?: string;
      readonly mediaType?: string;
      readonly sizeBytes?: number;
    }
  | {
      readonly kind: 'pull';
      readonly repository: RepositoryRef;
      readonly digest: string;
      readonly tag?: string;
    }
  | {
      readonly kind: 'delete';
      readonly repository: RepositoryRef;
      readonly digest?: string;
      readonly tag?: string;
    };

export interface RegistryEventInput {
  /** The registry's event id: an event is applied once, whatever the redeliveries. */
  readonly id: string;
  /** As the registry named it (push, pull, delete, mount). */
  readonly action: string;
  /** When it happened, by the registry's clock. */
  readonly at: Date;
  /** Null when it means nothing for the inventory (a blob, or no namespace to map it to). */
  readonly change: InventoryChange | null;
}

/** What applying an event did; `deleted` lists what a delete removed (for the audit log). */
export interface RegistryEventResult {
  readonly id: string;
  readonly action: string;
  readonly outcome: 'applied' | 'duplicate' | 'ignored';
  readonly deleted?: { readonly tags: string[]; readonly manifest: boolean };
}

export interface RegistryEventStore {
  /**
   * Applies the events in order, each id once: an id applied before (or earlier in the list)
   * is a duplicate. Records the ids of the events that meant something for the inventory: call
   * it in a transaction (`Database.transaction`) to apply all of them or none.
   * WINNOW_DB_CONFLICT when a concurrent transaction recorded one of the ids (or created the
   * same tag) first: try again, and they are duplicates.
   * Events for a namespace Winnow does not know, or a repository, tag or manifest it does not
   * have, are ignored; a push creates the repository in a known namespace.
   */
  apply(events: readonly RegistryEventInput[], receivedAt: Date): Promise<RegistryEventResult[]>;
}

type Outcome = Omit<RegistryEventResult, 'id' | 'action'>;
const applied: Outcome = { outcome: 'applied' };
const ignored: Outcome = { outcome: 'ignored' };

/** Later than `at`: a push after this event happened (registries do not promise order). */
const after = (time: Date | null, at: Date): boolean => time !== null && time > at;

/** Applies changes to the inventory; namespaces are looked up once (one envelope's worth). */
function inventoryApplier(
  db: DbTransaction,
): (change: InventoryChange, at: Date) => Promise<Outcome> {
  const namespaceIds = new Map<string, number | null>();
  const namespaceId = async (name: string): Promise<number | null> => {
    if (!namespaceIds.has(name)) {
      const row = await db.namespace.findUnique({ where: { name }, select: { id: true } });
      namespaceIds.set(name, row?.id ?? null);
    }
    return namespaceIds.get(name) ?? null;
  };
  const repositoryId = async (ref: RepositoryRef): Promise<number | null> => {
    const ns = await namespaceId(ref.namespace);
    if (ns === null) return null;
    const row = await db.repository.findUnique({
      where: { namespaceId_name: { namespaceId: ns, name: ref.name } },
      select: { id: true },
    });
    return row?.id ?? null;
  };

  const push = async (change: Extract<InventoryChange, { kind: 'push' }>, at: Date) => {
    const ns = await namespaceId(change.repository.namespace);
    if (ns === null) return ignored;
    const { id } = await db.repository.upsert({
      where: { namespaceId_name: { namespaceId: ns, name: change.repository.name } },
      create: { namespaceId: ns, name: change.repository.name },
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
    const key = { repositoryId_name: { repositoryId: id, name: change.tag } };
    const tag = await db.tag.findUnique({ where: key });
    if (tag === null) {
      await db.tag.create({
        data: {
          repositoryId: id,
          name: change.tag,
          digest: change.digest,
          pushedAt: at,
          labels: [],
        },
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
      data: { digest: change.digest, pushedAt: at, lifetimeEnd: null, expiredByRunId: null },
    });
    return applied;
  };

  const pull = async (change: Extract<InventoryChange, { kind: 'pull' }>, at: Date) => {
    const id = await repositoryId(change.repository);
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
  };

  const remove = async (
    change: Extract<InventoryChange, { kind: 'delete' }>,
    at: Date,
  ): Promise<Outcome> => {
    const id = await repositoryId(change.repository);
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
  };

  return (change, at) => {
    switch (change.kind) {
      case 'push':
        return push(change, at);
      case 'pull':
        return pull(change, at);
      case 'delete':
        return remove(change, at);
    }
  };
}

export function registryEventStore(db: DbTransaction): RegistryEventStore {
  return {
    apply: (events, receivedAt) =>
      translated('registry events', () => applyAll(db, events, receivedAt)),
  };
}

async function applyAll(
  db: DbTransaction,
  events: readonly RegistryEventInput[],
  receivedAt: Date,
): Promise<RegistryEventResult[]> {
  const applyOne = inventoryApplier(db);
  const seen = new Set(
    (
      await db.registryEvent.findMany({
        where: { id: { in: [...new Set(events.map((event) => event.id))] } },
        select: { id: true },
      })
    ).map((row) => row.id),
  );
  const results: RegistryEventResult[] = [];
  for (const event of events) {
    const { id, action } = event;
    if (seen.has(id)) {
      results.push({ id, action, outcome: 'duplicate' });
      continue;
    }
    seen.add(id);
    const outcome = event.change === null ? ignored : await applyOne(event.change, event.at);
    results.push({ id, action, ...outcome });
  }
  // Events that mean nothing for the inventory (blobs, mostly: most events of a pull) are
  // not recorded: applying them again changes nothing, and they would fill the table.
  const recorded = events.filter(
    (event, i) => event.change !== null && results[i]?.outcome !== 'duplicate',
  );
  if (recorded.length > 0) {
    await db.registryEvent.createMany({
      data: recorded.map(({ id, action }) => ({ id, action, receivedAt })),
    });
  }
  return results;
}
