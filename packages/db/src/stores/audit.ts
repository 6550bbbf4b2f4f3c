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

export function auditStore(db: DbTransaction): AuditStore {
  return {
    record: async (entry) => {
      // Details are plain JSON: a round trip gives Prisma's Json input exactly that.
      const details = JSON.parse(JSON.stringify(entry.details)) as object;
      return toEntry(await db.auditLog.create({ data: { ...entry, details } }));
    },
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
