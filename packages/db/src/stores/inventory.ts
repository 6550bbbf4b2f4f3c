import type { InventoryRepository } from '@winnow/engine';

import type { DbClient } from '../client';
import type { Provider } from '../provider';
import { exportRepositories } from './inventory-export';
import { type ImportSummary, importRepositories } from './inventory-import';

export type { ImportSummary } from './inventory-import';

export interface InventoryStore {
  /**
   * Upserts repository snapshots, at most `batchSize` repositories (default 100) and `batchRows`
   * tags and manifests (default 20,000) per transaction; idempotent. When the input fails, the
   * repositories read before the failure are stored, then the failure is thrown.
   */
  importRepositories(
    repositories: AsyncIterable<InventoryRepository> | Iterable<InventoryRepository>,
    options?: { batchSize?: number; batchRows?: number },
  ): Promise<ImportSummary>;
  /**
   * Streams every stored repository in engine form with its live tags, `batchSize` (default 100)
   * per query.
   */
  exportRepositories(options?: { batchSize?: number }): AsyncGenerator<InventoryRepository>;
}

const DEFAULT_BATCH = 100;
/** About 4 MiB of statement parameters per batch. */
const DEFAULT_BATCH_ROWS = 20_000;

export function inventoryStore(db: DbClient, provider: Provider): InventoryStore {
  return {
    importRepositories: (repositories, options) =>
      importRepositories(db, provider, repositories, {
        batchSize: options?.batchSize ?? DEFAULT_BATCH,
        batchRows: options?.batchRows ?? DEFAULT_BATCH_ROWS,
      }),
    exportRepositories: (options) => exportRepositories(db, options?.batchSize ?? DEFAULT_BATCH),
  };
}
