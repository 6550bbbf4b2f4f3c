import type { FastifyInstance } from 'fastify';
import { DistributionClient, MediaType } from '@winnow/registry';

import { providers } from './database';
import { runServerPolicy, startService, until } from './support/service';
import { pushImage, startRegistry, type TestRegistry } from '@winnow/registry/testing';

const REPOSITORIES = 10;
const IMAGES = 22;
const TAGS_PER_IMAGE = 5;
/** Keep the 15 newest builds: the 3 newest images of each repository, 5 tags each. */
const KEPT_IMAGES = 3;

const POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    {
      name: 'keep-newest-builds',
      select: { tags: { glob: 'build-*' } },
      match: { newest: KEPT_IMAGES * TAGS_PER_IMAGE },
      then: 'keep',
      else: 'delete',
    },
  ],
};

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
const tagName = (image: number, copy: number) =>
  `build-${String(image).padStart(3, '0')}-${'abcde'[copy] ?? ''}`;

/** Pushes the fixture: 10 repositories of 22 images tagged 5 times each (1,100 tags). */
async function pushFixture(client: DistributionClient): Promise<void> {
  await Promise.all(
    Array.from({ length: REPOSITORIES }, async (_, r) => {
      const path = `acme/app-${r}`;
      for (let image = 0; image < IMAGES; image += 1) {
        const { digest } = await pushImage(client, path, {
          tag: tagName(image, 0),
          label: `${path} ${image}`,
          created: day(image),
        });
        const body = (await client.getManifest(path, digest))?.body ?? Buffer.alloc(0);
        await Promise.all(
          Array.from({ length: TAGS_PER_IMAGE - 1 }, (_, copy) =>
            client.putManifest(path, tagName(image, copy + 1), MediaType.ociManifest, body),
          ),
        );
      }
    }),
  );
}

describe.each(providers)('a registry managed end to end on %s', (provider) => {
  let registry: TestRegistry;
  let client: DistributionClient;
  let app: FastifyInstance;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    registry = await startRegistry();
    client = new DistributionClient({ url: registry.url, concurrency: 16 });
    await pushFixture(client);
    ({ app, stop: drop } = await startService(provider));
  }, 120_000);

  afterAll(async () => {
    await drop();
    await registry.stop();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    app.inject({ method, url, ...(payload !== undefined && { payload }) });

  it('syncs 1,100 tags, runs a policy, and the registry ends with exactly the kept tags', async () => {
    expect((await call('POST', '/api/v1/namespaces', { name: 'acme' })).statusCode).toBe(201);
    const connection = await call('POST', '/api/v1/registries', {
      name: 'local',
      url: registry.url,
      namespaces: ['acme'],
      deleteImmediately: true,
    });
    expect(connection.statusCode).toBe(201);

    const queued = await call('POST', '/api/v1/registries/local/syncs');
    expect(queued.statusCode).toBe(202);
    const location = queued.headers.location as string;
    const sync = await until(
      'the sync',
      async () => (await call('GET', location)).json<{ status: string; progress: object }>(),
      (s) => s.status !== 'queued' && s.status !== 'running',
    );
    expect(sync).toMatchObject({
      status: 'succeeded',
      progress: {
        repositoriesTotal: REPOSITORIES,
        repositoriesDone: REPOSITORIES,
        repositoriesFailed: 0,
        tags: REPOSITORIES * IMAGES * TAGS_PER_IMAGE,
        manifestsFetched: REPOSITORIES * IMAGES,
      },
    });
    const synced = await call('GET', '/api/v1/namespaces/acme/repositories/app-0');
    expect(synced.json<{ tags: unknown[] }>().tags).toHaveLength(IMAGES * TAGS_PER_IMAGE);

    const { id: runId, status } = await runServerPolicy(app, POLICY);
    expect(status).toBe('succeeded');

    // deleteImmediately: the worker deletes in the registry on its next cycles.
    const deletedDigests = REPOSITORIES * (IMAGES - KEPT_IMAGES);
    const deletions = await until(
      'the deletions',
      async () =>
        (await call('GET', `/api/v1/runs/${runId}/registry-deletions?limit=1000`)).json<{
          deletions: { outcome: string; tags: string[] }[];
        }>().deletions,
      (list) => list.length >= deletedDigests,
    );
    expect(deletions.every((d) => d.outcome === 'deleted')).toBe(true);
    expect(deletions.every((d) => d.tags.length === TAGS_PER_IMAGE)).toBe(true);

    for (let r = 0; r < REPOSITORIES; r += 1) {
      const left: string[] = [];
      for await (const tag of client.tags(`acme/app-${r}`)) left.push(tag);
      const expected = [];
      for (let image = IMAGES - KEPT_IMAGES; image < IMAGES; image += 1) {
        for (let copy = 0; copy < TAGS_PER_IMAGE; copy += 1) expected.push(tagName(image, copy));
      }
      expect(left.sort()).toEqual(expected);
    }
    // The inventory follows: the expired tags are purged.
    const repository = await call('GET', '/api/v1/namespaces/acme/repositories/app-0');
    expect(repository.json<{ tags: unknown[] }>().tags).toHaveLength(KEPT_IMAGES * TAGS_PER_IMAGE);
    const metrics = (await call('GET', '/metrics')).body;
    expect(metrics).toContain(
      `winnow_registry_deletions_total{registry="local",outcome="deleted"} ${deletedDigests}`,
    );
    expect(metrics).toContain('winnow_registry_syncs_total{registry="local",status="succeeded"} 1');
  }, 120_000);
});
