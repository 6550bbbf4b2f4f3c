import type { InventoryRepository } from '@winnow/engine';

import type { DbClient } from '../client';
import { exportRepositories } from './inventory-export';
import { type ImportSummary, importRepositories } from './inventory-import';

export type { ImportSummary } from './inventory-import';

export interface InventoryStore {
  /** Upserts repository snapshots, `batchSize` (default 100) per transaction; idempotent. */
  importRepositories(
    repositories: AsyncIterable<InventoryRepository> | Iterable<InventoryRepository>,
    options?: { batchSize?: number },
  ): Promise<ImportSummary>;
  /**
   * Streams every stored repository in engine form with its live tags, `batchSize` (default 100)
   * per query.
   */
  exportRepositories(options?: { batchSize?: number }): AsyncGenerator<InventoryRepository>;
}

const DEFAULT_BATCH = 100;

export function inventoryStore(db: DbClient): InventoryStore {
  return {
    importRepositories: (repositories, options) =>
      importRepositories(db, repositories, options?.batchSize ?? DEFAULT_BATCH),
    exportRepositories: (options) => exportRepositories(db, options?.batchSize ?? DEFAULT_BATCH),
  };
}
