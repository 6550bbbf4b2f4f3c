import type { DbTransaction } from '../client';

export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  /** Who: `api` until authentication names people; `demo`, `worker` for the service itself. */
  readonly actor: string;
  /** What, as `<thing>.<verb>`: `policy.put`, `tag.delete`, `inventory.import`, ... */
  readonly action: string;
  /** On what: `policy:namespace:acme`, `tag:acme/web/api:v1`, ... */
  readonly target: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditStore {
  record(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry>;
  /** Records many entries with one statement (e.g. one per purged tag); returns how many. */
  recordMany(entries: readonly Omit<AuditEntry, 'id' | 'at'>[]): Promise<number>;
  /** Oldest first, after the entry `after` (a cursor), at most `limit`; only `target` if given. */
  list(options?: { after?: number; limit?: number; target?: string }): Promise<AuditEntry[]>;
}

type Row = {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string;
  details: unknown;
};
const toEntry = (row: Row): AuditEntry => ({
  ...row,
  details: row.details as Record<string, unknown>,
});

/** Details are plain JSON: a round trip gives Prisma's Json input exactly that. */
const toRow = (entry: Omit<AuditEntry, 'id' | 'at'>) => ({
  ...entry,
  details: JSON.parse(JSON.stringify(entry.details)) as object,
});

export function auditStore(db: DbTransaction): AuditStore {
  return {
    record: async (entry) => toEntry(await db.auditLog.create({ data: toRow(entry) })),
    recordMany: async (entries) =>
      entries.length === 0 ? 0 : (await db.auditLog.createMany({ data: entries.map(toRow) })).count,
    list: async ({ after, limit = 100, target } = {}) =>
      (
        await db.auditLog.findMany({
          where: {
            ...(after === undefined ? {} : { id: { gt: after } }),
            ...(target === undefined ? {} : { target }),
          },
          orderBy: { id: 'asc' },
          take: limit,
        })
      ).map(toEntry),
  };
}
