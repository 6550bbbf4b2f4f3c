import type { DbClient } from '../client';
import type { Provider } from '../provider';
import { childrenOf } from './manifest-children';
import { integerValues } from './sql-values';

/** A repository with tags due for deletion in its registry, and what Winnow knows of it. */
export interface DueRepository {
  readonly repositoryId: number;
  readonly namespace: string;
  readonly name: string;
  /** Every tag row, live and expired; `due` when its expiry is at or before the cutoff. */
  readonly tags: readonly {
    readonly id: number;
    readonly name: string;
    readonly digest: string;
    /** Expired by a run (restorable or not). */
    readonly expired: boolean;
    readonly due: boolean;
    readonly runId: number | null;
  }[];
  readonly manifests: readonly {
    readonly id: number;
    readonly digest: string;
    readonly subject: string | null;
    readonly children: readonly string[];
    /** The manifest's size as the inventory knows it (null when unknown). */
    readonly sizeBytes: number | null;
  }[];
}

export type DeletionOutcome = 'deleted' | 'absent' | 'skipped' | 'failed';

export interface RegistryDeletionRecord {
  readonly id: number;
  readonly registryId: number;
  readonly runId: number | null;
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly outcome: DeletionOutcome;
  readonly message: string | null;
  readonly at: Date;
}

export type NewDeletion = Omit<RegistryDeletionRecord, 'id'>;

export interface RegistryDeletionStore {
  /**
   * Up to `limit` repositories of `namespaces` holding tags expired at or before `cutoff`
   * (`lifetimeEnd <= cutoff`), with all their tags and manifests, by id after `afterId`.
   */
  dueRepositories(input: {
    namespaces: readonly string[];
    cutoff: Date;
    limit: number;
    afterId?: number;
  }): Promise<DueRepository[]>;
  /**
   * In one transaction: records the outcomes, removes the tag rows `purgeTags` (only those
   * still expired at or before `cutoff`: a tag restored meanwhile stays) and the manifest rows
   * `purgeManifests`, with one audit entry per outcome.
   */
  complete(input: {
    deletions: readonly NewDeletion[];
    purgeTags: readonly number[];
    purgeManifests: readonly number[];
    cutoff: Date;
    actor: string;
  }): Promise<{ purgedTags: number }>;
  /** Outcomes, newest first: of a run, or of a registry. */
  list(input: {
    runId?: number;
    registryId?: number;
    limit: number;
    beforeId?: number;
  }): Promise<RegistryDeletionRecord[]>;
}

export function registryDeletionStore(db: DbClient, provider: Provider): RegistryDeletionStore {
  return {
    dueRepositories: async ({ namespaces, cutoff, limit, afterId = 0 }) => {
      if (namespaces.length === 0) return [];
      const due = await db.tag.groupBy({
        by: ['repositoryId'],
        where: {
          repositoryId: { gt: afterId },
          lifetimeEnd: { lte: cutoff },
          repository: { namespace: { name: { in: [...namespaces] } } },
        },
        orderBy: { repositoryId: 'asc' },
        take: limit,
      });
      if (due.length === 0) return [];
      const repositories = await db.repository.findMany({
        where: { id: { in: due.map((row) => row.repositoryId) } },
        orderBy: { id: 'asc' },
        select: {
          id: true,
          name: true,
          namespace: { select: { name: true } },
          tags: {
            select: { id: true, name: true, digest: true, lifetimeEnd: true, expiredByRunId: true },
          },
          manifests: { select: { id: true, digest: true, subject: true, sizeBytes: true } },
        },
      });
      const children = await childrenOf(
        db,
        repositories.flatMap((row) => row.manifests.map((manifest) => manifest.id)),
      );
      return repositories.map((row) => ({
        repositoryId: row.id,
        namespace: row.namespace.name,
        name: row.name,
        tags: row.tags.map((tag) => ({
          id: tag.id,
          name: tag.name,
          digest: tag.digest,
          expired: tag.lifetimeEnd !== null,
          due: tag.lifetimeEnd !== null && tag.lifetimeEnd.getTime() <= cutoff.getTime(),
          runId: tag.expiredByRunId,
        })),
        manifests: row.manifests.map((manifest) => ({
          id: manifest.id,
          digest: manifest.digest,
          subject: manifest.subject,
          children: children.get(manifest.id) ?? [],
          sizeBytes: manifest.sizeBytes === null ? null : Number(manifest.sizeBytes),
        })),
      }));
    },
    complete: async ({ deletions, purgeTags, purgeManifests, cutoff, actor }) =>
      db.$transaction(
        async (tx) => {
          if (deletions.length > 0) {
            await tx.registryDeletion.createMany({
              data: deletions.map((d) => ({
                registryId: d.registryId,
                runId: d.runId,
                repositoryPath: d.repository,
                digest: d.digest,
                tags: [...d.tags],
                outcome: d.outcome,
                message: d.message,
                at: d.at,
              })),
            });
            await tx.auditLog.createMany({
              data: deletions.map((d) => ({
                at: d.at,
                actor,
                action: `registry.delete.${d.outcome}`,
                target: `manifest:${d.repository}@${d.digest}`,
                details: {
                  registry: d.registryId,
                  run: d.runId,
                  tags: [...d.tags],
                  ...(d.message !== null && { message: d.message }),
                },
              })),
            });
          }
          let purgedTags = 0;
          if (purgeTags.length > 0) {
            purgedTags = await tx.$executeRaw`
              DELETE FROM "Tag"
               WHERE "id" IN (${integerValues(provider, purgeTags)})
                 AND "lifetimeEnd" <= ${cutoff}`;
          }
          if (purgeManifests.length > 0) {
            await tx.manifest.deleteMany({ where: { id: { in: [...purgeManifests] } } });
          }
          return { purgedTags };
        },
        { timeout: 60_000, maxWait: 30_000 },
      ),
    list: async ({ runId, registryId, limit, beforeId }) =>
      (
        await db.registryDeletion.findMany({
          where: {
            ...(runId !== undefined && { runId }),
            ...(registryId !== undefined && { registryId }),
            ...(beforeId !== undefined && { id: { lt: beforeId } }),
          },
          orderBy: { id: 'desc' },
          take: limit,
        })
      ).map((row) => ({
        id: row.id,
        registryId: row.registryId,
        runId: row.runId,
        repository: row.repositoryPath,
        digest: row.digest,
        tags: row.tags as string[],
        outcome: row.outcome as DeletionOutcome,
        message: row.message,
        at: row.at,
      })),
  };
}
