import {
  createClient,
  DEFAULT_POSTGRES_TIMEOUTS,
  type DbTransaction,
  type PostgresTimeouts,
} from './client';
import type { Provider } from './provider';
import { type Exclusive, exclusive } from './exclusive';
import { type ApiTokenStore, apiTokenStore } from './stores/api-tokens';
import { type AuditStore, auditStore } from './stores/audit';
import { type InventoryStore, inventoryStore } from './stores/inventory';
import { type NamespaceStore, namespaceStore } from './stores/namespaces';
import { type PolicyStore, policyStore } from './stores/policies';
import { type ProxyCacheStore, proxyCacheStore } from './stores/proxy-cache';
import { type RegistryStore, registryStore } from './stores/registries';
import { type RegistryEventStore, registryEventStore } from './stores/registry-events';
import { type RepositoryStore, repositoryStore } from './stores/repositories';
import { type RunStore, runStore } from './stores/runs';
import { RunTotalsCache } from './stores/run-totals';
import { type TagStore, tagStore } from './stores/tags';
import { type ScheduleStore, scheduleStore } from './stores/schedules';
import { type RegistryDeletionStore, registryDeletionStore } from './stores/registry-deletions';
import { type RegistrySyncStore, registrySyncStore } from './stores/registry-syncs';
import { type NotificationStore, notificationStore } from './stores/notifications';

/** The stores that can share a transaction (`Database.transaction`). */
export interface TransactionStores {
  readonly namespaces: NamespaceStore;
  readonly repositories: RepositoryStore;
  readonly policies: PolicyStore;
  readonly tags: TagStore;
  readonly audit: AuditStore;
  /** In a transaction, e.g. a run created or applied with its audit entry. */
  readonly runs: RunStore;
  /** Policies' schedules; `claimDue` and `advance` belong in one transaction. */
  readonly schedules: ScheduleStore;
  /** Registry syncs: queue, claim under a lease, progress, outcome. */
  readonly registrySyncs: RegistrySyncStore;
  /** Registry connections, and which namespaces each serves. */
  readonly registries: RegistryStore;
  /** Registry notification events, applied to the inventory once each. */
  readonly registryEvents: RegistryEventStore;
  /** Proxy-cache namespaces: their upstream's health and the tags' upstream checks. */
  readonly proxyCache: ProxyCacheStore;
  /** Webhook endpoints and the outbox of their deliveries (queued with the run that finished). */
  readonly notifications: NotificationStore;
  /** API tokens (hashed) and their grants. */
  readonly apiTokens: ApiTokenStore;
}

/** Winnow's database: the stores, which speak engine types. No Prisma type leaves the package. */
export interface Database extends TransactionStores {
  readonly provider: Provider;
  readonly inventory: InventoryStore;
  /** Deletions in registries: what is due, and their outcomes. */
  readonly registryDeletions: RegistryDeletionStore;
  /**
   * Runs `work` with stores that share one transaction: all its changes are committed together
   * when it resolves, none when it throws (e.g. a change and its audit entry).
   */
  transaction<T>(work: (stores: TransactionStores) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  /** Work done by one process at a time among those sharing the database (replicas). */
  readonly exclusive: Exclusive;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /**
   * The time of expiries, leases, heartbeats and restore windows (default: the system clock).
   * Replicas sharing a database need clocks in sync to well within a lease.
   */
  readonly clock?: () => Date;
  /**
   * How old the task sums of a run in progress may be when `runs.get`/`runs.list` answer (outside
   * a transaction): summing a large run costs milliseconds per read. Default 0: always summed.
   * A finished run's sums are final and kept either way (RunTotalsCache).
   */
  readonly runTotalsMaxAgeMs?: number;
  /** PostgreSQL only: connection and statement timeouts (default: 5 s and 30 s). */
  readonly postgresTimeouts?: PostgresTimeouts;
}

/**
 * Opens the database at `url`: `file:<path>` for SQLite, `postgresql://...` for PostgreSQL.
 * Run `migrate(url)` first (at start-up).
 */
export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  const timeouts = options.postgresTimeouts ?? DEFAULT_POSTGRES_TIMEOUTS;
  const { provider, client } = createClient(url, timeouts);
  const clock = options.clock ?? (() => new Date());
  const locks = exclusive(url, provider, timeouts);
  return {
    provider,
    ...transactionStores(client, provider, clock),
    // Outside transactions only: runs' task sums kept briefly (RunTotalsCache).
    runs: runStore(client, provider, clock, new RunTotalsCache(options.runTotalsMaxAgeMs ?? 0)),
    inventory: inventoryStore(client, provider),
    registryDeletions: registryDeletionStore(client, provider),
    transaction: (work) =>
      client.$transaction((tx) => work(transactionStores(tx, provider, clock)), {
        timeout: 60_000,
        maxWait: 30_000,
      }),
    ping: async () => {
      await client.$queryRaw`SELECT 1`;
    },
    exclusive: locks,
    close: async () => {
      await locks.close();
      await client.$disconnect();
    },
  };
}

function transactionStores(
  db: DbTransaction,
  provider: Provider,
  clock: () => Date,
): TransactionStores {
  return {
    namespaces: namespaceStore(db),
    repositories: repositoryStore(db, provider),
    policies: policyStore(db),
    tags: tagStore(db, provider, clock),
    audit: auditStore(db),
    runs: runStore(db, provider, clock),
    schedules: scheduleStore(db, provider),
    registrySyncs: registrySyncStore(db),
    registries: registryStore(db, provider),
    registryEvents: registryEventStore(db),
    proxyCache: proxyCacheStore(db),
    notifications: notificationStore(db, clock),
    apiTokens: apiTokenStore(db),
  };
}
