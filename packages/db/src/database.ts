import { createClient } from './client';
import type { Provider } from './provider';
import { type AuditStore, auditStore } from './stores/audit';
import { type InventoryStore, inventoryStore } from './stores/inventory';
import { type NamespaceStore, namespaceStore } from './stores/namespaces';
import { type PolicyStore, policyStore } from './stores/policies';
import { type RepositoryStore, repositoryStore } from './stores/repositories';
import { type TagStore, tagStore } from './stores/tags';

/** Winnow's database: the stores, which speak engine types. No Prisma type leaves the package. */
export interface Database {
  readonly provider: Provider;
  readonly namespaces: NamespaceStore;
  readonly repositories: RepositoryStore;
  readonly inventory: InventoryStore;
  readonly policies: PolicyStore;
  readonly tags: TagStore;
  readonly audit: AuditStore;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the database at `url`: `file:<path>` for SQLite, `postgresql://...` for PostgreSQL.
 * Run `migrate(url)` first (at start-up).
 */
export function openDatabase(url: string): Database {
  const { provider, client } = createClient(url);
  return {
    provider,
    namespaces: namespaceStore(client),
    repositories: repositoryStore(client),
    inventory: inventoryStore(client, provider),
    policies: policyStore(client),
    tags: tagStore(client),
    audit: auditStore(client),
    ping: async () => {
      await client.$queryRaw`SELECT 1`;
    },
    close: () => client.$disconnect(),
  };
}
