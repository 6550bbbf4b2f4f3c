import type { FastifyInstance } from 'fastify';
import { type Database, openDatabase } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import { readConfig } from '../src/config';
import { Metrics } from '../src/metrics';
import { startScheduledRuns } from '../src/schedules/scheduler';
import { buildService, type Service } from '../src/service';
import { providers } from './database';

const NOW = Date.parse('2026-11-01T00:00:00Z');
const DAY = 86_400_000;
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

const silentLog = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

describe.each(providers)('policy schedules on %s', (provider) => {
  let app: FastifyInstance;
  let service: Service;
  let database: Database;
  const clock = { now: NOW };
  let drop: () => Promise<void>;

  beforeEach(async () => {
    clock.now = NOW;
    const created = await migratedDatabase(provider);
    database = openDatabase(created.url, { clock: () => new Date(clock.now) });
    service = await buildService({
      config: readConfig({ WINNOW_WORKER_INTERVAL: '50ms' }),
      database,
      logger: false,
      clock: () => new Date(clock.now),
    });
    app = service.app;
    await app.ready();
    drop = async () => {
      await service.stop();
      await database.close();
      await created.drop();
    };
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/inventory/import', payload: SNAPSHOT }))
        .statusCode,
    ).toBe(200);
  });
  afterEach(async () => drop());

  const repositoryPolicy = '/api/v1/namespaces/acme/repositories/web%2Fapi/policy';

  it('sets, reads and deletes the schedule of a policy at each scope', async () => {
    const scopes = [
      ['/api/v1/policies/server', { level: 'server' }, 'server'],
      ['/api/v1/namespaces/acme/policy', { level: 'namespace', namespace: 'acme' }, 'acme'],
      [
        repositoryPolicy,
        { level: 'repository', namespace: 'acme', repository: 'web/api' },
        'acme/web/api',
      ],
    ] as const;
    for (const [url, scope, label] of scopes) {
      expect((await app.inject({ method: 'PUT', url, payload: policyAt(scope) })).statusCode).toBe(
        201,
      );
      const put = await app.inject({
        method: 'PUT',
        url: `${url}/schedule`,
        payload: { cron: '0 3 * * *', timezone: 'Europe/Paris' },
      });
      expect(put.statusCode).toBe(200);
      // 03:00 in Paris on 1 November (UTC+1) is 02:00 UTC.
      expect(put.json()).toEqual({
        policy: label,
        cron: '0 3 * * *',
        timezone: 'Europe/Paris',
        dryRun: false,
        nextRunAt: '2026-11-01T02:00:00.000Z',
        lastRunId: null,
      });
      expect((await app.inject({ method: 'GET', url: `${url}/schedule` })).json()).toEqual(
        put.json(),
      );
      // A new revision of the policy keeps its schedule.
      await app.inject({ method: 'PUT', url, payload: policyAt(scope) });
      expect((await app.inject({ method: 'GET', url: `${url}/schedule` })).statusCode).toBe(200);
      expect((await app.inject({ method: 'DELETE', url: `${url}/schedule` })).statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: `${url}/schedule` })).statusCode).toBe(404);
      expect((await app.inject({ method: 'DELETE', url: `${url}/schedule` })).statusCode).toBe(404);
    }
    const audit = (await app.inject({ method: 'GET', url: '/api/v1/audit?limit=100' })).json<{
      entries: { action: string }[];
    }>();
    expect(audit.entries.filter((e) => e.action === 'schedule.put')).toHaveLength(3);
    expect(audit.entries.filter((e) => e.action === 'schedule.delete')).toHaveLength(3);
  });

  it('rejects bad schedules with the field, and answers 404 without a policy', async () => {
    const url = '/api/v1/policies/server/schedule';
    expect(
      (await app.inject({ method: 'PUT', url, payload: { cron: '0 3 * * *' } })).statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    await app.inject({
      method: 'PUT',
      url: '/api/v1/policies/server',
      payload: policyAt({ level: 'server' }),
    });
    const bad = async (payload: object) => {
      const response = await app.inject({ method: 'PUT', url, payload });
      return {
        status: response.statusCode,
        pointers: (
          response.json<{ error: { issues?: { pointer: string }[] } }>().error.issues ?? []
        ).map((i) => i.pointer),
      };
    };
    expect(await bad({ cron: 'every day' })).toEqual({ status: 400, pointers: ['/body/cron'] });
    expect(await bad({ cron: '61 * * * *' })).toEqual({ status: 400, pointers: ['/body/cron'] });
    expect(await bad({ cron: '0 0 30 2 *' })).toEqual({ status: 400, pointers: ['/body/cron'] });
    expect(await bad({ cron: '0 3 * * *', timezone: 'Mars/Olympus' })).toEqual({
      status: 400,
      pointers: ['/body/timezone'],
    });
    expect((await bad({})).status).toBe(400);
    expect((await bad({ cron: '0 3 * * *', every: 'day' })).status).toBe(400);
    expect((await bad({ cron: '0 3 * * *', dryRun: 'yes' })).status).toBe(400);
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: '/api/v1/namespaces/Bad_Name/policy/schedule',
          payload: { cron: '0 3 * * *' },
        })
      ).statusCode,
    ).toBe(400);
  });

  it('the worker starts a run when the schedule is due, once, and moves it on', async () => {
    await app.inject({
      method: 'PUT',
      url: repositoryPolicy,
      payload: policyAt({ level: 'repository', namespace: 'acme', repository: 'web/api' }),
    });
    const put = await app.inject({
      method: 'PUT',
      url: `${repositoryPolicy}/schedule`,
      payload: { cron: '*/10 * * * * *' },
    });
    expect(put.json()).toMatchObject({ nextRunAt: '2026-11-01T00:00:10.000Z' });
    service.start();
    // Not due yet: no run.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await app.inject({ method: 'GET', url: '/api/v1/runs' })).json()).toEqual({
      runs: [],
      nextCursor: null,
    });
    clock.now = NOW + 25_000; // two times missed: one run
    const deadline = Date.now() + 20_000;
    let runs: { id: number; trigger: string; status: string; finishedAt: string | null }[] = [];
    while (runs.length === 0 || runs[0]?.finishedAt === null) {
      if (Date.now() > deadline) throw new Error('no scheduled run finished');
      await new Promise((resolve) => setTimeout(resolve, 50));
      runs = (await app.inject({ method: 'GET', url: '/api/v1/runs' })).json<{
        runs: typeof runs;
      }>().runs;
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // more cycles: still one run
    runs = (await app.inject({ method: 'GET', url: '/api/v1/runs' })).json<{ runs: typeof runs }>()
      .runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
    expect(
      (await app.inject({ method: 'GET', url: `${repositoryPolicy}/schedule` })).json(),
    ).toMatchObject({
      nextRunAt: '2026-11-01T00:00:30.000Z',
      lastRunId: runs[0]?.id,
    });
    const tags = (
      await app.inject({
        method: 'GET',
        url: '/api/v1/namespaces/acme/repositories/web%2Fapi/tags',
      })
    ).json<{
      tags: { name: string }[];
    }>();
    expect(tags.tags.map((t) => t.name)).toEqual(['new-1']);
  });

  it('skips a time while the previous scheduled run has not finished', async () => {
    // The worker is not started: the first run stays queued.
    await app.inject({
      method: 'PUT',
      url: '/api/v1/policies/server',
      payload: policyAt({ level: 'server' }),
    });
    await app.inject({
      method: 'PUT',
      url: '/api/v1/policies/server/schedule',
      payload: { cron: '0 * * * *', dryRun: true },
    });
    const options = { database, metrics: new Metrics(), log: silentLog, batchSize: 10 };
    clock.now = NOW + 3_600_000;
    const [first] = await startScheduledRuns({ ...options, clock: () => new Date(clock.now) });
    expect(first).toMatchObject({ trigger: 'schedule', dryRun: true, status: 'queued' });
    clock.now = NOW + 2 * 3_600_000;
    expect(await startScheduledRuns({ ...options, clock: () => new Date(clock.now) })).toEqual([]);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/policies/server/schedule' })).json(),
    ).toMatchObject({
      nextRunAt: new Date(NOW + 3 * 3_600_000).toISOString(),
      lastRunId: first?.id,
    });
  });
});
