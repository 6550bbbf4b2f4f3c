import type { PolicyDocument, Scope } from '@winnow/engine';

import { type DbTransaction, inTransaction } from '../client';
import { DbErrorCode, translated, WinnowDbError } from '../errors';

export interface StoredPolicy {
  readonly document: PolicyDocument;
  readonly revision: number;
  readonly updatedBy: string;
  readonly updatedAt: Date;
}

export interface PolicyRevisionRecord {
  readonly revision: number;
  readonly document: PolicyDocument;
  readonly createdBy: string;
  readonly createdAt: Date;
}

export interface PolicyStore {
  get(scope: Scope): Promise<StoredPolicy | null>;
  /**
   * Every stored policy, server first, then by scope key; with `applyingTo`, only those that
   * apply to some repository of that scope: the server's, the namespace's, and those of its
   * repositories (of the one repository, for a repository scope).
   */
  list(options?: { applyingTo?: Scope }): Promise<StoredPolicy[]>;
  /** Stores the document of its scope as the next revision (1 for a new policy). */
  put(document: PolicyDocument, actor: string): Promise<StoredPolicy>;
  /** WINNOW_DB_NOT_FOUND if the scope has no policy. Its revisions go with it. */
  delete(scope: Scope): Promise<void>;
  /** Every revision of the scope's policy, oldest first. */
  listRevisions(scope: Scope): Promise<PolicyRevisionRecord[]>;
}

/** One key per scope, unambiguous even for a namespace called `server`. */
export function scopeKey(scope: Scope): string {
  switch (scope.level) {
    case 'server':
      return 'server';
    case 'namespace':
      return `namespace:${scope.namespace ?? ''}`;
    case 'repository':
      return `repository:${scope.namespace ?? ''}/${scope.repository ?? ''}`;
  }
}

function applyingTo(scope: Scope | undefined) {
  if (scope === undefined || scope.level === 'server') return {};
  const namespace = scope.namespace ?? '';
  const repositories =
    scope.level === 'namespace'
      ? { level: 'repository' as const, namespace }
      : { level: 'repository' as const, namespace, repository: scope.repository ?? '' };
  return {
    OR: [{ level: 'server' as const }, { level: 'namespace' as const, namespace }, repositories],
  };
}

export function policyStore(db: DbTransaction): PolicyStore {
  return {
    get: async (scope) => {
      const row = await db.policy.findUnique({ where: { scopeKey: scopeKey(scope) } });
      return row === null ? null : toStored(row);
    },
    list: async (options) =>
      (
        await db.policy.findMany({
          where: applyingTo(options?.applyingTo),
          orderBy: { scopeKey: 'desc' },
        })
      ).map(toStored),
    put: (document, actor) =>
      translated(`policy ${scopeKey(document.scope)}`, () =>
        inTransaction(db, async (tx) => {
          const key = scopeKey(document.scope);
          const current = await tx.policy.findUnique({ where: { scopeKey: key } });
          const revision = (current?.revision ?? 0) + 1;
          const data = { document: toJson(document), revision, updatedBy: actor };
          const row =
            current === null
              ? await tx.policy.create({
                  data: {
                    ...data,
                    scopeKey: key,
                    level: document.scope.level,
                    namespace: document.scope.namespace ?? null,
                    repository: document.scope.repository ?? null,
                  },
                })
              : await tx.policy.update({ where: { id: current.id }, data });
          // The revision's primary key makes a concurrent put of the same revision a conflict.
          await tx.policyRevision.create({
            data: { policyId: row.id, revision, document: data.document, createdBy: actor },
          });
          return toStored(row);
        }),
      ),
    delete: (scope) =>
      translated(`policy ${scopeKey(scope)}`, async () => {
        await db.policy.delete({ where: { scopeKey: scopeKey(scope) } });
      }),
    listRevisions: async (scope) => {
      const policy = await db.policy.findUnique({
        where: { scopeKey: scopeKey(scope) },
        include: { revisions: { orderBy: { revision: 'asc' } } },
      });
      if (policy === null) {
        throw new WinnowDbError(DbErrorCode.notFound, `policy ${scopeKey(scope)}: not found`);
      }
      return policy.revisions.map((row) => ({
        revision: row.revision,
        document: row.document as unknown as PolicyDocument,
        createdBy: row.createdBy,
        createdAt: row.createdAt,
      }));
    },
  };
}

function toJson(document: PolicyDocument): object {
  return JSON.parse(JSON.stringify(document)) as object;
}

function toStored(row: {
  document: unknown;
  revision: number;
  updatedBy: string;
  updatedAt: Date;
}): StoredPolicy {
  return {
    document: row.document as PolicyDocument,
    revision: row.revision,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
  };
}
