import type { Database } from '@winnow/db';

import type { Log } from '../src/log';
import { Metrics } from '../src/metrics';
import { RegistryJobs } from '../src/registries/jobs';
import { newRegistryOf } from '../src/registries/registry-input';
import { providers, testDatabase, useApp } from './database';

describe.each(providers)('registry sync routes on %s (no worker)', (provider) => {
  const app = useApp(provider);
  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app().inject({ method, url, ...(payload !== undefined && { payload }) });

  beforeAll(async () => {
    expect((await call('POST', '/api/v1/namespaces', { name: 'acme' })).statusCode).toBe(201);
    const created = await call('POST', '/api/v1/registries', {
      name: 'local',
      url: 'http://127.0.0.1:1',
      namespaces: ['acme'],
    });
    expect(created.statusCode).toBe(201);
    await call('POST', '/api/v1/registries', { name: 'other', url: 'http://127.0.0.1:2' });
  });

  it('queues one sync at a time: a second trigger gives the queued one', async () => {
    const first = await call('POST', '/api/v1/registries/local/syncs');
    expect(first.statusCode).toBe(202);
    const sync = first.json<{ id: number }>();
    expect(first.headers.location).toBe(`/api/v1/registries/local/syncs/${sync.id}`);
    expect(sync).toMatchObject({
      registry: 'local',
      status: 'queued',
      trigger: 'api',
      startedAt: null,
      finishedAt: null,
      progress: { repositoriesTotal: 0, repositoriesDone: 0, tags: 0 },
      errors: [],
    });
    const second = await call('POST', '/api/v1/registries/local/syncs');
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(sync);
    expect((await call('GET', `/api/v1/registries/local/syncs/${sync.id}`)).json()).toEqual(sync);
    expect((await call('GET', '/api/v1/registries/local/syncs')).json()).toEqual({
      syncs: [sync],
    });
    // Another registry's syncs are its own.
    expect((await call('POST', '/api/v1/registries/other/syncs')).statusCode).toBe(202);
    expect((await call('GET', `/api/v1/registries/other/syncs/${sync.id}`)).statusCode).toBe(404);
    const audit = await call('GET', '/api/v1/audit?target=registry:local');
    expect(audit.json<{ entries: { action: string }[] }>().entries.map((e) => e.action)).toContain(
      'registry.sync',
    );
  });

  it('answers 404 for an unknown registry or run, 400 for bad ids and limits', async () => {
    expect((await call('POST', '/api/v1/registries/nope/syncs')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/registries/nope/syncs')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/registries/nope/deletions')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/runs/999/registry-deletions')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/registries/local/syncs/x')).statusCode).toBe(400);
    const limit = await call('GET', '/api/v1/registries/local/deletions?limit=0');
    expect(limit.statusCode).toBe(400);
    expect(limit.body).toContain('limit');
    expect((await call('GET', '/api/v1/registries/local/deletions')).json()).toEqual({
      deletions: [],
    });
  });
});

describe.each(providers)('scheduled registry syncs on %s', (provider) => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ database, drop } = await testDatabase(provider));
  });
  afterAll(async () => drop());

  it('queues a due sync once, advances the schedule, and records a registry it cannot reach', async () => {
    const now = new Date('2026-12-03T10:30:00Z');
    await database.registries.create({
      ...newRegistryOf(
        { name: 'down', url: 'http://127.0.0.1:1', timeoutMs: 1000 },
        { now, secretKey: undefined },
      ),
      sync: { cron: '0 * * * *', timezone: 'UTC', nextSyncAt: new Date('2026-12-03T10:00:00Z') },
    });
    const metrics = new Metrics();
    const messages: string[] = [];
    const log: Log = {
      error: (_: object, message: string) => messages.push(message),
      warn: (_: object, message: string) => messages.push(message),
      info: () => undefined,
      debug: () => undefined,
      child: () => log,
    };
    const jobs = new RegistryJobs({
      database,
      metrics,
      log,
      owner: 'test',
      secretKey: undefined,
      restoreWindowMs: 0,
      leaseMs: 60_000,
      batchSize: 10,
      intervalMs: 50,
      clock: () => now,
    });
    expect(await jobs.cycle(() => false)).toEqual([]);
    const registry = await database.registries.get('down');
    expect(registry?.sync?.nextSyncAt.toISOString()).toBe('2026-12-03T11:00:00.000Z');
    const syncs = await database.registrySyncs.list(registry?.id ?? 0, 10);
    expect(syncs).toHaveLength(1);
    expect(syncs[0]).toMatchObject({
      trigger: 'schedule',
      status: 'failed',
      errors: [expect.objectContaining({ code: 'WINNOW_REGISTRY_UNAVAILABLE' })],
    });
    expect(messages).toContain('registry sync failed');
    expect(await metrics.registry.metrics()).toContain(
      'winnow_registry_syncs_total{registry="down",status="failed"} 1',
    );
    // Not due again before 11:00: nothing new.
    await jobs.cycle(() => false);
    expect(await database.registrySyncs.list(registry?.id ?? 0, 10)).toHaveLength(1);
  }, 30_000);
});
