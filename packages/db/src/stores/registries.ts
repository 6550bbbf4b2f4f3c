import { type DbTransaction, inTransaction } from '../client';
import { DbErrorCode, translated, WinnowDbError } from '../errors';
import type { Prisma } from '../generated/postgresql/client';
import type { Provider } from '../provider';

export type RegistryAuthKind = 'anonymous' | 'basic' | 'token';

export interface RegistryTls {
  /** PEM of the certificate authority the registry's certificate is checked against. */
  readonly caCertificate?: string;
  readonly insecureSkipVerify?: boolean;
}

/** When the registry is synced: a cron expression in an IANA time zone, and its next time. */
export interface RegistrySyncSchedule {
  readonly cron: string;
  readonly timezone: string;
  readonly nextSyncAt: Date;
}

/** A registry connection. `secret` is stored as given: the caller encrypts it. */
export interface RegistryRecord {
  /** What its syncs and deletions refer to. */
  readonly id: number;
  readonly name: string;
  /** The connector that speaks to it (`distribution`: the OCI distribution API). */
  readonly kind: string;
  readonly url: string;
  readonly authKind: RegistryAuthKind;
  readonly username: string | null;
  readonly secret: string | null;
  /** The namespaces it serves; a namespace is served by one registry at most. */
  readonly namespaces: readonly string[];
  readonly tls: RegistryTls;
  readonly concurrency: number;
  /** null: no rate limit. */
  readonly requestsPerSecond: number | null;
  readonly timeoutMs: number;
  readonly deleteImmediately: boolean;
  readonly sync: RegistrySyncSchedule | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewRegistry = Omit<RegistryRecord, 'id' | 'kind' | 'createdAt' | 'updatedAt'> & {
  readonly kind?: string;
};
/** The fields to change; absent ones stay (`null` clears a nullable one). */
export type RegistryChanges = Partial<Omit<NewRegistry, 'name'>>;

export interface RegistryStore {
  /** WINNOW_DB_CONFLICT if the name is taken or another registry serves one of its namespaces. */
  create(registry: NewRegistry): Promise<RegistryRecord>;
  /** By name. */
  list(): Promise<RegistryRecord[]>;
  get(name: string): Promise<RegistryRecord | null>;
  byId(id: number): Promise<RegistryRecord | null>;
  /** WINNOW_DB_NOT_FOUND if there is none; WINNOW_DB_CONFLICT as `create`. */
  update(name: string, changes: RegistryChanges): Promise<RegistryRecord>;
  /** WINNOW_DB_NOT_FOUND if there is none. */
  delete(name: string): Promise<void>;
  /** The registry that serves `namespace`, or null. */
  serving(namespace: string): Promise<RegistryRecord | null>;
}

type Row = Prisma.RegistryGetPayload<object>;

function toRecord(row: Row): RegistryRecord {
  const sync =
    row.syncCron !== null && row.nextSyncAt !== null
      ? { cron: row.syncCron, timezone: row.syncTimezone ?? 'UTC', nextSyncAt: row.nextSyncAt }
      : null;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    url: row.url,
    authKind: row.authKind as RegistryAuthKind,
    username: row.username,
    secret: row.secret,
    namespaces: row.namespaces as string[],
    tls: row.tls as RegistryTls,
    concurrency: row.concurrency,
    requestsPerSecond: row.requestsPerSecond,
    timeoutMs: row.timeoutMs,
    deleteImmediately: row.deleteImmediately,
    sync,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The columns of the given fields; absent fields are left out (Prisma leaves them alone). */
function toData(changes: RegistryChanges): Prisma.RegistryUpdateInput {
  const { sync, namespaces, tls, ...plain } = changes;
  return {
    ...plain,
    ...(namespaces !== undefined && { namespaces: [...namespaces] }),
    ...(tls !== undefined && { tls: { ...tls } }),
    ...(sync !== undefined && {
      syncCron: sync?.cron ?? null,
      syncTimezone: sync?.timezone ?? null,
      nextSyncAt: sync?.nextSyncAt ?? null,
    }),
  };
}

/**
 * Refuses namespaces that another registry serves. Registries are few and their namespaces a
 * JSON array (no portable index): read them all. On PostgreSQL an advisory lock serializes
 * the check and the write across transactions; SQLite's writes are serialized already.
 */
async function claimNamespaces(
  tx: DbTransaction,
  provider: Provider,
  name: string,
  namespaces: readonly string[],
): Promise<void> {
  if (provider === 'postgresql') {
    await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext('winnow.registries'))`;
  }
  const others = await tx.registry.findMany({ where: { name: { not: name } } });
  for (const other of others) {
    const taken = namespaces.find((ns) => (other.namespaces as string[]).includes(ns));
    if (taken !== undefined) {
      throw new WinnowDbError(
        DbErrorCode.conflict,
        `namespace ${taken}: already served by registry ${other.name}`,
      );
    }
  }
}

export function registryStore(db: DbTransaction, provider: Provider): RegistryStore {
  return {
    create: (registry) =>
      translated(`registry ${registry.name}`, () =>
        inTransaction(db, async (tx) => {
          await claimNamespaces(tx, provider, registry.name, registry.namespaces);
          const { name, ...rest } = registry;
          const data = toData(rest) as Prisma.RegistryCreateInput;
          return toRecord(await tx.registry.create({ data: { ...data, name } }));
        }),
      ),
    list: async () => (await db.registry.findMany({ orderBy: { name: 'asc' } })).map(toRecord),
    get: async (name) => {
      const row = await db.registry.findUnique({ where: { name } });
      return row === null ? null : toRecord(row);
    },
    byId: async (id) => {
      const row = await db.registry.findUnique({ where: { id } });
      return row === null ? null : toRecord(row);
    },
    update: (name, changes) =>
      translated(`registry ${name}`, () =>
        inTransaction(db, async (tx) => {
          if (changes.namespaces !== undefined) {
            await claimNamespaces(tx, provider, name, changes.namespaces);
          }
          return toRecord(await tx.registry.update({ where: { name }, data: toData(changes) }));
        }),
      ),
    delete: (name) =>
      translated(`registry ${name}`, async () => {
        await db.registry.delete({ where: { name } });
      }),
    serving: async (namespace) => {
      const rows = await db.registry.findMany({ orderBy: { name: 'asc' } });
      const row = rows.find((r) => (r.namespaces as string[]).includes(namespace));
      return row === undefined ? null : toRecord(row);
    },
  };
}
