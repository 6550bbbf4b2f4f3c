import type { DbTransaction } from '../client';
import type { Prisma } from '../generated/postgresql/client';
import { translated } from '../errors';
import { type UpstreamHealth, upstreamHealthOf } from './proxy-cache';

export type NamespaceKind = 'normal' | 'proxy_cache';

export interface NamespaceRecord {
  readonly name: string;
  readonly kind: NamespaceKind;
  readonly settings: Readonly<Record<string, unknown>>;
  /** Proxy-cache namespaces (read only): the upstream's health as last checked. */
  readonly upstream?: UpstreamHealth;
}

export interface NamespaceStore {
  /** Creates a namespace; WINNOW_DB_CONFLICT if the name is taken. */
  create(namespace: NamespaceRecord): Promise<NamespaceRecord>;
  get(name: string): Promise<NamespaceRecord | null>;
  list(): Promise<NamespaceRecord[]>;
  /** WINNOW_DB_NOT_FOUND if there is no such namespace. Deletes its repositories too. */
  delete(name: string): Promise<void>;
}

type Row = {
  name: string;
  kind: NamespaceKind;
  settings: unknown;
  upstreamStatus: string | null;
  upstreamCheckedAt: Date | null;
  upstreamError: string | null;
};

function toRecord(row: Row): NamespaceRecord {
  const record = {
    name: row.name,
    kind: row.kind,
    settings: row.settings as Record<string, unknown>,
  };
  return row.kind === 'proxy_cache' ? { ...record, upstream: upstreamHealthOf(row) } : record;
}

export function namespaceStore(db: DbTransaction): NamespaceStore {
  return {
    create: (namespace) =>
      translated(`namespace ${namespace.name}`, async () =>
        toRecord(
          await db.namespace.create({
            data: {
              name: namespace.name,
              kind: namespace.kind,
              settings: namespace.settings as Prisma.InputJsonObject,
            },
          }),
        ),
      ),
    get: async (name) => {
      const row = await db.namespace.findUnique({ where: { name } });
      return row === null ? null : toRecord(row);
    },
    list: async () => (await db.namespace.findMany({ orderBy: { name: 'asc' } })).map(toRecord),
    delete: (name) =>
      translated(`namespace ${name}`, async () => {
        await db.namespace.delete({ where: { name } });
      }),
  };
}
