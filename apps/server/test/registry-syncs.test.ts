import { providers, useApp } from './database';

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
