import { createClient } from './client';
import type { Provider } from './provider';
import { type AuditStore, auditStore } from './stores/audit';
import { type InventoryStore, inventoryStore } from './stores/inventory';
import { type NamespaceStore, namespaceStore } from './stores/namespaces';
import { type PolicyStore, policyStore } from './stores/policies';
import { type RepositoryStore, repositoryStore } from './stores/repositories';
import { type RunStore, runStore } from './stores/runs';
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
  readonly runs: RunStore;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /**
   * The time of expiries, leases, heartbeats and restore windows (default: the system clock).
   * Replicas sharing a database need clocks in sync to well within a lease.
   */
  readonly clock?: () => Date;
}

/**
 * Opens the database at `url`: `file:<path>` for SQLite, `postgresql://...` for PostgreSQL.
 * Run `migrate(url)` first (at start-up).
 */
export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  const { provider, client } = createClient(url);
  const clock = options.clock ?? (() => new Date());
  return {
    provider,
    namespaces: namespaceStore(client),
    repositories: repositoryStore(client),
    inventory: inventoryStore(client),
    policies: policyStore(client),
    tags: tagStore(client, provider, clock),
    audit: auditStore(client),
    runs: runStore(client, provider, clock),
    ping: async () => {
      await client.$queryRaw`SELECT 1`;
    },
    close: () => client.$disconnect(),
  };
}
