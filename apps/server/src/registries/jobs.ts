import type { Database, RegistryRecord, RegistrySyncRecord, SyncProgress } from '@winnow/db';

import { type Log, since } from '../log';
import type { Metrics } from '../metrics';
import { WORKER_ACTOR } from '../runs/reporting';
import { nextRunAfter } from '../schedules/cron';
import { applyRegistryDeletions } from './apply';
import { credentialsOf } from './check';
import { connect, type RegistryConnection } from './connectors';
import { syncRegistry } from './sync';

export interface RegistryJobsOptions {
  readonly database: Database;
  readonly metrics: Metrics;
  readonly log: Log;
  /** The worker's identity: sync leases are held under it. */
  readonly owner: string;
  readonly secretKey: Buffer | undefined;
  readonly restoreWindowMs: number;
  readonly leaseMs: number;
  readonly batchSize: number;
  /** The worker's interval: the first wait of a registry whose deletions failed. */
  readonly intervalMs: number;
  readonly clock: () => Date;
}

/** Progress is written (and the lease extended) at most this often. */
const PROGRESS_EVERY_MS = 1000;
/**
 * After a deletion pass with failures, a registry's deletions wait a worker interval, doubled
 * for each such pass in a row, up to an hour: a registry that is down is not asked (and its
 * failures not recorded) every cycle.
 */
const MAX_DELETION_BACKOFF_MS = 3_600_000;

/**
 * The worker's registry work, after the runs of each cycle: queue the syncs whose schedule is
 * due, run the queued syncs, then delete in each registry what runs expired (see `apply.ts`).
 * A registry that fails is logged and counted; the others go on.
 */
export class RegistryJobs {
  /** Registries whose last deletion passes failed: how many in a row, and until when they wait. */
  private readonly backoff = new Map<number, { failures: number; until: number }>();

  constructor(private readonly options: RegistryJobsOptions) {}

  /**
   * One pass; returns the namespaces that registries serve, whose expired tags the registry
   * deletions purge (the worker's plain purge leaves them alone).
   */
  async cycle(stopping: () => boolean): Promise<string[]> {
    const { database } = this.options;
    const registries = await database.registries.list();
    if (registries.length === 0) return [];
    await this.queueScheduled(registries);
    while (!stopping()) {
      const sync = await database.registrySyncs.claim({
        owner: this.options.owner,
        now: this.options.clock(),
        leaseMs: this.options.leaseMs,
      });
      if (sync === null) break;
      await this.runSync(sync, stopping);
    }
    for (const registry of registries) {
      if (stopping()) break;
      const waiting = this.backoff.get(registry.id);
      if (waiting !== undefined && waiting.until > this.options.clock().getTime()) continue;
      // One replica at a time deletes in a registry: two passes at once would both see the same
      // digests due and DELETE each twice. The other replicas skip it this cycle; the pass
      // reads what is due once it holds the lock, so it never redoes what the last one did.
      await this.guarded(registry, 'deletions', async () => {
        await database.exclusive.tryRun(registry.id, () => this.applyDeletions(registry, stopping));
      });
    }
    return registries.flatMap((registry) => registry.namespaces);
  }

  private async queueScheduled(registries: readonly RegistryRecord[]): Promise<void> {
    const now = this.options.clock();
    for (const registry of registries) {
      const sync = registry.sync;
      if (sync === null || sync.nextSyncAt.getTime() > now.getTime()) continue;
      const next = nextRunAfter(sync, now);
      if (next === null) continue;
      await this.options.database.transaction(async (stores) => {
        if (!(await stores.registries.advanceSync(registry.id, sync.nextSyncAt, next))) return;
        await stores.registrySyncs.create({
          registryId: registry.id,
          trigger: 'schedule',
          triggeredBy: 'schedule',
          now,
        });
      });
    }
  }

  private connection(registry: RegistryRecord): RegistryConnection {
    return connect(registry, credentialsOf(registry, this.options.secretKey));
  }

  private async runSync(sync: RegistrySyncRecord, stopping: () => boolean): Promise<void> {
    const { database, metrics, owner, leaseMs, clock } = this.options;
    const registry = await database.registries.byId(sync.registryId);
    if (registry === null) return; // deleted meanwhile: its syncs went with it
    const log = this.options.log.child({ registry: registry.name, syncId: sync.id });
    const start = Date.now();
    log.info({ trigger: sync.trigger, namespaces: registry.namespaces }, 'registry sync started');
    let latest: SyncProgress = sync.progress;
    let written = 0;
    let writing: Promise<unknown> = Promise.resolve();
    const finish = async (
      status: 'succeeded' | 'partial' | 'failed',
      errors: { repository: string; code: string; message: string }[],
    ) => {
      await writing;
      await database.registrySyncs.finish(sync.id, {
        owner,
        now: clock(),
        status,
        progress: latest,
        errors,
      });
      metrics.registrySyncs.inc({ registry: registry.name, status });
      for (const { repository, code, message } of errors) {
        // A sync that failed as a whole has one error of no repository: logged as it failed.
        if (repository === '') continue;
        log.warn({ repository, code, reason: message }, 'registry sync: repository not read');
      }
      const facts = { status, ...latest, durationMs: since(start) };
      if (status === 'succeeded') log.info(facts, 'registry sync ended');
      else log.warn(facts, 'registry sync ended');
    };
    try {
      const result = await syncRegistry({
        database,
        source: this.connection(registry),
        target: { namespaces: registry.namespaces, concurrency: registry.concurrency },
        now: clock(),
        stopping,
        onProgress: (progress) => {
          latest = progress;
          if (Date.now() - written < PROGRESS_EVERY_MS) return;
          written = Date.now();
          writing = writing.then(() =>
            database.registrySyncs
              .heartbeat(sync.id, { owner, now: clock(), leaseMs, progress })
              .catch((error: unknown) => {
                log.warn({ err: error }, 'registry sync: progress not written');
              }),
          );
        },
      });
      latest = result.progress;
      metrics.registrySyncManifests.inc(
        { registry: registry.name, result: 'fetched' },
        latest.manifestsFetched,
      );
      metrics.registrySyncManifests.inc(
        { registry: registry.name, result: 'unchanged' },
        latest.manifestsUnchanged,
      );
      if (!result.complete) {
        // Shutting down: the lease runs out and another worker (or this one, restarted) syncs
        // again from the start; what was written stays, a sync is idempotent.
        await writing;
        return;
      }
      await finish(result.errors.length === 0 ? 'succeeded' : 'partial', [...result.errors]);
    } catch (error) {
      metrics.errors.inc({ kind: 'registry' });
      log.error({ err: error }, 'registry sync failed');
      const code =
        typeof (error as { code?: unknown }).code === 'string'
          ? (error as { code: string }).code
          : 'WINNOW_INTERNAL';
      const message = error instanceof Error ? error.message : String(error);
      await finish('failed', [{ repository: '', code, message }]);
    }
  }

  private async applyDeletions(registry: RegistryRecord, stopping: () => boolean): Promise<void> {
    const { database, metrics, clock, restoreWindowMs, batchSize } = this.options;
    const log = this.options.log.child({ registry: registry.name });
    const start = Date.now();
    const summary = await applyRegistryDeletions({
      log,
      database,
      source: this.connection(registry),
      registry,
      windowMs: restoreWindowMs,
      now: clock(),
      batchSize,
      actor: WORKER_ACTOR,
      stopping,
    });
    this.recordFailures(registry.id, summary.failed > 0);
    for (const outcome of ['deleted', 'absent', 'skipped', 'failed'] as const) {
      if (summary[outcome] > 0) {
        metrics.registryDeletions.inc({ registry: registry.name, outcome }, summary[outcome]);
      }
    }
    for (const [namespace, count] of summary.purgedByNamespace) {
      metrics.tagsPurged.inc({ namespace }, count);
    }
    for (const [namespace, bytes] of summary.reclaimedBytesByNamespace) {
      metrics.reclaimedBytes.inc({ namespace }, bytes);
    }
    if (summary.deleted + summary.absent + summary.skipped + summary.failed > 0) {
      const { deleted, absent, skipped, failed, purgedTags } = summary;
      const facts = { deleted, absent, skipped, failed, purgedTags, durationMs: since(start) };
      if (failed > 0) log.warn(facts, 'registry deletions');
      else log.info(facts, 'registry deletions');
    }
  }

  private recordFailures(registryId: number, failed: boolean): void {
    if (!failed) {
      this.backoff.delete(registryId);
      return;
    }
    const failures = (this.backoff.get(registryId)?.failures ?? 0) + 1;
    const delay = Math.min(this.options.intervalMs * 2 ** (failures - 1), MAX_DELETION_BACKOFF_MS);
    this.backoff.set(registryId, { failures, until: this.options.clock().getTime() + delay });
  }

  private async guarded(
    registry: RegistryRecord,
    what: string,
    work: () => Promise<void>,
  ): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.options.metrics.errors.inc({ kind: 'registry' });
      this.options.log.error({ err: error, registry: registry.name }, `registry ${what} failed`);
      this.recordFailures(registry.id, true);
    }
  }
}
