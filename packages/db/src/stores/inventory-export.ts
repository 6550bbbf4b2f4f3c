import type { InventoryRepository } from '@winnow/engine';

import type { DbClient } from '../client';
import { toInventoryRepository } from './inventory-rows';

/**
 * Every repository in the database with its live tags (expired ones are left out), in creation
 * order, read `batchSize` repositories at a time
 * with keyset pagination: memory stays at one batch whatever the size of the inventory.
 */
export async function* exportRepositories(
  db: DbClient,
  batchSize: number,
): AsyncGenerator<InventoryRepository> {
  let after = 0;
  for (;;) {
    const batch = await db.repository.findMany({
      where: { id: { gt: after } },
      orderBy: { id: 'asc' },
      take: batchSize,
      include: {
        namespace: { select: { name: true } },
        tags: { where: { lifetimeEnd: null }, orderBy: { name: 'asc' } },
        manifests: {
          orderBy: { digest: 'asc' },
          include: { children: { orderBy: { position: 'asc' }, select: { childDigest: true } } },
        },
      },
    });
    for (const row of batch) {
      yield toInventoryRepository(row.namespace.name, row.name, row.tags, row.manifests);
    }
    const last = batch.at(-1);
    if (last === undefined || batch.length < batchSize) return;
    after = last.id;
  }
}
