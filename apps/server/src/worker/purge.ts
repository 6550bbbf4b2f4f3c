import type { Database } from '@winnow/db';
import type { Metrics } from '../metrics';
import { WORKER_ACTOR } from '../runs/reporting';

/**
 * Purges the expired tags whose restore window has ended, `batchSize` at a time, each batch in
 * one transaction with one audit entry per tag. Stops early when `stopping` says so. Returns how
 * many tags were purged.
 */
export async function purgeExpiredTags(
  database: Database,
  metrics: Metrics,
  options: {
    windowMs: number;
    batchSize: number;
    stopping: () => boolean;
    /** Namespaces whose registry deletions purge their tags (see registries/apply.ts). */
    excludeNamespaces?: readonly string[];
  },
): Promise<number> {
  let total = 0;
  for (;;) {
    const purged = await database.transaction(async (stores) => {
      const tags = await stores.tags.purgeExpired({
        windowMs: options.windowMs,
        limit: options.batchSize,
        ...(options.excludeNamespaces !== undefined && {
          excludeNamespaces: options.excludeNamespaces,
        }),
      });
      await stores.audit.recordMany(
        tags.map((t) => ({
          actor: WORKER_ACTOR,
          action: 'tag.purge',
          target: `tag:${t.repository.namespace}/${t.repository.name}:${t.tag.name}`,
          details: { digest: t.tag.digest, expiredAt: t.expiredAt.toISOString(), run: t.runId },
        })),
      );
      return tags;
    });
    const byNamespace = new Map<string, number>();
    for (const t of purged) {
      byNamespace.set(t.repository.namespace, (byNamespace.get(t.repository.namespace) ?? 0) + 1);
    }
    for (const [namespace, count] of byNamespace) metrics.tagsPurged.inc({ namespace }, count);
    total += purged.length;
    if (purged.length < options.batchSize || options.stopping()) return total;
  }
}
