import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { DistributionClient, MediaType } from '@winnow/registry';
import { pushImage, startRegistry, type TestRegistry } from '@winnow/registry/testing';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { providers, testDatabase } from './database';

const SECRET = 'registry-to-winnow-0123456789';
const TAGS = '/api/v1/namespaces/acme/repositories/web/tags';

interface Tag {
  name: string;
  digest: string;
  pushedAt?: string;
  lastPulledAt?: string;
}

/** Notifications lag: polls `read` until `done` holds, up to 10 s. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(providers)('a real registry notifying Winnow (%s)', (provider) => {
  let app: FastifyInstance;
  let registry: TestRegistry;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await testDatabase(provider);
    drop = created.drop;
    await created.database.namespaces.create({ name: 'acme', kind: 'normal', settings: {} });
    const config = readConfig({ WINNOW_AUTH: 'off', WINNOW_EVENTS_SECRET: SECRET });
    app = await buildApp({ config, database: created.database, logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    registry = await startRegistry({
      notifications: {
        url: `http://127.0.0.1:${port}/api/v1/events/distribution`,
        headers: { Authorization: `Bearer ${SECRET}` },
      },
    });
  });
  afterAll(async () => {
    await registry.stop();
    await app.close();
    await drop();
  });

  const tags = async (): Promise<Tag[]> => {
    const response = await app.inject({ method: 'GET', url: TAGS });
    return response.statusCode === 404 ? [] : response.json<{ tags: Tag[] }>().tags;
  };

  it('push, HEAD and GET, delete by digest: the inventory follows', async () => {
    const client = new DistributionClient({ url: registry.url });
    const { manifest, digest } = await pushImage(client, 'acme/web', { tag: 'v1', label: 'v1' });
    await client.putManifest('acme/web', 'latest', MediaType.ociManifest, manifest);
    const pushed = await eventually(tags, (t) => t.length === 2);
    expect(pushed).toMatchObject([
      { name: 'latest', digest },
      { name: 'v1', digest },
    ]);
    expect(pushed.every((t) => t.pushedAt !== undefined && t.lastPulledAt === undefined)).toBe(
      true,
    );

    // HEAD by tag: that tag only.
    expect(await client.headManifest('acme/web', 'v1')).toMatchObject({ digest });
    const headed = await eventually(tags, (t) => t.some((tag) => tag.lastPulledAt !== undefined));
    const v1 = headed.find((t) => t.name === 'v1')?.lastPulledAt;
    expect(v1).toBeDefined();
    expect(headed.find((t) => t.name === 'latest')?.lastPulledAt).toBeUndefined();

    // GET by digest: every tag of the digest, later than the HEAD.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await client.getManifest('acme/web', digest)).toMatchObject({ digest });
    const got = await eventually(tags, (t) =>
      t.every((tag) => tag.lastPulledAt !== undefined && tag.lastPulledAt > (v1 ?? '')),
    );
    expect(got.map((t) => t.name)).toEqual(['latest', 'v1']);

    expect(await client.deleteManifest('acme/web', digest)).toBe(true);
    await eventually(tags, (t) => t.length === 0);
    const repository = await app.inject({
      method: 'GET',
      url: '/api/v1/namespaces/acme/repositories/web',
    });
    expect(repository.json<{ manifests?: unknown[] }>().manifests ?? []).toEqual([]);

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    // The image's two blob uploads, at least: acknowledged, ignored.
    expect(metrics).toMatch(
      /^winnow_registry_events_total\{action="push",outcome="ignored"\} [2-9]/m,
    );
    expect(metrics).toMatch(
      /^winnow_registry_events_total\{action="delete",outcome="applied"\} 1$/m,
    );
  });
});
