import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  type LabelValues,
  Registry,
} from 'prom-client';

/** Seconds buckets for retention runs: from a one-repository run (tens of milliseconds) to a large server-wide one. */
const RUN_BUCKETS = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
];
/** Seconds buckets for API requests. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const ERROR_KINDS = ['task', 'worker', 'registry', 'internal', 'scrape'] as const;
const LEASE_EVENTS = ['claimed', 'taken_over', 'renewed', 'released', 'lost'] as const;
const RUN_TRIGGERS = ['api', 'schedule', 'cli'] as const;
const RUN_STATUSES = ['succeeded', 'partial', 'failed', 'cancelled'] as const;
const NOTIFICATION_FORMATS = ['generic', 'slack'] as const;
const NOTIFICATION_OUTCOMES = ['delivered', 'retried', 'failed'] as const;

/**
 * Winnow's Prometheus metrics, in a registry of their own (never prom-client's global one, so
 * that two apps in one process, as in tests, do not share counters). Labels have few values:
 * decision, stage, trigger, status, kind, action, outcome, method and route template; `namespace` on the tag
 * and reclaimed-bytes counters and proxy-cache metrics only (as many series as namespaces). Reference: docs/metrics.md.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly decisions = new Counter({
    name: 'winnow_decisions_total',
    help: 'Decision records made by runs, by decision (keep, delete) and stage',
    labelNames: ['decision', 'stage'] as const,
    registers: [this.registry],
  });

  readonly tagsExpired = new Counter({
    name: 'winnow_tags_expired_total',
    help: 'Tags expired (soft-deleted) by runs that were not dry runs',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly tagsRestored = new Counter({
    name: 'winnow_tags_restored_total',
    help: 'Expired tags restored within the restore window',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly tagsPurged = new Counter({
    name: 'winnow_tags_purged_total',
    help: 'Expired tags purged after the restore window',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly reclaimedBytes = new Counter({
    name: 'winnow_reclaimed_bytes_total',
    help: 'Bytes of the manifests Winnow deleted in registries, by namespace, as the inventory knows their sizes',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  readonly immutableSkipped = new Counter({
    name: 'winnow_immutable_tags_skipped_total',
    help: 'Tags that runs kept because they are immutable',
    registers: [this.registry],
  });

  readonly guardBlocked = new Counter({
    name: 'winnow_guard_blocked_repositories_total',
    help: 'Repositories the blast-radius guard kept a run from touching',
    registers: [this.registry],
  });

  readonly runs = new Counter({
    name: 'winnow_runs_total',
    help: 'Runs finished, by trigger (api, schedule, cli) and final status',
    labelNames: ['trigger', 'status'] as const,
    registers: [this.registry],
  });

  readonly runDuration = new Histogram({
    name: 'winnow_run_duration_seconds',
    help: 'Duration of finished runs, from start to finish, by trigger and final status',
    labelNames: ['trigger', 'status'] as const,
    buckets: RUN_BUCKETS,
    registers: [this.registry],
  });

  readonly workerUp = new Gauge({
    name: 'winnow_worker_up',
    help: '1 while this process runs the background worker, else 0',
    registers: [this.registry],
  });

  readonly workerLastCycle = new Gauge({
    name: 'winnow_worker_last_cycle_timestamp_seconds',
    help: "When this process's worker last finished a cycle without error (Unix seconds); 0 before the first",
    registers: [this.registry],
  });

  readonly leases = new Counter({
    name: 'winnow_worker_leases_total',
    help: 'Repository task leases of this process, by event: claimed (a queued task), taken_over (a task whose previous lease ran out), renewed (by a heartbeat), released (given back), lost (a heartbeat found it gone)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly claimsInFlight = new Gauge({
    name: 'winnow_worker_claims_in_flight',
    help: 'Repository tasks this process holds a lease on',
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'winnow_errors_total',
    help: 'Errors by kind: task (a repository task failed), worker (a worker cycle or heartbeat failed), registry (a registry sync or deletion pass failed as a whole), internal (an API request failed with 500), scrape (a metric could not be read from the database)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly registrySyncs = new Counter({
    name: 'winnow_registry_syncs_total',
    help: 'Registry syncs finished, by registry and status (succeeded, partial, failed)',
    labelNames: ['registry', 'status'] as const,
    registers: [this.registry],
  });

  readonly registrySyncManifests = new Counter({
    name: 'winnow_registry_sync_manifests_total',
    help: 'Manifests a sync met, by registry and whether it fetched them (fetched) or had them stored already (unchanged)',
    labelNames: ['registry', 'result'] as const,
    registers: [this.registry],
  });

  readonly registryDeletions = new Counter({
    name: 'winnow_registry_deletions_total',
    help: 'Manifest deletions in registries, by registry and outcome (deleted, absent, skipped, failed)',
    labelNames: ['registry', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly registryEvents = new Counter({
    name: 'winnow_registry_events_total',
    help: 'Registry notification events received, by action (push, pull, delete, mount) and outcome: applied to the inventory, duplicate (applied before), ignored (a blob, an unknown namespace, nothing in the inventory to change)',
    labelNames: ['action', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly proxyCacheChecks = new Counter({
    name: 'winnow_proxy_cache_checks_total',
    help: 'Upstream checks of pulled proxy-cache tags, by namespace and result: confirmed (same digest), changed (the upstream moved the tag: stale), unreachable',
    labelNames: ['namespace', 'result'] as const,
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: 'winnow_http_requests_total',
    help: 'API requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'winnow_http_request_duration_seconds',
    help: 'API request durations, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.workerUp.set(0);
    this.workerLastCycle.set(0);
    this.claimsInFlight.set(0);
    // Series of few, known label values start at 0, so that the first event is an increase
    // (rate() and increase() see nothing of a series that appears already at 1) and alerts on
    // them evaluate to 0 rather than to no data.
    for (const kind of ERROR_KINDS) this.errors.inc({ kind }, 0);
    for (const event of LEASE_EVENTS) this.leases.inc({ event }, 0);
    for (const trigger of RUN_TRIGGERS) {
      for (const status of RUN_STATUSES) this.runs.inc({ trigger, status }, 0);
    }
    for (const format of NOTIFICATION_FORMATS) {
      for (const outcome of NOTIFICATION_OUTCOMES) this.notifications.inc({ format, outcome }, 0);
    }
  }

  /**
   * A gauge whose value is read at each scrape (from the database: the same for every replica,
   * and right after a restart).
   */
  scrapedGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => Promise<readonly { labels?: LabelValues<L>; value: number }[]>,
  ): Gauge<L> {
    const gauge: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        gauge.reset();
        for (const { labels, value } of await read()) {
          if (labels === undefined) gauge.set(value);
          else gauge.set(labels, value);
        }
      },
    });
    return gauge;
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  readonly notifications = new Counter({
    name: 'winnow_notifications_total',
    help: 'Webhook delivery attempts, by endpoint format (generic, slack) and outcome: delivered, retried (failed, tried again later), failed (given up)',
    labelNames: ['format', 'outcome'] as const,
    registers: [this.registry],
  });
}
