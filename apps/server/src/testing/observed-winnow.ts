/**
 * Test support: a whole Winnow (API and worker) listening on loopback, with a real registry, doing
 * real work in rounds so that every metric the dashboard (deploy/grafana/winnow.json) and the
 * alert rules read has data: runs, decisions, tags expired, restored and purged, registry deletions
 * (space reclaimed), a blast-radius guard block, registry errors (a registry that does not answer),
 * proxy-cache upstream checks, run-result webhooks delivered. Used by apps/server/test/dashboard.test.ts and bench/ (the
 * dashboard's rendering).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type Database, openDatabase } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import { DistributionClient } from '@winnow/registry';
import { freePort, pushImage, startRegistry, type TestRegistry } from '@winnow/registry/testing';

import { readConfig } from '../config';
import { buildService, type Service } from '../service';

const EVENTS_SECRET = 'observed-winnow-events-secret';
const TERMINAL = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

/** Keeps the two newest `build-*` tags of each repository and deletes the other `build-*` ones. */
export const OBSERVED_POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    {
      name: 'keep-two-newest-builds',
      select: { tags: { glob: 'build-*' } },
      match: { newest: 2 },
      then: 'keep',
      else: 'delete',
    },
  ],
};

export interface ObservedWinnow {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, for a scrape target. */
  readonly target: string;
  readonly service: Service;
  /** One round of work (1, 2, ...); returns the run's id. Round 1 sets the scene up. */
  round(n: number): Promise<number>;
  stop(): Promise<void>;
}

const day = (n: number): string => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();

async function poll<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a registry and Winnow on a fresh SQLite database (worker every 200 ms, blast-radius
 * guard at 0.7), listening on a free loopback port. Nothing is done until `round(1)`.
 */
export async function startObservedWinnow(): Promise<ObservedWinnow> {
  const registry: TestRegistry = await startRegistry();
  const client = new DistributionClient({ url: registry.url, concurrency: 8 });
  const created = await migratedDatabase('sqlite');
  const database: Database = openDatabase(created.url);
  const service = await buildService({
    config: readConfig({
      WINNOW_AUTH: 'off',
      WINNOW_WORKER_INTERVAL: '200ms',
      WINNOW_LEASE_DURATION: '3s',
      WINNOW_MAX_DELETE_RATIO: '0.7',
      WINNOW_EVENTS_SECRET: EVENTS_SECRET,
      // Encrypts the webhook's secret at rest (a test key).
      WINNOW_SECRET_KEY: randomBytes(32).toString('hex'),
    }),
    database,
    logger: false,
  });
  const port = await freePort();
  await service.app.listen({ host: '127.0.0.1', port });
  service.start();
  const url = `http://127.0.0.1:${port}`;
  const deadPort = await freePort();
  // A webhook receiver for the run notifications: accepts every delivery.
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const receiverAddress = receiver.address();
  if (receiverAddress === null || typeof receiverAddress === 'string') throw new Error('no port');

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(path.startsWith('/api/v1/events/') && { authorization: `Bearer ${EVENTS_SECRET}` }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text === '' ? {} : JSON.parse(text)) as T;
  };

  const sync = async (name: string): Promise<string> => {
    const { id } = await call<{ id: number }>('POST', `/api/v1/registries/${name}/syncs`);
    const done = await poll(
      `the sync of ${name}`,
      () => call<{ status: string }>('GET', `/api/v1/registries/${name}/syncs/${id}`),
      (s) => TERMINAL.has(s.status),
    );
    return done.status;
  };

  let cacheDigest = '';
  const setUp = async (): Promise<void> => {
    // acme: in the registry (deleted at once); acme/big has too much to delete: the guard blocks.
    for (let image = 0; image < 10; image += 1) {
      await pushImage(client, 'acme/big', {
        tag: `build-big-${image}`,
        label: `big ${image}`,
        created: day(image),
      });
    }
    // The proxy cache's upstream is the same registry, under library/.
    cacheDigest = (await pushImage(client, 'library/app', { tag: 'a', label: 'upstream a' }))
      .digest;
    await call('POST', '/api/v1/namespaces', { name: 'acme' });
    await call('POST', '/api/v1/namespaces', { name: 'local' });
    await call('POST', '/api/v1/namespaces', { name: 'ghost' });
    await call('POST', '/api/v1/namespaces', {
      name: 'cache',
      kind: 'proxy_cache',
      settings: {
        upstream: { url: registry.url, repositoryPrefix: 'library/' },
        cacheTtl: '30d',
        stalenessPeriod: '60d',
      },
    });
    await call('POST', '/api/v1/registries', {
      name: 'main',
      url: registry.url,
      namespaces: ['acme'],
      deleteImmediately: true,
    });
    // A registry nobody listens for: its syncs and deletions fail (registry errors).
    await call('POST', '/api/v1/registries', {
      name: 'broken',
      url: `http://127.0.0.1:${deadPort}`,
      namespaces: ['ghost'],
      deleteImmediately: true,
    });
    await call('POST', '/api/v1/notifications', {
      name: 'ops',
      url: `http://127.0.0.1:${receiverAddress.port}/winnow`,
      secret: 'observed-winnow-webhook-secret',
    });
    const tags = (prefix: string) =>
      Array.from({ length: 5 }, (_, k) => ({
        name: `build-${k}`,
        digest: `sha256:${prefix}${String(k).repeat(64 - prefix.length)}`,
        pushedAt: day(k),
      }));
    await call('POST', '/api/v1/inventory/import', {
      apiVersion: 'winnow/v1',
      kind: 'Inventory',
      repositories: [
        // local: in no registry; its expired tags stay restorable.
        { namespace: 'local', name: 'web', tags: tags('a') },
        { namespace: 'ghost', name: 'old', tags: tags('b') },
        {
          namespace: 'cache',
          name: 'app',
          tags: [{ name: 'a', digest: cacheDigest, pushedAt: new Date().toISOString() }],
        },
      ],
    });
  };

  const round = async (n: number): Promise<number> => {
    if (n === 1) await setUp();
    for (let k = 0; k < 3; k += 1) {
      await pushImage(client, 'acme/app', {
        tag: `build-${n}-${k}`,
        label: `app ${n} ${k}`,
        created: day(10 * n + k),
      });
    }
    await sync('main');
    await sync('broken');
    // A pull through the cache: the worker checks the tag upstream.
    await call('POST', '/api/v1/events/distribution', {
      events: [
        {
          id: `observed-pull-${n}`,
          timestamp: new Date().toISOString(),
          action: 'pull',
          target: {
            repository: 'cache/app',
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: cacheDigest,
            tag: 'a',
          },
          request: { method: 'GET' },
        },
      ],
    });
    await call('PUT', '/api/v1/policies/server', OBSERVED_POLICY);
    const { id } = await call<{ id: number }>('POST', '/api/v1/runs', {
      scope: { level: 'server' },
    });
    await poll(
      `run ${id}`,
      () => call<{ status: string }>('GET', `/api/v1/runs/${id}`),
      (r) => TERMINAL.has(r.status),
    );
    // acme's expired tags are deleted in the registry; ghost's (expired by the first run only)
    // fail, then wait for the registry with backoff.
    await poll(
      `the deletions of run ${id}`,
      async () =>
        (
          await call<{ deletions: { outcome: string }[] }>(
            'GET',
            `/api/v1/runs/${id}/registry-deletions?limit=1000`,
          )
        ).deletions.map((d) => d.outcome),
      (outcomes) => outcomes.includes('deleted') && (n > 1 || outcomes.includes('failed')),
    );
    const expired = await call<{ tags: { name: string }[] }>(
      'GET',
      '/api/v1/namespaces/local/repositories/web/tags?expired=true',
    );
    const restore = expired.tags[0];
    if (restore === undefined) throw new Error('no expired tag in local/web to restore');
    await call('POST', `/api/v1/namespaces/local/repositories/web/tags/${restore.name}/restore`);
    const sample = async (pattern: RegExp): Promise<number> =>
      Number(pattern.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);
    await poll(
      'the upstream check',
      () => sample(/winnow_proxy_cache_checks_total\{namespace="cache",result="confirmed"\} (\d+)/),
      (checks) => checks >= n,
    );
    // The run's result reaches the webhook receiver.
    await poll(
      "the run's webhook",
      () => sample(/winnow_notifications_total\{format="generic",outcome="delivered"\} (\d+)/),
      (delivered) => delivered >= n,
    );
    return id;
  };

  return {
    url,
    target: `127.0.0.1:${port}`,
    service,
    round,
    stop: async () => {
      await service.stop();
      await database.close();
      await created.drop();
      await registry.stop();
      receiver.close();
    },
  };
}
