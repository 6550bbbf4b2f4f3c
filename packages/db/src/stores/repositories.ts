import type { InventoryRepository } from '@winnow/engine';
import type { DbTransaction } from '../client';
import { DbErrorCode, translated, WinnowDbError } from '../errors';
import type { Provider } from '../provider';
import { readContents } from './inventory-read';

export interface RepositoryRef {
  readonly namespace: string;
  readonly name: string;
}

export interface RepositoryStore {
  /** Creates a repository in an existing namespace; WINNOW_DB_CONFLICT if it exists. */
  create(repository: RepositoryRef): Promise<RepositoryRef>;
  /** Repositories of a namespace, by name. */
  list(namespace: string): Promise<RepositoryRef[]>;
  /** The repository's snapshot (live tags and manifests), or null. */
  get(repository: RepositoryRef): Promise<InventoryRepository | null>;
  /** WINNOW_DB_NOT_FOUND if there is no such repository. Its tags and manifests go with it. */
  delete(repository: RepositoryRef): Promise<void>;
}

export function repositoryStore(db: DbTransaction, provider: Provider): RepositoryStore {
  return {
    create: (repository) =>
      translated(`repository ${repository.namespace}/${repository.name}`, async () => {
        const namespace = await db.namespace.findUnique({ where: { name: repository.namespace } });
        if (namespace === null) {
          throw new WinnowDbError(
            DbErrorCode.notFound,
            `namespace ${repository.namespace}: not found`,
          );
        }
        await db.repository.create({ data: { namespaceId: namespace.id, name: repository.name } });
        return { namespace: repository.namespace, name: repository.name };
      }),
    list: async (namespace) => {
      const rows = await db.repository.findMany({
        where: { namespace: { name: namespace } },
        orderBy: { name: 'asc' },
      });
      return rows.map((row) => ({ namespace, name: row.name }));
    },
    get: async (ref) => {
      const row = await db.repository.findFirst({
        where: { name: ref.name, namespace: { name: ref.namespace } },
        select: { id: true },
      });
      if (row === null) return null;
      // Live tags and manifests as JSON built by the database: one query, a fraction of the
      // cost of a Prisma row per tag (a run reads every repository of its scope this way).
      const content = (await readContents(db, provider, [row.id])).get(row.id);
      if (content === undefined) return null;
      const repository = { namespace: ref.namespace, name: ref.name, tags: content.tags };
      return content.manifests.length === 0
        ? repository
        : { ...repository, manifests: content.manifests };
    },
    delete: async (ref) => {
      const row = await db.repository.findFirst({
        where: { name: ref.name, namespace: { name: ref.namespace } },
        select: { id: true },
      });
      if (row === null)
        throw new WinnowDbError(
          DbErrorCode.notFound,
          `repository ${ref.namespace}/${ref.name}: not found`,
        );
      await db.repository.delete({ where: { id: row.id } });
    },
  };
}
