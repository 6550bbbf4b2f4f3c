import type { DbTransaction } from '../client';
import type { RepositoryRef } from './repositories';

/** A proxy-cache namespace's upstream as last seen; status null before the first check. */
export interface UpstreamHealth {
  readonly status: 'up' | 'down' | null;
  readonly checkedAt: Date | null;
  readonly error: string | null;
}

export interface ProxyCacheNamespace {
  readonly name: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly upstream: UpstreamHealth;
}

/** A live tag pulled since the upstream last answered for it. */
export interface PendingCheck {
  readonly id: number;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

/** What a run needs of a proxy-cache tag: when the upstream last answered for it. */
export interface TagUpstreamCheck {
  readonly pushedAt: Date | null;
  readonly upstreamCheckedAt: Date | null;
  /** The upstream had another digest for the tag at its last check. */
  readonly upstreamStale: boolean;
}

export interface ProxyCacheStore {
  /** Every `proxy_cache` namespace, by name. */
  namespaces(): Promise<ProxyCacheNamespace[]>;
  namespace(name: string): Promise<ProxyCacheNamespace | null>;
  /** Records a health check of the namespace's upstream. */
  recordHealth(namespace: string, health: UpstreamHealth): Promise<void>;
  /** Up to `limit` live tags of the namespace pulled since their last upstream check, by id. */
  pendingChecks(namespace: string, limit: number): Promise<PendingCheck[]>;
  /**
   * Records the upstream's answer for a tag: `stale` when it has another digest. Written only
   * while the tag still points at `digest` (a push meanwhile wins); returns whether it was.
   */
  recordCheck(check: PendingCheck, result: { checkedAt: Date; stale: boolean }): Promise<boolean>;
  /** The live tags of a repository, by name, with their last upstream check. */
  tagChecks(repository: RepositoryRef): Promise<Map<string, TagUpstreamCheck>>;
}

type NamespaceRow = {
  name: string;
  settings: unknown;
  upstreamStatus: string | null;
  upstreamCheckedAt: Date | null;
  upstreamError: string | null;
};

/** The upstream columns of a namespace row. */
export function upstreamHealthOf(row: Omit<NamespaceRow, 'name' | 'settings'>): UpstreamHealth {
  const status =
    row.upstreamStatus === 'up' || row.upstreamStatus === 'down' ? row.upstreamStatus : null;
  return { status, checkedAt: row.upstreamCheckedAt, error: row.upstreamError };
}

function toNamespace(row: NamespaceRow): ProxyCacheNamespace {
  return {
    name: row.name,
    settings: row.settings as Record<string, unknown>,
    upstream: upstreamHealthOf(row),
  };
}

export function proxyCacheStore(db: DbTransaction): ProxyCacheStore {
  return {
    namespaces: async () =>
      (
        await db.namespace.findMany({ where: { kind: 'proxy_cache' }, orderBy: { name: 'asc' } })
      ).map(toNamespace),
    namespace: async (name) => {
      const row = await db.namespace.findFirst({ where: { name, kind: 'proxy_cache' } });
      return row === null ? null : toNamespace(row);
    },
    recordHealth: async (namespace, health) => {
      await db.namespace.updateMany({
        where: { name: namespace },
        data: {
          upstreamStatus: health.status,
          upstreamCheckedAt: health.checkedAt,
          upstreamError: health.error,
        },
      });
    },
    pendingChecks: async (namespace, limit) => {
      const rows = await db.tag.findMany({
        where: {
          lifetimeEnd: null,
          lastPulledAt: { not: null },
          repository: { namespace: { name: namespace } },
          OR: [
            { upstreamCheckedAt: null },
            { lastPulledAt: { gt: db.tag.fields.upstreamCheckedAt } },
          ],
        },
        select: { id: true, name: true, digest: true, repository: { select: { name: true } } },
        orderBy: { id: 'asc' },
        take: limit,
      });
      return rows.map((row) => ({
        id: row.id,
        repository: row.repository.name,
        tag: row.name,
        digest: row.digest,
      }));
    },
    recordCheck: async (check, result) => {
      const { count } = await db.tag.updateMany({
        where: { id: check.id, digest: check.digest, lifetimeEnd: null },
        data: { upstreamCheckedAt: result.checkedAt, upstreamStale: result.stale },
      });
      return count > 0;
    },
    tagChecks: async (ref) => {
      const rows = await db.tag.findMany({
        where: {
          lifetimeEnd: null,
          repository: { name: ref.name, namespace: { name: ref.namespace } },
        },
        select: { name: true, pushedAt: true, upstreamCheckedAt: true, upstreamStale: true },
      });
      return new Map(
        rows.map((row) => [
          row.name,
          {
            pushedAt: row.pushedAt,
            upstreamCheckedAt: row.upstreamCheckedAt,
            upstreamStale: row.upstreamStale,
          },
        ]),
      );
    },
  };
}
