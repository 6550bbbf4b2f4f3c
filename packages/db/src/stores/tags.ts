import type { InventoryTag } from '@winnow/engine';
import { type DbTransaction, inTransaction } from '../client';
import { DbErrorCode, translated, WinnowDbError } from '../errors';
import type { Provider } from '../provider';
import { tagColumns, toInventoryTag } from './inventory-rows';
import type { RepositoryRef } from './repositories';
import { type ExpiredTag, listExpired, purgeExpired, restoreTag } from './tag-expiry';

export type { ExpiredTag } from './tag-expiry';

/**
 * Tags of the live inventory. An expired tag (soft-deleted by a run) is not live: `get`,
 * `delete` and `setImmutable` do not see it; `put` makes it live again (a push).
 */
export interface TagStore {
  /**
   * A push or a re-tag: creates the tag, or points it at the new digest with the new fields.
   * Creates the namespace and repository when missing, as a registry push does. Pushing an
   * expired tag's name makes it live again (`created` is true: it was not in the live inventory).
   */
  put(
    repository: RepositoryRef,
    tag: InventoryTag,
  ): Promise<{ tag: InventoryTag; created: boolean }>;
  get(repository: RepositoryRef, name: string): Promise<InventoryTag | null>;
  /** WINNOW_DB_NOT_FOUND if there is no such live tag. */
  delete(repository: RepositoryRef, name: string): Promise<void>;
  /** Sets or clears the immutable flag; WINNOW_DB_NOT_FOUND if there is no such live tag. */
  setImmutable(repository: RepositoryRef, name: string, immutable: boolean): Promise<InventoryTag>;
  /** The repository's expired tags, by name (live ones are not listed). */
  listExpired(repository: RepositoryRef): Promise<ExpiredTag[]>;
  /**
   * Makes an expired tag live again within `windowMs` of its expiry. WINNOW_DB_NOT_FOUND,
   * WINNOW_DB_CONFLICT (the tag is live), WINNOW_DB_RESTORE_WINDOW_ENDED.
   */
  restore(
    repository: RepositoryRef,
    name: string,
    options: { windowMs: number },
  ): Promise<ExpiredTag>;
  /**
   * Deletes up to `limit` (default 10,000) expired tags whose window of `windowMs` has ended,
   * oldest first, in one transaction; returns what it deleted. Loop while it returns `limit`.
   * Tags of `excludeNamespaces` are left alone (their registry's deletions purge them).
   */
  purgeExpired(options: {
    windowMs: number;
    limit?: number;
    excludeNamespaces?: readonly string[];
  }): Promise<ExpiredTag[]>;
}

const DEFAULT_PURGE_LIMIT = 10_000;

const notFound = (repository: RepositoryRef, name: string): WinnowDbError =>
  new WinnowDbError(
    DbErrorCode.notFound,
    `tag ${repository.namespace}/${repository.name}:${name}: not found`,
  );

/** The tag columns a push writes: the fields, and live again if it was expired. */
const pushed = (tag: InventoryTag) => ({
  ...tagColumns(tag),
  lifetimeEnd: null,
  expiredByRunId: null,
});

export function tagStore(db: DbTransaction, provider: Provider, clock: () => Date): TagStore {
  const repositoryId = async (ref: RepositoryRef): Promise<number | undefined> =>
    (
      await db.repository.findFirst({
        where: { name: ref.name, namespace: { name: ref.namespace } },
        select: { id: true },
      })
    )?.id;
  const live = async (ref: RepositoryRef, name: string) => {
    const id = await repositoryId(ref);
    return id === undefined
      ? null
      : db.tag.findFirst({ where: { repositoryId: id, name, lifetimeEnd: null } });
  };
  const existing = async (ref: RepositoryRef, name: string) => {
    const row = await live(ref, name);
    if (row === null) throw notFound(ref, name);
    return row;
  };
  return {
    put: (ref, tag) =>
      translated(`tag ${ref.namespace}/${ref.name}:${tag.name}`, () =>
        inTransaction(db, async (tx) => {
          const namespace = await tx.namespace.upsert({
            where: { name: ref.namespace },
            create: { name: ref.namespace, kind: 'normal', settings: {} },
            update: {},
          });
          const repository = await tx.repository.upsert({
            where: { namespaceId_name: { namespaceId: namespace.id, name: ref.name } },
            create: { namespaceId: namespace.id, name: ref.name },
            update: {},
          });
          const key = { repositoryId_name: { repositoryId: repository.id, name: tag.name } };
          const before = await tx.tag.findUnique({ where: key, select: { lifetimeEnd: true } });
          const row = await tx.tag.upsert({
            where: key,
            create: { repositoryId: repository.id, name: tag.name, ...tagColumns(tag) },
            update: pushed(tag),
          });
          return {
            tag: toInventoryTag(row),
            created: before === null || before.lifetimeEnd !== null,
          };
        }),
      ),
    get: async (ref, name) => {
      const row = await live(ref, name);
      return row === null ? null : toInventoryTag(row);
    },
    delete: async (ref, name) => {
      const row = await existing(ref, name);
      await db.tag.delete({ where: { id: row.id } });
    },
    setImmutable: async (ref, name, immutable) => {
      const row = await existing(ref, name);
      return toInventoryTag(await db.tag.update({ where: { id: row.id }, data: { immutable } }));
    },
    listExpired: (ref) => listExpired(db, ref),
    restore: (ref, name, { windowMs }) => restoreTag(db, ref, name, windowMs, clock()),
    purgeExpired: ({ windowMs, limit = DEFAULT_PURGE_LIMIT, excludeNamespaces }) =>
      purgeExpired(db, provider, windowMs, limit, clock(), excludeNamespaces),
  };
}
