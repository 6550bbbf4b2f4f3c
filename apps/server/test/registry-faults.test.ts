import type { FastifyInstance } from 'fastify';
import { DistributionClient } from '@winnow/registry';
import { type FaultProxy, startFaultProxy } from '@winnow/registry/testing';

import { runServerPolicy, startService, until } from './support/service';

import { pushImage, startRegistry, type TestRegistry } from '@winnow/registry/testing';

const REPOSITORIES = ['a', 'b', 'c'];
const KEPT = ['v1', 'v2'];
const EXPIRED = ['old-1', 'old-2', 'old-3'];

const POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    { name: 'keep-releases', select: { tags: { glob: 'v*' } }, then: 'keep' },
    { name: 'expire-old', select: { tags: { glob: 'old-*' } }, then: 'delete' },
  ],
};

interface Sync {
  status: string;
  progress: { repositoriesFailed: number; tags: number };
  errors: { repository: string; code: string; message: string }[];
}

interface Deletion {
  repository: string;
  outcome: string;
  tags: string[];
  message: string | null;
}

/**
 * A fault-injecting proxy between Winnow and a real registry: 5xx, 429 with Retry-After,
 * connection resets and slow answers. Syncs and runs finish, errors are recorded, and nothing
 * the run kept is ever deleted.
 */
describe('registry faults between Winnow and a real registry (SQLite)', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let direct: DistributionClient;
  let app: FastifyInstance;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    direct = new DistributionClient({ url: registry.url });
    for (const [i, repository] of REPOSITORIES.entries()) {
      for (const [j, tag] of [...EXPIRED, ...KEPT].entries()) {
        await pushImage(direct, `acme/${repository}`, {
          tag,
          label: `${repository} ${tag}`,
          created: new Date(Date.UTC(2026, 0, 1 + i * 10 + j)).toISOString(),
        });
      }
    }
    ({ app, stop: drop } = await startService('sqlite'));
  }, 60_000);

  afterAll(async () => {
    await drop();
    await proxy.stop();
    await registry.stop();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    app.inject({ method, url, ...(payload !== undefined && { payload }) });

  const sync = async (): Promise<Sync> => {
    const queued = await call('POST', '/api/v1/registries/local/syncs');
    expect(queued.statusCode).toBe(202);
    const location = queued.headers.location as string;
    return until(
      'the sync',
      async () => (await call('GET', location)).json<Sync>(),
      (s) => s.status !== 'queued' && s.status !== 'running',
    );
  };

  const registryTags = async (repository: string): Promise<string[]> => {
    const tags: string[] = [];
    for await (const tag of direct.tags(`acme/${repository}`)) tags.push(tag);
    return tags.sort();
  };

  it('syncs through retried faults, records a repository that keeps failing, and recovers', async () => {
    expect((await call('POST', '/api/v1/namespaces', { name: 'acme' })).statusCode).toBe(201);
    const connection = await call('POST', '/api/v1/registries', {
      name: 'local',
      url: proxy.url,
      namespaces: ['acme'],
      deleteImmediately: true,
      timeoutMs: 1000,
    });
    expect(connection.statusCode).toBe(201);

    // Passing faults: a 503, a 429 asking for a second, a reset, a slow answer. Retried.
    proxy.fail(1, { status: 503 }, { path: /\/acme\/a\// });
    proxy.fail(1, { status: 429, retryAfter: '1' }, { path: /\/acme\/a\// });
    proxy.fail(1, { reset: true }, { path: /\/acme\/c\// });
    proxy.fail(2, { delayMs: 300 }, { method: 'HEAD' });
    // A repository whose every request fails.
    proxy.fail(1000, { status: 502 }, { path: /\/acme\/b\// });
    const first = await sync();
    expect(first.status).toBe('partial');
    expect(first.errors).toEqual([
      expect.objectContaining({ repository: 'acme/b', code: 'WINNOW_REGISTRY_UNAVAILABLE' }),
    ]);
    expect(first.errors[0]?.message).toContain('502');
    expect(first.progress).toMatchObject({ repositoriesFailed: 1, tags: 10 });
    expect(proxy.requests.some((r) => r.fault !== null && 'retryAfter' in r.fault)).toBe(true);

    proxy.reset();
    const second = await sync();
    expect(second).toMatchObject({ status: 'succeeded', errors: [] });
    expect(second.progress.tags).toBe(15);
  }, 60_000);

  it('deletes only what the run expired; failed deletions are recorded and retried', async () => {
    // Every DELETE in acme/c fails until the faults are lifted.
    proxy.fail(1000, { status: 503 }, { method: 'DELETE', path: /\/acme\/c\// });
    const { id: runId, status } = await runServerPolicy(app, POLICY);
    expect(status).toBe('succeeded');

    const outcomes = () =>
      call('GET', `/api/v1/runs/${runId}/registry-deletions?limit=1000`).then(
        (r) => r.json<{ deletions: Deletion[] }>().deletions,
      );
    const firstPass = await until(
      'the first deletions',
      outcomes,
      (list) =>
        list.some((d) => d.repository === 'acme/c' && d.outcome === 'failed') &&
        list.filter((d) => d.outcome === 'deleted').length === 2 * EXPIRED.length,
    );
    for (const repository of ['a', 'b']) {
      expect(await registryTags(repository)).toEqual([...KEPT].sort());
    }
    // acme/c: nothing deleted yet, nothing purged from the inventory.
    expect(await registryTags('c')).toEqual([...EXPIRED, ...KEPT].sort());
    expect(
      firstPass.filter((d) => d.outcome === 'failed').every((d) => d.repository === 'acme/c'),
    ).toBe(true);
    const expiredInC = await call(
      'GET',
      '/api/v1/namespaces/acme/repositories/c/tags?expired=true',
    );
    expect(expiredInC.json<{ tags: unknown[] }>().tags).toHaveLength(EXPIRED.length);

    proxy.reset();
    await until('the retried deletions', outcomes, (list) =>
      EXPIRED.every((tag) =>
        list.some(
          (d) => d.repository === 'acme/c' && d.outcome === 'deleted' && d.tags.includes(tag),
        ),
      ),
    );
    for (const repository of REPOSITORIES) {
      expect(await registryTags(repository)).toEqual([...KEPT].sort());
    }
    const metrics = (await call('GET', '/metrics')).body;
    expect(metrics).toMatch(
      /winnow_registry_deletions_total\{registry="local",outcome="failed"\} [1-9]/,
    );
    expect(metrics).toContain('winnow_registry_syncs_total{registry="local",status="partial"} 1');
  }, 90_000);
});
