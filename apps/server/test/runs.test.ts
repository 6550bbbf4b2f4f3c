import type { FastifyInstance } from 'fastify';
import { type Database, openDatabase, type RepositoryRef } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import type { InventoryRepository } from '@winnow/engine';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { buildService, type Service } from '../src/service';
import { providers } from './database';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-01T00:00:00Z');
const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const ago = (days: number): string => new Date(NOW - days * DAY).toISOString();

/** Old tags (60 days) go, young ones (1 day) stay. */
const POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    {
      name: 'expire-old',
      select: { tags: { glob: '*' } },
      match: { olderThan: '30d' },
      then: 'delete',
    },
  ],
};

/**
 * - acme/app: 6 old tags (deleted), 4 young (kept);
 * - acme/locked: 3 old of which one is immutable, 2 young;
 * - acme/guard: 5 old, nothing young: a run would expire all, so the guard (0.9) blocks it.
 */
const SNAPSHOT = {
  apiVersion: 'winnow/v1',
  kind: 'Inventory',
  repositories: [
    {
      namespace: 'acme',
      name: 'app',
      tags: [
        ...[1, 2, 3, 4, 5, 6].map((i) => ({
          name: `old-${i}`,
          digest: digest(i),
          pushedAt: ago(60 + i),
        })),
        ...[1, 2, 3, 4].map((i) => ({
          name: `new-${i}`,
          digest: digest(10 + i),
          pushedAt: ago(1),
        })),
      ],
    },
    {
      namespace: 'acme',
      name: 'locked',
      tags: [
        { name: 'old-1', digest: digest(21), pushedAt: ago(90), immutable: true },
        { name: 'old-2', digest: digest(22), pushedAt: ago(90) },
        { name: 'old-3', digest: digest(23), pushedAt: ago(90) },
        { name: 'new-1', digest: digest(24), pushedAt: ago(2) },
        { name: 'new-2', digest: digest(25), pushedAt: ago(2) },
      ],
    },
    {
      namespace: 'acme',
      name: 'guard',
      tags: [1, 2, 3, 4, 5].map((i) => ({
        name: `old-${i}`,
        digest: digest(30 + i),
        pushedAt: ago(100),
      })),
    },
  ],
};

interface RunJson {
  id: number;
  status: string;
  dryRun: boolean;
  trigger: string;
  finishedAt: string | null;
  counts: Record<string, number>;
  tasks: Record<string, number>;
}

interface Harness {
  readonly app: FastifyInstance;
  readonly service: Service;
  readonly database: Database;
  /** The database's clock: expiries, leases, restore windows, and the `now` of API runs. */
  readonly clock: { now: number };
}

interface HarnessOptions {
  readonly env?: Record<string, string>;
  /** Reads a repository for the executor, given the database (to inject faults). */
  readonly readRepository?: (
    database: Database,
  ) => (ref: RepositoryRef) => Promise<InventoryRepository | null>;
}

describe.each(providers)('retention runs on %s', (provider) => {
  let harness: Harness | undefined;
  let drop: (() => Promise<void>) | undefined;

  /** A fresh database with the snapshot and the policy, and the service (worker not started). */
  async function start(options: HarnessOptions = {}): Promise<Harness> {
    const created = await migratedDatabase(provider);
    const clock = { now: NOW };
    const database = openDatabase(created.url, { clock: () => new Date(clock.now) });
    const config = readConfig({
      WINNOW_AUTH: 'off',
      WINNOW_WORKER_INTERVAL: '50ms',
      ...options.env,
    });
    const service = await buildService({
      config,
      database,
      logger: false,
      clock: () => new Date(clock.now),
      ...(options.readRepository && { readRepository: options.readRepository(database) }),
    });
    const { app } = service;
    drop = async () => {
      await service.stop();
      await database.close();
      await created.drop();
    };
    await app.ready();
    const imported = await app.inject({
      method: 'POST',
      url: '/api/v1/inventory/import',
      payload: SNAPSHOT,
    });
    expect(imported.statusCode).toBe(200);
    const policy = await app.inject({
      method: 'PUT',
      url: '/api/v1/policies/server',
      payload: POLICY,
    });
    expect(policy.statusCode).toBe(201);
    harness = { app, service, database, clock };
    return harness;
  }

  afterEach(async () => {
    await drop?.();
    drop = undefined;
    harness = undefined;
  });

  async function trigger(app: FastifyInstance, body: object): Promise<RunJson> {
    const response = await app.inject({ method: 'POST', url: '/api/v1/runs', payload: body });
    expect(response.statusCode).toBe(202);
    const run = response.json<RunJson>();
    expect(response.headers.location).toBe(`/api/v1/runs/${run.id}`);
    return run;
  }

  async function finished(app: FastifyInstance, id: number): Promise<RunJson> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const run = (await app.inject({ method: 'GET', url: `/api/v1/runs/${id}` })).json<RunJson>();
      if (run.finishedAt !== null) return run;
      if (Date.now() > deadline)
        throw new Error(`run ${id} did not finish: ${JSON.stringify(run)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  const get = async <T>(app: FastifyInstance, url: string): Promise<T> => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    return response.json<T>();
  };

  const liveTags = async (app: FastifyInstance, repository: string): Promise<string[]> =>
    (
      await get<{ tags: { name: string }[] }>(
        app,
        `/api/v1/namespaces/acme/repositories/${repository}/tags`,
      )
    ).tags
      .map((t) => t.name)
      .sort();

  const expiredTags = async (app: FastifyInstance, repository: string) =>
    (
      await get<{ tags: { name: string; expiredByRun: number; restorableUntil: string }[] }>(
        app,
        `/api/v1/namespaces/acme/repositories/${repository}/tags?expired=true`,
      )
    ).tags.sort((a, b) => a.name.localeCompare(b.name));

  /** The value of one sample of the exposition, 0 when absent. */
  async function metric(app: FastifyInstance, sample: string): Promise<number> {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
    return line === undefined ? 0 : Number(line.slice(sample.length + 1));
  }

  it('a dry run decides every tag and expires none', async () => {
    const { app, service } = await start();
    service.start();
    const queued = await trigger(app, { scope: { level: 'server' }, dryRun: true });
    expect(queued).toMatchObject({ dryRun: true, trigger: 'api', counts: { repositories: 3 } });
    const run = await finished(app, queued.id);
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({
      repositories: 3,
      evaluated: 20,
      expired: 0,
      dryRun: 8,
      skippedImmutable: 1,
      blockedRepositories: 1,
      errors: 0,
    });
    expect(await liveTags(app, 'app')).toHaveLength(10);
    expect(await expiredTags(app, 'app')).toEqual([]);
    const decisions = await get<{ decisions: { tag: string; outcome: string }[] }>(
      app,
      `/api/v1/runs/${run.id}/decisions?decision=delete&repository=acme/app`,
    );
    expect(decisions.decisions.map((d) => [d.tag, d.outcome])).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => [`old-${i}`, 'dry-run']),
    );
    expect(await metric(app, 'winnow_tags_expired_total{namespace="acme"}')).toBe(0);
    expect(await metric(app, 'winnow_runs_total{trigger="api",status="succeeded"}')).toBe(1);
  });

  it('a run expires what the policies delete, skips immutable tags, and the guard blocks a repository', async () => {
    const { app, service, database } = await start();
    service.start();
    const run = await finished(app, (await trigger(app, { scope: { level: 'server' } })).id);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: {
        repositories: 3,
        evaluated: 20,
        expired: 8,
        skippedImmutable: 1,
        blockedRepositories: 1,
        errors: 0,
      },
      tasks: { done: 3, queued: 0, running: 0, failed: 0 },
    });
    expect(await liveTags(app, 'app')).toEqual(['new-1', 'new-2', 'new-3', 'new-4']);
    expect(await liveTags(app, 'locked')).toEqual(['new-1', 'new-2', 'old-1']);
    expect(await liveTags(app, 'guard')).toHaveLength(5);
    const expired = await expiredTags(app, 'app');
    expect(expired.map((t) => t.name)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `old-${i}`));
    expect(expired[0]).toMatchObject({
      expiredByRun: run.id,
      restorableUntil: new Date(NOW + 14 * DAY).toISOString(),
    });
    const guard = await get<{ decisions: { stage: string; outcome: string }[] }>(
      app,
      `/api/v1/runs/${run.id}/decisions?repository=acme/guard`,
    );
    expect(guard.decisions).toHaveLength(5);
    expect(guard.decisions.every((d) => d.stage === 'safety' && d.outcome === 'blocked')).toBe(
      true,
    );
    const tasks = await get<{
      repositories: { repository: string; status: string; counts: Record<string, number> }[];
    }>(app, `/api/v1/runs/${run.id}/repositories`);
    expect(tasks.repositories.map((t) => [t.repository, t.status, t.counts.expired])).toEqual([
      ['acme/app', 'done', 6],
      ['acme/locked', 'done', 2],
      ['acme/guard', 'done', 0],
    ]);
    // The export (and so the next preview) no longer holds the expired tags.
    const exported = await app.inject({ method: 'GET', url: '/api/v1/inventory/export' });
    const snapshot = exported.json<{
      repositories: { name: string; tags: { name: string }[] }[];
    }>();
    expect(snapshot.repositories.map((r) => [r.name, r.tags.map((t) => t.name)])).toEqual([
      ['app', ['new-1', 'new-2', 'new-3', 'new-4']],
      ['guard', ['old-1', 'old-2', 'old-3', 'old-4', 'old-5']],
      ['locked', ['new-1', 'new-2', 'old-1']],
    ]);
    // The metrics say what the run did.
    expect(await metric(app, 'winnow_tags_expired_total{namespace="acme"}')).toBe(8);
    expect(await metric(app, 'winnow_immutable_tags_skipped_total')).toBe(1);
    expect(await metric(app, 'winnow_guard_blocked_repositories_total')).toBe(1);
    expect(await metric(app, 'winnow_decisions_total{decision="delete",stage="rule"}')).toBe(8);
    expect(await metric(app, 'winnow_decisions_total{decision="keep",stage="safety"}')).toBe(5);
    expect(await metric(app, 'winnow_runs_total{trigger="api",status="succeeded"}')).toBe(1);
    expect(
      await metric(app, 'winnow_run_duration_seconds_count{trigger="api",status="succeeded"}'),
    ).toBe(1);
    expect(await metric(app, 'winnow_last_successful_run_timestamp_seconds')).toBe(NOW / 1000);
    // A restarted process (fresh metrics, same database) says the same: no false alert.
    const restarted = await buildApp({
      config: readConfig({ WINNOW_AUTH: 'off' }),
      database,
      logger: false,
    });
    try {
      expect(await metric(restarted, 'winnow_last_successful_run_timestamp_seconds')).toBe(
        NOW / 1000,
      );
      expect(await metric(restarted, 'winnow_runs_total{trigger="api",status="succeeded"}')).toBe(
        0,
      );
    } finally {
      await restarted.close();
    }
    expect(await metric(app, 'winnow_worker_up')).toBe(1);
    // One lease per repository, none taken over; the worker's heartbeat follows its cycles.
    expect(await metric(app, 'winnow_worker_leases_total{event="claimed"}')).toBe(3);
    expect(await metric(app, 'winnow_worker_leases_total{event="taken_over"}')).toBe(0);
    const cycle = Date.now() / 1000;
    while ((await metric(app, 'winnow_worker_last_cycle_timestamp_seconds')) < cycle) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // Audit: the run's creation, one expiry entry per repository that lost tags, its end.
    const audit = await get<{ entries: { action: string; target: string }[] }>(
      app,
      '/api/v1/audit',
    );
    const actions = audit.entries.map((e) => `${e.action} ${e.target}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        `run.create run:${run.id}`,
        'tags.expire repository:acme/app',
        'tags.expire repository:acme/locked',
        `run.finish run:${run.id}`,
      ]),
    );
    expect(actions.filter((a) => a.startsWith('tags.expire'))).toHaveLength(2);
  });

  it('a worker takes over the tasks of a worker whose leases ran out, and counts them', async () => {
    const { app, service, database, clock } = await start();
    const { id } = await trigger(app, { scope: { level: 'server' } });
    // Another worker claims every task and dies: its leases run out.
    const claimed = await database.runs.claimTasks({ owner: 'gone', limit: 10, leaseMs: 1_000 });
    expect(claimed).toHaveLength(3);
    clock.now += 2_000;
    service.start();
    expect(await finished(app, id)).toMatchObject({ status: 'succeeded' });
    expect(await metric(app, 'winnow_worker_leases_total{event="taken_over"}')).toBe(3);
    expect(await metric(app, 'winnow_worker_leases_total{event="claimed"}')).toBe(0);
  });

  it('restores an expired tag within the window (404, 409, 410 otherwise) and purges after it', async () => {
    const { app, service, clock } = await start();
    service.start();
    const run = await finished(app, (await trigger(app, { scope: { level: 'server' } })).id);
    expect(run.counts.expired).toBe(8);
    const url = (tag: string) => `/api/v1/namespaces/acme/repositories/app/tags/${tag}/restore`;
    clock.now += 13 * DAY;
    const restored = await app.inject({ method: 'POST', url: url('old-1') });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ name: 'old-1', digest: digest(1) });
    expect(await liveTags(app, 'app')).toContain('old-1');
    expect((await app.inject({ method: 'POST', url: url('old-1') })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: url('nope') })).statusCode).toBe(404);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/namespaces/acme/repositories/nope/tags/old-1/restore',
        })
      ).statusCode,
    ).toBe(404);
    expect(await metric(app, 'winnow_tags_restored_total{namespace="acme"}')).toBe(1);
    // Past the window: 410, and the worker purges the rest.
    clock.now += 2 * DAY;
    const late = await app.inject({ method: 'POST', url: url('old-2') });
    expect(late.statusCode).toBe(410);
    expect(late.json()).toMatchObject({ error: { code: 'WINNOW_RESTORE_WINDOW_ENDED' } });
    service.worker?.wake();
    const deadline = Date.now() + 20_000;
    while ((await expiredTags(app, 'app')).length > 0) {
      if (Date.now() > deadline) throw new Error('the worker did not purge');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await expiredTags(app, 'locked')).toEqual([]);
    expect(await metric(app, 'winnow_tags_purged_total{namespace="acme"}')).toBe(7);
    expect(await liveTags(app, 'app')).toEqual(['new-1', 'new-2', 'new-3', 'new-4', 'old-1']);
  });

  it('skips a tag re-pushed between evaluation and apply, and reports it', async () => {
    const { app, service } = await start({
      readRepository: (database) => async (ref) => {
        const repository = await database.repositories.get(ref);
        if (ref.name === 'app') {
          // The registry moves old-1 while the run evaluates: the decision is about digest 1.
          await database.tags.put(ref, {
            name: 'old-1',
            digest: digest(99),
            pushedAt: new Date(NOW).toISOString(),
          });
        }
        return repository;
      },
    });
    service.start();
    const run = await finished(
      app,
      (await trigger(app, { scope: { level: 'repository', namespace: 'acme', repository: 'app' } }))
        .id,
    );
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ repositories: 1, expired: 5, repushed: 1 });
    const tag = await get<{ digest: string }>(
      app,
      '/api/v1/namespaces/acme/repositories/app/tags/old-1',
    );
    expect(tag.digest).toBe(digest(99));
    const decisions = await get<{ decisions: { tag: string; outcome: string }[] }>(
      app,
      `/api/v1/runs/${run.id}/decisions?outcome=repushed`,
    );
    expect(decisions.decisions).toMatchObject([{ tag: 'old-1', outcome: 'repushed' }]);
  });

  it('records an error in one repository on its task and goes on: the run ends partial', async () => {
    const { app, service } = await start({
      readRepository: (database) => async (ref) => {
        if (ref.name === 'locked') throw new Error('disk on fire at /secret/path');
        return database.repositories.get(ref);
      },
    });
    service.start();
    const run = await finished(
      app,
      (await trigger(app, { scope: { level: 'namespace', namespace: 'acme' } })).id,
    );
    expect(run).toMatchObject({
      status: 'partial',
      counts: { repositories: 3, errors: 1, expired: 6 },
      tasks: { done: 2, failed: 1 },
    });
    const failed = await get<{
      repositories: { repository: string; error: { code: string; message: string } }[];
    }>(app, `/api/v1/runs/${run.id}/repositories?status=failed`);
    expect(failed.repositories).toHaveLength(1);
    expect(failed.repositories[0]).toMatchObject({
      repository: 'acme/locked',
      error: { code: 'WINNOW_INTERNAL' },
    });
    // The cause stays in the server log, never in the API.
    expect(JSON.stringify(failed)).not.toContain('/secret/path');
    expect(await liveTags(app, 'locked')).toHaveLength(5);
    expect(await liveTags(app, 'app')).toHaveLength(4);
    expect(await metric(app, 'winnow_errors_total{kind="task"}')).toBe(1);
    expect(await metric(app, 'winnow_runs_total{trigger="api",status="partial"}')).toBe(1);
    expect(await metric(app, 'winnow_last_successful_run_timestamp_seconds')).toBe(0);
  });

  it('cancels a queued run, lists and filters runs, and rejects bad requests', async () => {
    const { app } = await start();
    // The worker is not started: the run stays queued.
    const queued = await trigger(app, { scope: { level: 'namespace', namespace: 'acme' } });
    expect(queued.status).toBe('queued');
    const cancel = await app.inject({ method: 'POST', url: `/api/v1/runs/${queued.id}/cancel` });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toMatchObject({ status: 'cancelled', tasks: { cancelled: 3 } });
    const again = await app.inject({ method: 'POST', url: `/api/v1/runs/${queued.id}/cancel` });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'WINNOW_CONFLICT' } });
    const other = await trigger(app, { scope: { level: 'server' }, dryRun: true });
    const all = await get<{ runs: RunJson[]; nextCursor: string | null }>(
      app,
      '/api/v1/runs?limit=1',
    );
    expect(all.runs.map((r) => r.id)).toEqual([other.id]);
    expect(all.nextCursor).not.toBeNull();
    const next = await get<{ runs: RunJson[]; nextCursor: string | null }>(
      app,
      `/api/v1/runs?limit=1&cursor=${encodeURIComponent(all.nextCursor ?? '')}`,
    );
    expect(next).toEqual({ runs: [expect.objectContaining({ id: queued.id })], nextCursor: null });
    const cancelled = await get<{ runs: RunJson[] }>(
      app,
      '/api/v1/runs?status=cancelled&trigger=api',
    );
    expect(cancelled.runs.map((r) => r.id)).toEqual([queued.id]);
    expect(await get<{ runs: RunJson[] }>(app, '/api/v1/runs?trigger=schedule')).toEqual({
      runs: [],
      nextCursor: null,
    });

    const bad = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const response = await app.inject({ method, url, ...(payload && { payload }) });
      return {
        status: response.statusCode,
        body: response.json<{ error: { code: string; issues?: { pointer: string }[] } }>(),
      };
    };
    expect(await bad('POST', '/api/v1/runs', { scope: { level: 'namespace' } })).toMatchObject({
      status: 400,
      body: { error: { issues: [{ pointer: '/body/scope/namespace' }] } },
    });
    expect(
      await bad('POST', '/api/v1/runs', { scope: { level: 'server' }, force: true }),
    ).toMatchObject({ status: 400 });
    expect(await bad('POST', '/api/v1/runs', { scope: { level: 'galaxy' } })).toMatchObject({
      status: 400,
    });
    expect(await bad('POST', '/api/v1/runs', {})).toMatchObject({ status: 400 });
    expect(await bad('GET', '/api/v1/runs/abc')).toMatchObject({ status: 400 });
    expect(await bad('GET', '/api/v1/runs?status=done')).toMatchObject({ status: 400 });
    expect(await bad('GET', '/api/v1/runs?cursor=garbage')).toMatchObject({ status: 400 });
    expect(await bad('GET', '/api/v1/runs/9999')).toMatchObject({
      status: 404,
      body: { error: { code: 'WINNOW_NOT_FOUND' } },
    });
    expect(await bad('GET', '/api/v1/runs/9999/repositories')).toMatchObject({ status: 404 });
    expect(await bad('GET', '/api/v1/runs/9999/decisions')).toMatchObject({ status: 404 });
    expect(await bad('POST', '/api/v1/runs/9999/cancel')).toMatchObject({ status: 404 });
    expect(await bad('GET', `/api/v1/runs/${queued.id}/decisions?stage=nope`)).toMatchObject({
      status: 400,
    });
  });

  it('a scope without repositories gives a run finished at once; an unknown one a 404', async () => {
    const { app } = await start();
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      payload: { scope: { level: 'namespace', namespace: 'empty' } },
    });
    expect(unknown.statusCode).toBe(404);
    const namespace = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      payload: { name: 'empty' },
    });
    expect(namespace.statusCode).toBe(201);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      payload: { scope: { level: 'namespace', namespace: 'empty' } },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ status: 'succeeded', counts: { repositories: 0 } });
  });

  it('the server keeps answering while the worker runs (the event loop is never held)', async () => {
    const { app, service } = await start();
    // 300 more repositories: a run of a second or more on either database.
    const many = Array.from({ length: 300 }, (_, i) => ({
      namespace: 'bulk',
      name: `r${i}`,
      tags: Array.from({ length: 10 }, (__, j) => ({
        name: `t${j}`,
        digest: digest(1000 + i * 10 + j),
        pushedAt: ago(j < 5 ? 60 : 1),
      })),
    }));
    const imported = await app.inject({
      method: 'POST',
      url: '/api/v1/inventory/import',
      payload: { apiVersion: 'winnow/v1', kind: 'Inventory', repositories: many },
    });
    expect(imported.statusCode).toBe(200);
    service.start();
    const queued = await trigger(app, { scope: { level: 'namespace', namespace: 'bulk' } });
    // How late a 10 ms timer fires while the run goes on, sampled until it ends.
    let worst = 0;
    let run = queued;
    while (run.finishedAt === null) {
      const asked = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 10));
      worst = Math.max(worst, Date.now() - asked - 10);
      run = (await app.inject({ method: 'GET', url: `/api/v1/runs/${queued.id}` })).json<RunJson>();
    }
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { repositories: 300, expired: 1500 },
    });
    // SQLite's driver is synchronous: without yielding, the whole run held the loop (seconds).
    expect(worst).toBeLessThan(500);
  });

  it('the worker on a short interval picks up a run it was not told about', async () => {
    const { app, service, database, clock } = await start();
    service.start();
    // Created in the store directly: no signal wakes the worker; its 50 ms interval does.
    const created = await database.runs.create({
      scope: { level: 'server' },
      dryRun: false,
      trigger: 'cli',
      triggeredBy: 'test',
      now: new Date(clock.now),
    });
    const run = await finished(app, created.id);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'cli', counts: { expired: 8 } });
    expect(await metric(app, 'winnow_worker_claims_in_flight')).toBe(0);
  });
});
