import type { Scope } from '@winnow/engine';

import { type DbTransaction, inTransaction } from '../client';
import { DbErrorCode, WinnowDbError } from '../errors';
import { Prisma } from '../generated/postgresql/client';
import type { NewRun } from './run-types';

/** The repositories of a scope, as a WHERE clause over Repository `r` and Namespace `n`. */
function scopeFilter(scope: Scope): Prisma.Sql {
  switch (scope.level) {
    case 'server':
      return Prisma.sql`TRUE`;
    case 'namespace':
      return Prisma.sql`n."name" = ${required(scope.namespace, 'namespace')}`;
    case 'repository':
      return Prisma.sql`n."name" = ${required(scope.namespace, 'namespace')}
        AND r."name" = ${required(scope.repository, 'repository')}`;
  }
}

function required(value: string | undefined, field: 'namespace' | 'repository'): string {
  if (value === undefined || value === '') {
    throw new WinnowDbError(DbErrorCode.invalidArgument, `run scope: ${field} is required`);
  }
  return value;
}

/** A namespace or repository scope must name something that exists. */
async function assertScopeExists(tx: DbTransaction, scope: Scope): Promise<void> {
  if (scope.level === 'server') return;
  const namespace = required(scope.namespace, 'namespace');
  if (scope.level === 'namespace') {
    if ((await tx.namespace.count({ where: { name: namespace } })) > 0) return;
    throw new WinnowDbError(DbErrorCode.notFound, `namespace ${namespace}: not found`);
  }
  const name = required(scope.repository, 'repository');
  if ((await tx.repository.count({ where: { name, namespace: { name: namespace } } })) > 0) return;
  throw new WinnowDbError(DbErrorCode.notFound, `repository ${namespace}/${name}: not found`);
}

/** The policies that can apply to a repository of the scope, as a WHERE over Policy. */
function policyFilter(scope: Scope) {
  switch (scope.level) {
    case 'server':
      return {};
    case 'namespace':
      return { OR: [{ level: 'server' as const }, { namespace: scope.namespace ?? '' }] };
    case 'repository':
      return {
        OR: [
          { level: 'server' as const },
          { level: 'namespace' as const, namespace: scope.namespace ?? '' },
          {
            level: 'repository' as const,
            namespace: scope.namespace ?? '',
            repository: scope.repository ?? '',
          },
        ],
      };
  }
}

/** The documents of those policies now, as the JSON text the run keeps. */
async function policySnapshot(tx: DbTransaction, scope: Scope): Promise<string> {
  const rows = await tx.policy.findMany({
    where: policyFilter(scope),
    select: { document: true },
    orderBy: { scopeKey: 'desc' },
  });
  return JSON.stringify(rows.map((row) => row.document));
}

/**
 * Inserts the run and one queued task per repository of its scope in one transaction, with the
 * policies that apply to the scope as they are now (the run evaluates those, whatever changes
 * later). The tasks are one INSERT ... SELECT: set-based, so 10,000 repositories cost one
 * statement. A scope with no repository gives a run that is already finished (succeeded).
 * Returns the run's id.
 */
export async function createRun(
  db: DbTransaction,
  input: NewRun,
  createdAt: Date,
): Promise<number> {
  const filter = scopeFilter(input.scope);
  return inTransaction(
    db,
    async (tx) => {
      await assertScopeExists(tx, input.scope);
      const run = await tx.run.create({
        data: {
          level: input.scope.level,
          namespace: input.scope.level === 'server' ? null : (input.scope.namespace ?? null),
          repository: input.scope.level === 'repository' ? (input.scope.repository ?? null) : null,
          dryRun: input.dryRun,
          trigger: input.trigger,
          triggeredBy: input.triggeredBy,
          now: input.now,
          policies: await policySnapshot(tx, input.scope),
          createdAt,
        },
        select: { id: true },
      });
      const repositories = await tx.$executeRaw`
        INSERT INTO "RunTask" ("runId", "repositoryId", "repositoryPath")
        SELECT ${run.id}, r."id", n."name" || '/' || r."name"
          FROM "Repository" r JOIN "Namespace" n ON n."id" = r."namespaceId"
         WHERE ${filter}
         ORDER BY r."id"`;
      await tx.run.update({
        where: { id: run.id },
        data:
          repositories > 0
            ? { repositories }
            : { status: 'succeeded', startedAt: createdAt, finishedAt: createdAt },
      });
      return run.id;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}
