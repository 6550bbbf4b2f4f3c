import type { InventoryRepository, RepositoryInput } from '@winnow/engine';

import type { DbClient } from '../client';
import type { Provider } from '../provider';
import { evaluationInputs, exportRepositories, type InventoryScope } from './inventory-export';
import { type ImportSummary, importRepositories } from './inventory-import';

export type { ImportSummary } from './inventory-import';
export type { InventoryScope } from './inventory-export';

export interface InventoryStore {
  /**
   * Upserts repository snapshots, at most `batchSize` repositories (default 100) and `batchRows`
   * tags and manifests (default 20,000) per transaction; idempotent. When the input fails, the
   * repositories read before the failure are stored, then the failure is thrown.
   */
  importRepositories(
    repositories: AsyncIterable<InventoryRepository> | Iterable<InventoryRepository>,
    options?: { batchSize?: number; batchRows?: number; fromRegistry?: boolean },
  ): Promise<ImportSummary>;
  /**
   * Streams the stored repositories in engine form, by path (the engine's order), at most
   * `batchSize` repositories (default 100) and `batchTags` tags (default 10,000) per query: every
   * one, or those of `scope`.
   */
  exportRepositories(options?: {
    batchSize?: number;
    batchTags?: number;
    scope?: InventoryScope;
  }): AsyncGenerator<InventoryRepository>;
  /**
   * Streams the repositories of `scope` (every one without it) as evaluation inputs, in the
   * export's order (pointers are export positions), at most `batchSize` repositories (default 100) and `batchTags` tags
   * (default 10,000) per query.
   */
  evaluationInputs(options?: {
    batchSize?: number;
    batchTags?: number;
    scope?: InventoryScope;
  }): AsyncGenerator<RepositoryInput>;
}

const DEFAULT_BATCH = 100;
const DEFAULT_BATCH_TAGS = 10_000;
/** About 4 MiB of statement parameters per batch. */
const DEFAULT_BATCH_ROWS = 20_000;

export function inventoryStore(db: DbClient, provider: Provider): InventoryStore {
  return {
    importRepositories: (repositories, options) =>
      importRepositories(db, provider, repositories, {
        batchSize: options?.batchSize ?? DEFAULT_BATCH,
        batchRows: options?.batchRows ?? DEFAULT_BATCH_ROWS,
        // SQLite has one writer; PostgreSQL writes two batches at once on two connections.
        concurrency: provider === 'postgresql' ? 2 : 1,
        ...(options?.fromRegistry !== undefined && { fromRegistry: options.fromRegistry }),
      }),
    exportRepositories: (options) =>
      exportRepositories(
        db,
        provider,
        {
          batchSize: options?.batchSize ?? DEFAULT_BATCH,
          batchTags: options?.batchTags ?? DEFAULT_BATCH_TAGS,
        },
        options?.scope,
      ),
    evaluationInputs: (options) =>
      evaluationInputs(
        db,
        provider,
        {
          batchSize: options?.batchSize ?? DEFAULT_BATCH,
          batchTags: options?.batchTags ?? DEFAULT_BATCH_TAGS,
        },
        options?.scope,
      ),
  };
}
