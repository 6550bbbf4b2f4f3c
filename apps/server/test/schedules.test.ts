import type { FastifyInstance } from 'fastify';
import { type Database, openDatabase } from '@winnow/db';
import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
import { readConfig } from '../src/config';
import type { Log } from '../src/log';
import { Metrics } from '../src/metrics';
import { startScheduledRuns } from '../src/schedules/scheduler';
import { buildService, type Service } from '../src/service';
import { providers } from './database';

const NOW = Date.parse('2026-11-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const ago = (days: number): string => new Date(NOW - days * DAY).toISOString();

const policyAt = (scope: object) => ({
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope,
  rules: [
    { name: 'old', select: { tags: { glob: '*' } }, match: { olderThan: '30d' }, then: 'delete' },
  ],
});

const SNAPSHOT = {
  apiVersion: 'winnow/v1',
  kind: 'Inventory',
  repositories: [
    {
      namespace: 'acme',
      name: 'web/api',
      tags: [
        { name: 'old-1', digest: digest(1), pushedAt: ago(60) },
        { name: 'old-2', digest: digest(2), pushedAt: ago(61) },
        { name: 'new-1', digest: digest(3), pushedAt: ago(1) },
      ],
    },
  ],
};

const REPOSITORY_POLICY = '/api/v1/namespaces/acme/repositories/web%2Fapi/policy';
const REPOSITORY_SCOPE = { level: 'repository', namespace: 'acme', repository: 'web/api' };

const silentLog: Log = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLog,
};

interface RunJson {
  id: number;
  trigger: string;
  triggeredBy: string;
  status: string;
  dryRun: boolean;
  finishedAt: string | null;
}

/** Polls until `done` holds, for at most 20 s (generous: the machine is shared). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(providers)('scheduled runs on %s', (provider) => {
  const clock = { now: NOW };
  const now = () => new Date(clock.now);
  let created: TestDatabase;
  let database: Database;
  let service: Service;
  let app: FastifyInstance;

  /** The API and worker (not started) on `db`, checking each cycle every 100 ms. */
  async function serve(db: Database): Promise<void> {
    service = await buildService({
      config: readConfig({ WINNOW_AUTH: 'off', WINNOW_WORKER_INTERVAL: '100ms' }),
      database: db,
      logger: false,
      clock: now,
    });
    app = service.app;
    await app.ready();
  }

  const scheduler = (batchSize = 10) => ({
    database,
    metrics: new Metrics(),
    log: silentLog,
    clock: now,
    batchSize,
  });
  const runs = async () =>
    (await app.inject({ method: 'GET', url: '/api/v1/runs' })).json<{ runs: RunJson[] }>().runs;
  const scheduleOf = async (policy: string) =>
    (await app.inject({ method: 'GET', url: `${policy}/schedule` })).json<{
      nextRunAt: string;
      lastRunId: number | null;
    }>();
  const put = (url: string, payload: object) => app.inject({ method: 'PUT', url, payload });

  beforeEach(async () => {
    clock.now = NOW;
    created = await migratedDatabase(provider);
    database = openDatabase(created.url, { clock: now });
    await serve(database);
    const imported = await app.inject({
      method: 'POST',
      url: '/api/v1/inventory/import',
      payload: SNAPSHOT,
    });
    expect(imported.statusCode).toBe(200);
    expect((await put(REPOSITORY_POLICY, policyAt(REPOSITORY_SCOPE))).statusCode).toBe(201);
  });
  afterEach(async () => {
    await service.stop();
    await database.close();
    await created.drop();
  });

  it('the worker starts a due schedule once: the run expires what the policy says, the schedule moves on', async () => {
    const schedule = await put(`${REPOSITORY_POLICY}/schedule`, { cron: '*/10 * * * * *' });
    expect(schedule.json()).toMatchObject({ nextRunAt: '2026-11-01T00:00:10.000Z' });
    service.start();
    // Not due yet: a few cycles start nothing.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await runs()).toEqual([]);
    clock.now = NOW + 25_000; // two times missed: one run
    const [run] = await eventually(runs, (r) => r.length > 0 && r[0]?.finishedAt !== null);
    await new Promise((resolve) => setTimeout(resolve, 400)); // more cycles: still one run
    expect(await runs()).toHaveLength(1);
    expect(run).toMatchObject({
      trigger: 'schedule',
      triggeredBy: 'schedule:repository:acme/web/api',
      status: 'succeeded',
      dryRun: false,
    });
    expect(await scheduleOf(REPOSITORY_POLICY)).toMatchObject({
      nextRunAt: '2026-11-01T00:00:30.000Z',
      lastRunId: run?.id,
    });
    const tags = await app.inject({
      method: 'GET',
      url: '/api/v1/namespaces/acme/repositories/web%2Fapi/tags',
    });
    expect(tags.json<{ tags: { name: string }[] }>().tags.map((t) => t.name)).toEqual(['new-1']);
    const audit = await app.inject({ method: 'GET', url: `/api/v1/audit?target=run:${run?.id}` });
    expect(audit.json<{ entries: object[] }>().entries).toEqual([
      expect.objectContaining({
        actor: 'worker',
        action: 'run.create',
        details: {
          scope: REPOSITORY_SCOPE,
          dryRun: false,
          repositories: 1,
          schedule: { cron: '*/10 * * * * *', timezone: 'UTC' },
        },
      }),
      expect.objectContaining({ actor: 'worker', action: 'run.finish' }),
    ]);
  });

  it('skips a time while the previous scheduled run has not finished', async () => {
    // The worker is not started: the runs stay queued.
    await put(`${REPOSITORY_POLICY}/schedule`, { cron: '0 * * * *', dryRun: true });
    clock.now = NOW + HOUR;
    const [first] = await startScheduledRuns(scheduler());
    expect(first).toMatchObject({ trigger: 'schedule', dryRun: true, status: 'queued' });
    clock.now = NOW + 2 * HOUR;
    expect(await startScheduledRuns(scheduler())).toEqual([]);
    expect(await scheduleOf(REPOSITORY_POLICY)).toEqual(
      expect.objectContaining({
        nextRunAt: new Date(NOW + 3 * HOUR).toISOString(),
        lastRunId: first?.id,
      }),
    );
    await app.inject({ method: 'POST', url: `/api/v1/runs/${first?.id}/cancel` });
    clock.now = NOW + 3 * HOUR;
    const [second] = await startScheduledRuns(scheduler());
    expect(second).toMatchObject({ trigger: 'schedule', status: 'queued' });
    expect((await runs()).map((r) => r.id)).toEqual([second?.id, first?.id]);
  });

  it('starts one run when two schedulers (replicas) find the schedule due together', async () => {
    await put(`${REPOSITORY_POLICY}/schedule`, { cron: '0 * * * *' });
    clock.now = NOW + HOUR;
    const started = await Promise.all([
      startScheduledRuns(scheduler()),
      startScheduledRuns(scheduler()),
    ]);
    expect(started.flat()).toHaveLength(1);
    expect(await runs()).toHaveLength(1);
  });

  it('claims at most the batch size of due schedules per cycle, earliest first', async () => {
    await put('/api/v1/policies/server', policyAt({ level: 'server' }));
    await put('/api/v1/policies/server/schedule', { cron: '30 0 * * *' });
    await put(`${REPOSITORY_POLICY}/schedule`, { cron: '0 0 * * *' });
    clock.now = NOW + DAY + HOUR; // due since 00:30 on 1 November and 00:00 on 2 November
    expect((await startScheduledRuns(scheduler(1))).map((r) => r.scope)).toEqual([
      { level: 'server' },
    ]);
    expect((await startScheduledRuns(scheduler(1))).map((r) => r.scope)).toEqual([
      REPOSITORY_SCOPE,
    ]);
    expect(await startScheduledRuns(scheduler(1))).toEqual([]);
  });

  it('starts nothing for a scope that is gone, and moves the schedule on', async () => {
    await put(
      '/api/v1/namespaces/ghost/policy',
      policyAt({ level: 'namespace', namespace: 'ghost' }),
    );
    await put('/api/v1/namespaces/ghost/policy/schedule', { cron: '0 * * * *' });
    clock.now = NOW + HOUR;
    expect(await startScheduledRuns(scheduler())).toEqual([]);
    expect(await scheduleOf('/api/v1/namespaces/ghost/policy')).toEqual(
      expect.objectContaining({
        nextRunAt: new Date(NOW + 2 * HOUR).toISOString(),
        lastRunId: null,
      }),
    );
    expect(await runs()).toEqual([]);
  });

  it('goes on with queued runs when the schedules cannot be started', async () => {
    await service.stop();
    const broken: Database = {
      ...database,
      transaction: (work) =>
        database.transaction((stores) =>
          work({
            ...stores,
            schedules: {
              ...stores.schedules,
              claimDue: () => Promise.reject(new Error('schedules unreadable')),
            },
          }),
        ),
    };
    await serve(broken);
    await put(`${REPOSITORY_POLICY}/schedule`, { cron: '0 * * * *' });
    clock.now = NOW + HOUR;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      payload: { scope: REPOSITORY_SCOPE },
    });
    expect(created.statusCode).toBe(202);
    service.start();
    const [run] = await eventually(runs, (r) => r[0]?.finishedAt != null);
    expect(run).toMatchObject({ trigger: 'api', status: 'succeeded' });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^winnow_errors_total\{kind="worker"\} [1-9]/m);
  });
});
