import type { DbTransaction } from '../client';
import { translated } from '../errors';
import { inventoryApplier } from './registry-event-apply';
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
    const outcome =
      event.change === null
        ? { outcome: 'ignored' as const }
        : await applyOne(event.change, event.at);
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
