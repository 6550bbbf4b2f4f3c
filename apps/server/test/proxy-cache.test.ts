import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Database, openDatabase } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import { DistributionClient } from '@winnow/registry';
import { pushImage, startRegistry, type TestRegistry } from '@winnow/registry/testing';

import { readConfig } from '../src/config';
import { buildService, type Service } from '../src/service';
import { providers, useApp } from './database';
import { until } from './support/service';

const SECRET = 'proxy-cache-events-secret-0123';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 11, 3, 12);
const iso = (ms: number) => new Date(ms).toISOString();
const REPOSITORY = { namespace: 'cache', name: 'app' };

interface Decision {
  tag: string;
  decision: string;
  stage: string;
  policy: string | null;
  rule: string | null;
  reason: string;
}
interface NamespaceJson {
  upstream?: { status: string | null; checkedAt: string | null; error: string | null };
}

describe.each(providers)('proxy-cache namespaces on %s', (provider) => {
  describe('settings', () => {
    const app = useApp(provider);
    const create = (settings: unknown) =>
      app().inject({
        method: 'POST',
        url: '/api/v1/namespaces',
        payload: { name: 'mirror', kind: 'proxy_cache', settings },
      });
    const valid = {
      upstream: { url: 'https://registry-1.docker.io', repositoryPrefix: 'library/' },
      cacheTtl: '14d',
      stalenessPeriod: '7d',
    };

    it.each([
      ['no settings', {}, '/body/settings/upstream'],
      [
        'an ftp URL',
        { ...valid, upstream: { url: 'ftp://mirror' } },
        '/body/settings/upstream/url',
      ],
      ['a bad TTL', { ...valid, cacheTtl: '14 days' }, '/body/settings/cacheTtl'],
      [
        'no staleness period',
        { ...valid, stalenessPeriod: undefined },
        '/body/settings/stalenessPeriod',
      ],
      [
        'an unknown registry',
        { ...valid, upstream: { url: 'https://mirror.example', registry: 'nope' } },
        '/body/settings/upstream/registry',
      ],
    ])('refuses %s with 400 naming the field', async (_, settings, pointer) => {
      const response = await create(settings);
      expect(response.statusCode).toBe(400);
      const body = response.json<{
        error: { code: string; message: string; issues: { pointer: string }[] };
      }>();
      expect(body.error.code).toBe('WINNOW_VALIDATION_FAILED');
      expect(body.error.message).toContain(pointer);
      expect(body.error.issues.map((issue) => issue.pointer)).toContain(pointer);
    });

    it('accepts valid settings, and a normal namespace keeps free-form settings', async () => {
      const created = await create(valid);
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        kind: 'proxy_cache',
        settings: valid,
        upstream: { status: null, checkedAt: null, error: null },
      });
      const normal = await app().inject({
        method: 'POST',
        url: '/api/v1/namespaces',
        payload: { name: 'plain', settings: { anything: 1 } },
      });
      expect(normal.statusCode).toBe(201);
      expect(normal.json()).toEqual({ name: 'plain', kind: 'normal', settings: { anything: 1 } });
    });
  });

  describe('with a real upstream registry, stopped and started again', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'winnow-upstream-'));
    const clock = { now: T0 };
    let upstream: TestRegistry;
    let port: number;
    let service: Service;
    let app: FastifyInstance;
    let database: Database;
    let drop: () => Promise<void>;
    const digests: Record<string, string> = {};
    let events = 0;

    beforeAll(async () => {
      upstream = await startRegistry({ dataDir });
      port = Number(new URL(upstream.url).port);
      const client = new DistributionClient({ url: upstream.url });
      for (const tag of ['a', 'b', 'moved']) {
        digests[tag] = (await pushImage(client, 'library/app', { tag, label: tag })).digest;
      }
      const created = await migratedDatabase(provider);
      database = openDatabase(created.url, { clock: () => new Date(clock.now) });
      service = await buildService({
        config: readConfig({
          WINNOW_AUTH: 'off',
          WINNOW_WORKER_INTERVAL: '50ms',
          WINNOW_EVENTS_SECRET: SECRET,
          WINNOW_MAX_DELETE_RATIO: 'off',
        }),
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
    }, 60_000);

    afterAll(async () => {
      await drop();
      await upstream.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({ method, url, ...(payload !== undefined && { payload }) });
    const pull = async (tag: string, at: number) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/events/distribution',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
        payload: {
          events: [
            {
              id: `pull-${++events}`,
              timestamp: iso(at),
              action: 'pull',
              target: {
                repository: 'cache/app',
                mediaType: 'application/vnd.oci.image.manifest.v1+json',
                digest: digests[tag],
                tag,
              },
              request: { method: 'GET' },
            },
          ],
        },
      });
      expect(response.json()).toMatchObject({ applied: 1 });
    };
    const checks = () => database.proxyCache.tagChecks(REPOSITORY);
    const upstreamOf = async () =>
      (await call('GET', '/api/v1/namespaces/cache')).json<NamespaceJson>().upstream;
    const metrics = async () => (await call('GET', '/metrics')).body;
    const run = async (): Promise<Map<string, Decision>> => {
      const queued = await call('POST', '/api/v1/runs', {
        scope: { level: 'namespace', namespace: 'cache' },
      });
      expect(queued.statusCode).toBe(202);
      const id = queued.json<{ id: number }>().id;
      await until(
        'the run',
        async () => (await call('GET', `/api/v1/runs/${id}`)).json<{ finishedAt: unknown }>(),
        (r) => r.finishedAt !== null,
      );
      const listed = (await call('GET', `/api/v1/runs/${id}/decisions`)).json<{
        decisions: Decision[];
      }>();
      return new Map(listed.decisions.map((d) => [d.tag, d]));
    };

    it('confirms a pulled tag the upstream still has, and marks one it moved stale', async () => {
      const created = await call('POST', '/api/v1/namespaces', {
        name: 'cache',
        kind: 'proxy_cache',
        settings: {
          upstream: { url: upstream.url, repositoryPrefix: 'library/' },
          cacheTtl: '2d',
          stalenessPeriod: '7d',
        },
      });
      expect(created.statusCode).toBe(201);
      // The cache holds the three tags; then the upstream moves `moved` to a new image.
      const imported = await call('POST', '/api/v1/inventory/import', {
        apiVersion: 'winnow/v1',
        kind: 'Inventory',
        repositories: [
          {
            ...REPOSITORY,
            tags: ['a', 'b', 'moved'].map((tag) => ({
              name: tag,
              digest: digests[tag],
              pushedAt: iso(T0 - 3 * DAY),
            })),
          },
        ],
      });
      expect(imported.statusCode).toBe(200);
      const client = new DistributionClient({ url: upstream.url });
      await pushImage(client, 'library/app', { tag: 'moved', label: 'moved again' });
      for (const tag of ['a', 'b', 'moved']) await pull(tag, T0 - HOUR);

      service.start();
      const checked = await until('the checks', checks, (c) =>
        [...c.values()].every((tag) => tag.upstreamCheckedAt !== null),
      );
      expect(checked.get('a')).toMatchObject({
        upstreamCheckedAt: new Date(T0),
        upstreamStale: false,
      });
      expect(checked.get('b')).toMatchObject({
        upstreamCheckedAt: new Date(T0),
        upstreamStale: false,
      });
      expect(checked.get('moved')).toMatchObject({ upstreamStale: true });
      expect(await upstreamOf()).toMatchObject({ status: 'up', error: null });
      expect(Date.parse((await upstreamOf())?.checkedAt ?? '')).toBeGreaterThanOrEqual(T0);
      const text = await metrics();
      expect(text).toContain('winnow_proxy_cache_upstream_up{namespace="cache"} 1');
      expect(text).toContain(
        'winnow_proxy_cache_checks_total{namespace="cache",result="confirmed"} 2',
      );
      expect(text).toContain(
        'winnow_proxy_cache_checks_total{namespace="cache",result="changed"} 1',
      );

      // A later pull is checked again: the confirmation moves with it.
      clock.now = T0 + 5 * DAY;
      await pull('a', clock.now - HOUR);
      await until(
        'the second check',
        checks,
        (c) => c.get('a')?.upstreamCheckedAt?.getTime() === T0 + 5 * DAY,
      );
      expect((await checks()).get('b')?.upstreamCheckedAt).toEqual(new Date(T0));
    }, 60_000);

    it('while the upstream is down, keeps tags checked within the staleness period', async () => {
      await upstream.stop();
      const down = await until('the upstream down', upstreamOf, (u) => u?.status === 'down');
      expect(down?.error).toMatch(/.+/);
      expect(await metrics()).toContain('winnow_proxy_cache_upstream_up{namespace="cache"} 0');

      // Past the TTL (2d) for every tag: `a` was checked 5 days ago (within 7d), `b` 10 days ago.
      clock.now = T0 + 10 * DAY;
      const decisions = await run();
      expect(decisions.get('a')).toMatchObject({
        decision: 'keep',
        stage: 'guard',
        rule: 'upstream-staleness',
        policy: 'proxy-cache',
        // Not `blocked`: that outcome is the blast-radius guard's.
        outcome: 'kept',
      });
      expect(decisions.get('a')?.reason).toMatch(
        /unreachable.*within the staleness period 7d.*cache-ttl/,
      );
      expect(decisions.get('b')).toMatchObject({ decision: 'delete', rule: 'cache-ttl' });
      expect(decisions.get('moved')).toMatchObject({ decision: 'delete', rule: 'cache-ttl' });
    }, 60_000);

    it('once the upstream is back, decides as usual', async () => {
      upstream = await startRegistry({ port, dataDir });
      await until('the upstream up', upstreamOf, (u) => u?.status === 'up');
      expect(await metrics()).toContain('winnow_proxy_cache_upstream_up{namespace="cache"} 1');
      const decisions = await run();
      expect(decisions.get('a')).toMatchObject({
        decision: 'delete',
        stage: 'rule',
        policy: 'proxy-cache',
        rule: 'cache-ttl',
      });
    }, 60_000);
  });
});
