import type { DbClient } from '../client';
import { DbErrorCode, translated, WinnowDbError } from '../errors';

export interface RepositoryRef {
  readonly namespace: string;
  readonly name: string;
}

export interface RepositoryStore {
  /** Creates a repository in an existing namespace; WINNOW_DB_CONFLICT if it exists. */
  create(repository: RepositoryRef): Promise<RepositoryRef>;
  /** Repositories of a namespace, by name. */
  list(namespace: string): Promise<RepositoryRef[]>;
}

export function repositoryStore(db: DbClient): RepositoryStore {
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
  };
}
