import type { InventoryTag } from '@winnow/engine';

import { type DbTransaction, inTransaction } from '../client';
import { DbErrorCode, WinnowDbError } from '../errors';
import type { Provider } from '../provider';
import { toInventoryTag, type TagRow } from './inventory-rows';
import type { RepositoryRef } from './repositories';
import { integerValues } from './sql-values';

/** A tag a run expired (soft delete): restorable until the restore window after `expiredAt`. */
export interface ExpiredTag {
  readonly repository: RepositoryRef;
  readonly tag: InventoryTag;
  /** When it stopped being live (`Tag.lifetimeEnd`). */
  readonly expiredAt: Date;
  /** The run that expired it; null if that run was deleted. */
  readonly runId: number | null;
}

type ExpiredRow = TagRow & { id: number; lifetimeEnd: Date | null; expiredByRunId: number | null };

/** Only for rows read as expired (`lifetimeEnd` not null). */
function toExpiredTag(repository: RepositoryRef, row: ExpiredRow): ExpiredTag {
  if (row.lifetimeEnd === null) throw new Error(`tag ${row.id} is live, not expired`);
  return {
    repository,
    tag: toInventoryTag(row),
    expiredAt: row.lifetimeEnd,
    runId: row.expiredByRunId,
  };
}

const tagName = (ref: RepositoryRef, name: string) => `tag ${ref.namespace}/${ref.name}:${name}`;

/** The repository's expired tags, by name. */
export async function listExpired(db: DbTransaction, ref: RepositoryRef): Promise<ExpiredTag[]> {
  const rows = await db.tag.findMany({
    where: {
      lifetimeEnd: { not: null },
      repository: { name: ref.name, namespace: { name: ref.namespace } },
    },
    orderBy: { name: 'asc' },
  });
  return rows.map((row) => toExpiredTag(ref, row));
}

/**
 * Makes an expired tag live again while its restore window lasts (`lifetimeEnd` later than
 * `now - windowMs`). WINNOW_DB_NOT_FOUND: no such tag; WINNOW_DB_CONFLICT: it is live;
 * WINNOW_DB_RESTORE_WINDOW_ENDED: too late (it is due for purge).
 */
export async function restoreTag(
  db: DbTransaction,
  ref: RepositoryRef,
  name: string,
  windowMs: number,
  now: Date,
): Promise<ExpiredTag> {
  return inTransaction(db, async (tx) => {
    const row = await tx.tag.findFirst({
      where: { name, repository: { name: ref.name, namespace: { name: ref.namespace } } },
    });
    if (row === null)
      throw new WinnowDbError(DbErrorCode.notFound, `${tagName(ref, name)}: not found`);
    if (row.lifetimeEnd === null) {
      throw new WinnowDbError(
        DbErrorCode.conflict,
        `${tagName(ref, name)}: live, nothing to restore`,
      );
    }
    if (row.lifetimeEnd.getTime() <= now.getTime() - windowMs) {
      throw new WinnowDbError(
        DbErrorCode.restoreWindowEnded,
        `${tagName(ref, name)}: expired at ${row.lifetimeEnd.toISOString()}, its restore window has ended`,
      );
    }
    // The expiry read above is the condition: a concurrent restore or re-push makes this a no-op.
    const restored = await tx.tag.updateMany({
      where: { id: row.id, lifetimeEnd: row.lifetimeEnd },
      data: { lifetimeEnd: null, expiredByRunId: null },
    });
    if (restored.count === 0) {
      throw new WinnowDbError(
        DbErrorCode.conflict,
        `${tagName(ref, name)}: changed while restoring`,
      );
    }
    return toExpiredTag(ref, row);
  });
}

/**
 * Deletes up to `limit` expired tags whose restore window has ended (`lifetimeEnd` at or before
 * `now - windowMs`), oldest expiry first, and returns them (for the audit log and the registry).
 * A tag re-pushed or restored meanwhile is left alone. Call again until it returns fewer than
 * `limit`.
 */
export async function purgeExpired(
  db: DbTransaction,
  provider: Provider,
  windowMs: number,
  limit: number,
  now: Date,
  excludeNamespaces: readonly string[] = [],
): Promise<ExpiredTag[]> {
  const cutoff = new Date(now.getTime() - windowMs);
  return inTransaction(
    db,
    async (tx) => {
      const due = await tx.tag.findMany({
        where: {
          lifetimeEnd: { lte: cutoff },
          ...(excludeNamespaces.length > 0 && {
            repository: { namespace: { name: { notIn: [...excludeNamespaces] } } },
          }),
        },
        include: { repository: { select: { name: true, namespace: { select: { name: true } } } } },
        orderBy: [{ lifetimeEnd: 'asc' }, { id: 'asc' }],
        take: limit,
      });
      if (due.length === 0) return [];
      const deleted = await tx.$queryRaw<{ id: number }[]>`
        DELETE FROM "Tag"
         WHERE "id" IN (${integerValues(
           provider,
           due.map((row) => row.id),
         )}) AND "lifetimeEnd" <= ${cutoff}
        RETURNING "id"`;
      const ids = new Set(deleted.map((row) => row.id));
      return due
        .filter((row) => ids.has(row.id))
        .map((row) =>
          toExpiredTag(
            { namespace: row.repository.namespace.name, name: row.repository.name },
            row,
          ),
        );
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
