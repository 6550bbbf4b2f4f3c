import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { providers, testDatabase } from './database';

const SECRET = 'events-secret-0123456789';
const URL = '/api/v1/events/distribution';
const CONTENT_TYPE = 'application/vnd.docker.distribution.events.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 19, minute)).toISOString();

let ids = 0;
/** An event as distribution 2.8 sends it (captured from a real registry), for acme/web. */
function event(
  action: 'push' | 'pull' | 'delete' | 'mount',
  target: Record<string, unknown>,
  minute: number,
  method = action === 'push' ? 'PUT' : action === 'delete' ? 'DELETE' : 'GET',
) {
  return {
    id: `event-${++ids}`,
    timestamp: at(minute),
    action,
    target: { repository: 'acme/web', ...target },
    request: { id: 'r1', addr: '127.0.0.1:1', host: 'registry', method, useragent: 'test' },
    actor: {},
    source: { addr: 'registry:5000', instanceID: 'i1' },
  };
}
const manifest = (n: number, tag?: string) => ({
  mediaType: OCI_MANIFEST,
  size: 400 + n,
  length: 400 + n,
  digest: digest(n),
  url: `http://registry/v2/acme/web/manifests/${digest(n)}`,
  ...(tag !== undefined && { tag }),
});
const blob = (n: number) => ({
  mediaType: 'application/octet-stream',
  size: 5,
  length: 5,
  digest: digest(n),
  url: `http://registry/v2/acme/web/blobs/${digest(n)}`,
});

function send(
  app: FastifyInstance,
  events: unknown[],
  headers: Record<string, string> = { authorization: `Bearer ${SECRET}` },
) {
  return app.inject({
    method: 'POST',
    url: URL,
    headers: { 'content-type': CONTENT_TYPE, ...headers },
    payload: JSON.stringify({ events }),
  });
}

interface Snapshot {
  tags: { name: string; digest: string; pushedAt?: string; lastPulledAt?: string }[];
  manifests?: { digest: string; sizeBytes?: number; pushedAt?: string }[];
}

async function tags(app: FastifyInstance, repository = 'web') {
  const response = await app.inject({
    method: 'GET',
    url: `/api/v1/namespaces/acme/repositories/${repository}`,
  });
  if (response.statusCode === 404) return null;
  return response.json<Snapshot>();
}

describe.each(providers)('registry events (POST %s)', (provider) => {
  let app: FastifyInstance;
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ database, drop } = await testDatabase(provider));
    const config = readConfig({ WINNOW_AUTH: 'off', WINNOW_EVENTS_SECRET: SECRET });
    app = await buildApp({ config, database, logger: false });
    await database.namespaces.create({ name: 'acme', kind: 'normal', settings: {} });
  });
  afterAll(async () => {
    await app.close();
    await drop();
  });

  it('answers 401 without the secret, and applies nothing', async () => {
    const push = [event('push', manifest(1, 'denied'), 1)];
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${SECRET}x` },
      { authorization: SECRET },
      { authorization: `Basic ${SECRET}` },
    ]) {
      const response = await send(app, push, headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toMatchObject({ error: { code: 'WINNOW_UNAUTHORIZED' } });
      expect(response.body).not.toContain(SECRET);
    }
    expect(await tags(app)).toBeNull();
  });

  it('push: the tag and its manifest appear; blobs are ignored; a by-digest push adds a manifest', async () => {
    const response = await send(app, [
      event('push', blob(7), 1),
      event('push', manifest(1, 'v1'), 2),
      event('push', manifest(2), 3),
      event('mount', blob(8), 3, 'POST'),
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ accepted: 4, applied: 2, duplicates: 0, ignored: 2 });
    expect(await tags(app)).toMatchObject({
      tags: [{ name: 'v1', digest: digest(1), pushedAt: at(2) }],
      manifests: [
        { digest: digest(1), mediaType: OCI_MANIFEST, sizeBytes: 401, pushedAt: at(2) },
        { digest: digest(2), sizeBytes: 402, pushedAt: at(3) },
      ],
    });
    // Moved to another digest: pushed again; plain JSON is accepted too.
    const moved = await app.inject({
      method: 'POST',
      url: URL,
      headers: { authorization: `Bearer ${SECRET}` },
      payload: { events: [event('push', manifest(2, 'v1'), 4)] },
    });
    expect(moved.json()).toMatchObject({ applied: 1 });
    expect((await tags(app))?.tags).toMatchObject([
      { name: 'v1', digest: digest(2), pushedAt: at(4) },
    ]);
  });

  it('pull: by tag, then by digest on every tag of the digest; HEAD counts, blobs do not', async () => {
    await send(app, [event('push', manifest(3, 'a'), 1), event('push', manifest(3, 'b'), 1)]);
    await send(app, [event('push', manifest(4, 'c'), 1)]);
    const pulled = async () =>
      Object.fromEntries(
        ((await tags(app))?.tags ?? [])
          .filter((t) => ['a', 'b', 'c'].includes(t.name))
          .map((t) => [t.name, t.lastPulledAt ?? null]),
      );
    expect(
      (
        await send(app, [
          event('pull', manifest(3, 'a'), 20, 'HEAD'),
          event('pull', manifest(3, 'a'), 10),
        ])
      ).json(),
    ).toMatchObject({ applied: 2 });
    expect(await pulled()).toEqual({ a: at(20), b: null, c: null });
    await send(app, [event('pull', manifest(3), 15), event('pull', blob(4), 30)]);
    expect(await pulled()).toEqual({ a: at(20), b: at(15), c: null });
  });

  it('delete by digest: its tags and manifest leave the inventory, with an audit entry', async () => {
    await send(app, [event('push', manifest(5, 'x'), 1), event('push', manifest(5, 'y'), 1)]);
    const deleted = await send(app, [
      event('delete', { digest: digest(5) }, 2),
      // distribution then reports each tag that went with it
      event('delete', { tag: 'x' }, 2),
      event('delete', { tag: 'y' }, 2),
    ]);
    expect(deleted.json()).toEqual({ accepted: 3, applied: 1, duplicates: 0, ignored: 2 });
    const after = await tags(app);
    expect(after?.tags.map((t) => t.name)).toEqual(expect.not.arrayContaining(['x', 'y']));
    expect(after?.manifests?.map((m) => m.digest)).not.toContain(digest(5));
    const audit = await database.audit.list({ target: `manifest:acme/web@${digest(5)}` });
    expect(audit).toMatchObject([
      {
        actor: 'registry',
        action: 'manifest.delete',
        details: { tags: ['x', 'y'], manifest: true },
      },
    ]);
  });

  it('is idempotent by event id: the same envelope again applies nothing', async () => {
    const envelope = [event('push', manifest(6, 'once'), 1), event('pull', manifest(6, 'once'), 2)];
    expect((await send(app, envelope)).json()).toEqual({
      accepted: 2,
      applied: 2,
      duplicates: 0,
      ignored: 0,
    });
    // Moved in between: a second application of the first push would move it back.
    await send(app, [event('push', manifest(7, 'once'), 3)]);
    expect((await send(app, envelope)).json()).toEqual({
      accepted: 2,
      applied: 0,
      duplicates: 2,
      ignored: 0,
    });
    expect((await tags(app))?.tags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'once', digest: digest(7), pushedAt: at(3) }),
      ]),
    );
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /^winnow_registry_events_total\{action="push",outcome="duplicate"\} 1$/m,
    );
    expect(metrics).toMatch(
      /^winnow_registry_events_total\{action="pull",outcome="duplicate"\} 1$/m,
    );
  });

  it('applies an envelope delivered twice at once (a retry after a timeout) once', async () => {
    const envelope = Array.from({ length: 20 }, (_, i) =>
      event('push', manifest(i % 9, `concurrent-${i}`), 1),
    );
    const responses = await Promise.all([send(app, envelope), send(app, envelope)]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200]);
    const bodies = responses.map((r) => r.json<{ applied: number; duplicates: number }>());
    expect(bodies.map((b) => b.applied).sort()).toEqual([0, 20]);
    expect(bodies.map((b) => b.duplicates).sort()).toEqual([0, 20]);
  });

  it('rejects a malformed envelope with 400 naming the field, and applies none of it', async () => {
    const valid = event('push', manifest(8, 'valid'), 1);
    const response = await send(app, [
      valid,
      { ...event('push', manifest(9, 'bad'), 1), timestamp: 'yesterday' },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: {
        code: 'WINNOW_VALIDATION_FAILED',
        issues: [{ pointer: '/body/events/1/timestamp' }],
      },
    });
    const noDigest = await send(app, [
      valid,
      event('pull', { ...manifest(9), digest: 'sha256:short' }, 1),
    ]);
    expect(noDigest.json()).toMatchObject({
      error: { issues: [{ pointer: '/body/events/1/target/digest' }] },
    });
    const notJson = await app.inject({
      method: 'POST',
      url: URL,
      headers: { 'content-type': CONTENT_TYPE, authorization: `Bearer ${SECRET}` },
      payload: '{"events": [',
    });
    expect(notJson.statusCode).toBe(400);
    expect((await tags(app))?.tags.map((t) => t.name)).not.toContain('valid');
    // The valid event was not recorded either: sent alone, it applies.
    expect((await send(app, [valid])).json()).toMatchObject({ applied: 1 });
  });

  it('acknowledges and ignores events of namespaces Winnow does not know', async () => {
    const response = await send(app, [
      {
        ...event('push', manifest(1, 'v1'), 1),
        target: { ...manifest(1, 'v1'), repository: 'other/web' },
      },
      {
        ...event('push', manifest(1, 'v1'), 1),
        target: { ...manifest(1, 'v1'), repository: 'toplevel' },
      },
    ]);
    expect(response.json()).toEqual({ accepted: 2, applied: 0, duplicates: 0, ignored: 2 });
    expect(await database.namespaces.get('other')).toBeNull();
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /^winnow_registry_events_total\{action="push",outcome="ignored"\} [1-9]/m,
    );
  });
});

describe('the events secret in the log', () => {
  it('is never written, whether it is right or wrong', async () => {
    const { database, drop } = await testDatabase('sqlite');
    const log: string[] = [];
    const app = await buildApp({
      config: readConfig({
        WINNOW_AUTH: 'off',
        WINNOW_EVENTS_SECRET: SECRET,
        WINNOW_LOG_LEVEL: 'trace',
      }),
      database,
      logStream: { write: (line) => void log.push(line) },
    });
    try {
      for (const authorization of [`Bearer ${SECRET}`, `Bearer ${SECRET}-wrong`]) {
        await send(app, [event('push', manifest(1, 'v1'), 1)], { authorization });
      }
      expect(log.join('')).toContain('/api/v1/events/distribution');
      expect(log.join('')).not.toContain(SECRET);
    } finally {
      await app.close();
      await drop();
    }
  });
});

describe('registry events without WINNOW_EVENTS_SECRET', () => {
  it('answer 503 and say how to configure them', async () => {
    const { database, drop } = await testDatabase('sqlite');
    const app = await buildApp({
      config: readConfig({ WINNOW_AUTH: 'off' }),
      database,
      logger: false,
    });
    try {
      const response = await send(app, [event('push', manifest(1, 'v1'), 1)]);
      expect(response.statusCode).toBe(503);
      const { error } = response.json<{ error: { code: string; message: string } }>();
      expect(error.code).toBe('WINNOW_UNAVAILABLE');
      expect(error.message).toContain('WINNOW_EVENTS_SECRET');
    } finally {
      await app.close();
      await drop();
    }
  });
});
