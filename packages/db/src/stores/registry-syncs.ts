import type { InventoryManifest } from '@winnow/engine';

import type { DbTransaction } from '../client';
import { childrenOf } from './manifest-children';

export type RegistrySyncStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed';
export type RegistrySyncTrigger = 'api' | 'schedule' | 'cli';

/** How far a sync has gone. */
export interface SyncProgress {
  readonly repositoriesTotal: number;
  readonly repositoriesDone: number;
  readonly repositoriesFailed: number;
  readonly tags: number;
  readonly manifestsFetched: number;
  readonly manifestsUnchanged: number;
}

/** A repository a sync could not read, and why (the first few are kept). */
export interface SyncError {
  readonly repository: string;
  readonly code: string;
  readonly message: string;
}

export interface RegistrySyncRecord {
  readonly id: number;
  readonly registryId: number;
  readonly registry: string;
  readonly status: RegistrySyncStatus;
  readonly trigger: RegistrySyncTrigger;
  readonly triggeredBy: string;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly progress: SyncProgress;
  readonly errors: readonly SyncError[];
}

export interface RegistrySyncStore {
  /**
   * Queues a sync of the registry, unless one is queued or running: then that one is returned
   * (`created` false), so that a second trigger does not sync twice.
   */
  create(input: {
    registryId: number;
    trigger: RegistrySyncTrigger;
    triggeredBy: string;
    now: Date;
  }): Promise<{ sync: RegistrySyncRecord; created: boolean }>;
  get(id: number): Promise<RegistrySyncRecord | null>;
  /** The registry's syncs, newest first. */
  list(registryId: number, limit: number): Promise<RegistrySyncRecord[]>;
  /** The registry's newest finished sync that succeeded or was partial. */
  lastCompleted(registryId: number): Promise<RegistrySyncRecord | null>;
  /**
   * Takes the oldest sync that is queued, or running under a lease that has expired (its worker
   * died), for `owner` until `now + leaseMs`; null when there is none.
   */
  claim(input: { owner: string; now: Date; leaseMs: number }): Promise<RegistrySyncRecord | null>;
  /** Records progress and extends the lease; false when `owner` no longer holds the sync. */
  heartbeat(
    id: number,
    input: { owner: string; now: Date; leaseMs: number; progress: SyncProgress },
  ): Promise<boolean>;
  /** Ends the sync (when `owner` holds it); false otherwise. */
  finish(
    id: number,
    input: {
      owner: string;
      now: Date;
      status: 'succeeded' | 'partial' | 'failed';
      progress: SyncProgress;
      errors: readonly SyncError[];
    },
  ): Promise<boolean>;
  /** The stored manifests of a repository, by digest (none when the repository is unknown). */
  knownManifests(namespace: string, repository: string): Promise<Map<string, InventoryManifest>>;
}

/** At most this many repository errors are kept per sync. */
export const MAX_SYNC_ERRORS = 50;

type Row = {
  id: number;
  registryId: number;
  status: RegistrySyncStatus;
  trigger: RegistrySyncTrigger;
  triggeredBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  repositoriesTotal: number;
  repositoriesDone: number;
  repositoriesFailed: number;
  tags: number;
  manifestsFetched: number;
  manifestsUnchanged: number;
  errors: string | null;
  registry: { name: string };
};

const include = { registry: { select: { name: true } } } as const;

function toRecord(row: Row): RegistrySyncRecord {
  return {
    id: row.id,
    registryId: row.registryId,
    registry: row.registry.name,
    status: row.status,
    trigger: row.trigger,
    triggeredBy: row.triggeredBy,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    progress: {
      repositoriesTotal: row.repositoriesTotal,
      repositoriesDone: row.repositoriesDone,
      repositoriesFailed: row.repositoriesFailed,
      tags: row.tags,
      manifestsFetched: row.manifestsFetched,
      manifestsUnchanged: row.manifestsUnchanged,
    },
    errors: row.errors === null ? [] : (JSON.parse(row.errors) as SyncError[]),
  };
}

export function registrySyncStore(db: DbTransaction): RegistrySyncStore {
  const get = async (id: number) => {
    const row = await db.registrySync.findUnique({ where: { id }, include });
    return row === null ? null : toRecord(row);
  };
  return {
    create: async ({ registryId, trigger, triggeredBy, now }) => {
      const active = await db.registrySync.findFirst({
        where: { registryId, status: { in: ['queued', 'running'] } },
        orderBy: { id: 'asc' },
        include,
      });
      if (active !== null) return { sync: toRecord(active), created: false };
      const row = await db.registrySync.create({
        data: { registryId, trigger, triggeredBy, createdAt: now },
        include,
      });
      return { sync: toRecord(row), created: true };
    },
    get,
    list: async (registryId, limit) =>
      (
        await db.registrySync.findMany({
          where: { registryId },
          orderBy: { id: 'desc' },
          take: limit,
          include,
        })
      ).map(toRecord),
    lastCompleted: async (registryId) => {
      const row = await db.registrySync.findFirst({
        where: { registryId, status: { in: ['succeeded', 'partial'] } },
        orderBy: { id: 'desc' },
        include,
      });
      return row === null ? null : toRecord(row);
    },
    claim: async ({ owner, now, leaseMs }) => {
      const claimable = {
        OR: [
          { status: 'queued' as const },
          { status: 'running' as const, leaseExpiresAt: { lt: now } },
        ],
      };
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const candidate = await db.registrySync.findFirst({
          where: claimable,
          orderBy: { id: 'asc' },
          select: { id: true, startedAt: true },
        });
        if (candidate === null) return null;
        // Conditional update: of two workers racing for it, one changes the row.
        const { count } = await db.registrySync.updateMany({
          where: { id: candidate.id, ...claimable },
          data: {
            status: 'running',
            leaseOwner: owner,
            leaseExpiresAt: new Date(now.getTime() + leaseMs),
            startedAt: candidate.startedAt ?? now,
          },
        });
        if (count === 1) return get(candidate.id);
      }
      return null;
    },
    heartbeat: async (id, { owner, now, leaseMs, progress }) => {
      const { count } = await db.registrySync.updateMany({
        where: { id, status: 'running', leaseOwner: owner },
        data: { ...progress, leaseExpiresAt: new Date(now.getTime() + leaseMs) },
      });
      return count === 1;
    },
    finish: async (id, { owner, now, status, progress, errors }) => {
      const { count } = await db.registrySync.updateMany({
        where: { id, status: 'running', leaseOwner: owner },
        data: {
          ...progress,
          status,
          finishedAt: now,
          leaseOwner: null,
          leaseExpiresAt: null,
          errors: errors.length === 0 ? null : JSON.stringify(errors.slice(0, MAX_SYNC_ERRORS)),
        },
      });
      return count === 1;
    },
    knownManifests: async (namespace, repository) => {
      const rows = await db.manifest.findMany({
        where: { repository: { name: repository, namespace: { name: namespace } } },
      });
      const children = await childrenOf(
        db,
        rows.map((row) => row.id),
      );
      return new Map(
        rows.map((row): [string, InventoryManifest] => [
          row.digest,
          {
            digest: row.digest,
            ...(row.mediaType !== null && { mediaType: row.mediaType }),
            ...(row.sizeBytes !== null && { sizeBytes: Number(row.sizeBytes) }),
            ...(row.pushedAt !== null && { pushedAt: row.pushedAt.toISOString() }),
            children: children.get(row.id) ?? [],
            subject: row.subject,
            artifactType: row.artifactType,
          },
        ]),
      );
    },
  };
}
