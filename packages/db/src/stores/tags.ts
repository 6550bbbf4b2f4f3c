import type { InventoryTag } from '@winnow/engine';
import { type DbTransaction, inTransaction } from '../client';
import { DbErrorCode, translated, WinnowDbError } from '../errors';
import { tagColumns, toInventoryTag } from './inventory-rows';
import type { RepositoryRef } from './repositories';

export interface TagStore {
  /**
   * A push or a re-tag: creates the tag, or points it at the new digest with the new fields.
   * Creates the namespace and repository when missing, as a registry push does.
   */
  put(
    repository: RepositoryRef,
    tag: InventoryTag,
  ): Promise<{ tag: InventoryTag; created: boolean }>;
  get(repository: RepositoryRef, name: string): Promise<InventoryTag | null>;
  /** WINNOW_DB_NOT_FOUND if there is no such tag. */
  delete(repository: RepositoryRef, name: string): Promise<void>;
  /** Sets or clears the immutable flag; WINNOW_DB_NOT_FOUND if there is no such tag. */
  setImmutable(repository: RepositoryRef, name: string, immutable: boolean): Promise<InventoryTag>;
}

const notFound = (repository: RepositoryRef, name: string): WinnowDbError =>
  new WinnowDbError(
    DbErrorCode.notFound,
    `tag ${repository.namespace}/${repository.name}:${name}: not found`,
  );

export function tagStore(db: DbTransaction): TagStore {
  const repositoryId = async (ref: RepositoryRef): Promise<number | undefined> =>
    (
      await db.repository.findFirst({
        where: { name: ref.name, namespace: { name: ref.namespace } },
        select: { id: true },
      })
    )?.id;
  const existing = async (ref: RepositoryRef, name: string) => {
    const id = await repositoryId(ref);
    const row =
      id === undefined
        ? null
        : await db.tag.findUnique({ where: { repositoryId_name: { repositoryId: id, name } } });
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
          const before = await tx.tag.findUnique({ where: key });
          const row = await tx.tag.upsert({
            where: key,
            create: { repositoryId: repository.id, name: tag.name, ...tagColumns(tag) },
            update: tagColumns(tag),
          });
          return { tag: toInventoryTag(row), created: before === null };
        }),
      ),
    get: async (ref, name) => {
      const id = await repositoryId(ref);
      if (id === undefined) return null;
      const row = await db.tag.findUnique({
        where: { repositoryId_name: { repositoryId: id, name } },
      });
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
  };
}
