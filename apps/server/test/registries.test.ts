import { createServer } from 'node:http';
import { once } from 'node:events';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Database } from '@winnow/db';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { decryptSecret } from '../src/registries/secrets';
import { freePort, startRegistry, type TestRegistry } from '@winnow/registry/testing';
import { providers, testDatabase } from './database';

const NOW = new Date('2026-11-01T00:00:00Z');
const KEY = Buffer.from('8f2c1e4b7a9d3f605b1c2e3d4a5f6e7d8c9b0a1f2e3d4c5b6a7988796a5b4c3d', 'hex');
/** A secret no log line, response or audit entry may contain. */
const SECRET = 'Sup3r-s3cret-t0ken-4f9e';

interface ErrorBody {
  error: { code: string; message: string; issues?: { pointer: string; message: string }[] };
}
const errorOf = (response: LightMyRequestResponse) => ({
  status: response.statusCode,
  ...response.json<ErrorBody>().error,
});

const hub = {
  name: 'hub',
  url: 'https://registry.example/mirror/',
  auth: { kind: 'basic', username: 'robot', secret: SECRET },
  namespaces: ['acme', 'beta'],
  tls: { caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
  concurrency: 4,
  requestsPerSecond: 50,
  timeoutMs: 5000,
  deleteImmediately: true,
  sync: { cron: '0 3 * * *', timezone: 'Europe/Paris' },
};

const hubJson = {
  name: 'hub',
  kind: 'distribution',
  url: 'https://registry.example/mirror',
  auth: { kind: 'basic', username: 'robot', hasSecret: true },
  namespaces: ['acme', 'beta'],
  tls: hub.tls,
  concurrency: 4,
  requestsPerSecond: 50,
  timeoutMs: 5000,
  deleteImmediately: true,
  // 03:00 in Paris on 1 November (UTC+1) is 02:00 UTC.
  sync: { cron: '0 3 * * *', timezone: 'Europe/Paris', nextSyncAt: '2026-11-01T02:00:00.000Z' },
  createdAt: expect.any(String) as unknown,
  updatedAt: expect.any(String) as unknown,
};

describe.each(providers)('registry routes on %s', (provider) => {
  let app: FastifyInstance;
  let database: Database;
  let drop: () => Promise<void>;
  /** Every log line of `app`, at level trace. */
  let log: string[];
  /** Every response body of `call`. */
  let bodies: string[];
  const apps: FastifyInstance[] = [];

  /** Another app on the same database, with its own environment. */
  const appWith = async (env: Record<string, string>) => {
    const other = await buildApp({
      config: readConfig({ WINNOW_AUTH: 'off', ...env }),
      database,
      logger: false,
    });
    apps.push(other);
    return other;
  };

  beforeEach(async () => {
    const created = await testDatabase(provider);
    database = created.database;
    log = [];
    bodies = [];
    app = await buildApp({
      config: readConfig({
        WINNOW_AUTH: 'off',
        WINNOW_SECRET_KEY: KEY.toString('hex'),
        WINNOW_LOG_LEVEL: 'trace',
      }),
      database,
      logStream: { write: (line) => void log.push(line) },
      clock: () => NOW,
    });
    await app.ready();
    drop = async () => {
      for (const other of apps.splice(0)) await other.close();
      await app.close();
      await created.drop();
    };
    for (const name of ['acme', 'beta', 'gamma']) {
      await app.inject({ method: 'POST', url: '/api/v1/namespaces', payload: { name } });
    }
  });
  afterEach(() => drop());

  const call = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    on: FastifyInstance = app,
  ) => {
    const response = await on.inject({ method, url, ...(payload !== undefined && { payload }) });
    bodies.push(response.body);
    return response;
  };

  it('creates, reads, lists, changes and deletes a registry', async () => {
    const created = await call('POST', '/api/v1/registries', hub);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual(hubJson);
    expect((await call('GET', '/api/v1/registries/hub')).json()).toEqual(created.json());
    await call('POST', '/api/v1/registries', { name: 'aaa', url: 'http://10.0.0.1:5000' });
    expect((await call('GET', '/api/v1/registries')).json()).toEqual({
      registries: [
        {
          name: 'aaa',
          kind: 'distribution',
          url: 'http://10.0.0.1:5000',
          auth: { kind: 'anonymous', hasSecret: false },
          namespaces: [],
          tls: {},
          concurrency: 8,
          requestsPerSecond: null,
          timeoutMs: 30_000,
          deleteImmediately: false,
          sync: null,
          createdAt: expect.any(String) as unknown,
          updatedAt: expect.any(String) as unknown,
        },
        hubJson,
      ],
    });

    // A partial change keeps the rest, the secret too.
    const changed = await call('PATCH', '/api/v1/registries/hub', {
      timeoutMs: 1000,
      requestsPerSecond: null,
      namespaces: ['gamma'],
      auth: { kind: 'token', username: 'bot' },
      sync: { cron: '@daily' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual({
      ...hubJson,
      timeoutMs: 1000,
      requestsPerSecond: null,
      namespaces: ['gamma'],
      auth: { kind: 'token', username: 'bot', hasSecret: true },
      sync: { cron: '@daily', timezone: 'UTC', nextSyncAt: '2026-11-02T00:00:00.000Z' },
    });
    const cleared = await call('PATCH', '/api/v1/registries/hub', {
      auth: { kind: 'token', username: 'bot', secret: null },
      sync: null,
    });
    expect(cleared.json()).toMatchObject({
      auth: { kind: 'token', username: 'bot', hasSecret: false },
      sync: null,
    });
    expect((await database.registries.get('hub'))?.secret).toBeNull();
    const anonymous = await call('PATCH', '/api/v1/registries/hub', {
      auth: { kind: 'anonymous' },
    });
    expect(anonymous.json()).toMatchObject({ auth: { kind: 'anonymous', hasSecret: false } });

    expect((await call('DELETE', '/api/v1/registries/hub')).statusCode).toBe(204);
    const missing = { status: 404, code: 'WINNOW_NOT_FOUND', message: 'no registry "hub"' };
    expect(errorOf(await call('GET', '/api/v1/registries/hub'))).toMatchObject(missing);
    expect(errorOf(await call('POST', '/api/v1/registries/hub/check'))).toMatchObject(missing);
    // Changes are refused by the store, in its words (as for namespaces).
    const gone = { status: 404, code: 'WINNOW_NOT_FOUND', message: 'registry hub: not found' };
    expect(errorOf(await call('DELETE', '/api/v1/registries/hub'))).toMatchObject(gone);
    expect(
      errorOf(await call('PATCH', '/api/v1/registries/hub', { timeoutMs: 2000 })),
    ).toMatchObject(gone);
  });

  it('keeps the secret when a change omits it, replaces it when one is given', async () => {
    await call('POST', '/api/v1/registries', hub);
    const stored = (await database.registries.get('hub'))?.secret;
    await call('PATCH', '/api/v1/registries/hub', { concurrency: 2 });
    expect((await database.registries.get('hub'))?.secret).toBe(stored);
    await call('PATCH', '/api/v1/registries/hub', {
      auth: { kind: 'basic', username: 'robot', secret: 'another one' },
    });
    const replaced = (await database.registries.get('hub'))?.secret ?? '';
    expect(replaced).not.toBe(stored);
    expect(decryptSecret(replaced, KEY)).toBe('another one');
  });

  it('refuses a taken name and a namespace another registry serves, with 409', async () => {
    await call('POST', '/api/v1/registries', hub);
    expect(errorOf(await call('POST', '/api/v1/registries', hub))).toMatchObject({
      status: 409,
      code: 'WINNOW_CONFLICT',
      message: 'registry hub: already exists',
    });
    const ghcr = { name: 'ghcr', url: 'https://ghcr.example', namespaces: ['gamma', 'beta'] };
    expect(errorOf(await call('POST', '/api/v1/registries', ghcr))).toMatchObject({
      status: 409,
      code: 'WINNOW_CONFLICT',
      message: 'namespace beta: already served by registry hub',
    });
    await call('POST', '/api/v1/registries', { ...ghcr, namespaces: ['gamma'] });
    expect(
      errorOf(await call('PATCH', '/api/v1/registries/ghcr', { namespaces: ['acme', 'gamma'] })),
    ).toMatchObject({
      status: 409,
      code: 'WINNOW_CONFLICT',
      message: 'namespace acme: already served by registry hub',
    });
    expect((await call('GET', '/api/v1/registries/ghcr')).json()).toMatchObject({
      namespaces: ['gamma'],
    });
  });

  /** Refused when creating; a change may omit the secret (it keeps the stored one). */
  const noSecret = { auth: { kind: 'basic', username: 'robot' } };
  it.each([
    [{ name: 'Hub' }, '/body/name', /^expected a registry name/],
    [{ url: 'ftp://registry.example' }, '/body/url', /^expected an http or https URL/],
    [{ url: 'registry.example' }, '/body/url', /^expected an http or https URL/],
    [{ url: 'https://bob:hunter2@registry.example' }, '/body/url', /without user information/],
    [{ url: 'https://registry.example/?x=1' }, '/body/url', /without query or fragment$/],
    [{ url: 'https://registry.example/#top' }, '/body/url', /without a fragment$/],
    [{ url: 'https://registry.example/v2/' }, '/body/url', /without \/v2\//],
    [noSecret, '/body/auth', /"secret"/],
    [{ auth: { kind: 'anonymous', secret: 'x' } }, '/body/auth', /"kind": "anonymous"/],
    [{ auth: { kind: 'ldap', username: 'u', secret: 'x' } }, '/body/auth', /"kind"/],
    [{ namespaces: ['Acme'] }, '/body/namespaces/0', /^expected a namespace name/],
    [{ namespaces: ['acme', 'acme'] }, '/body/namespaces', /no duplicates/],
    [{ namespaces: ['acme', 'ghost'] }, '/body/namespaces/1', /existing namespace, got "ghost"/],
    [{ tls: { caCertificate: 'not a PEM' } }, '/body/tls/caCertificate', /a PEM certificate/],
    [{ tls: { verify: false } }, '/body/tls/verify', /./],
    [{ concurrency: 0 }, '/body/concurrency', /≥ 1$/],
    [{ concurrency: 65 }, '/body/concurrency', /≤ 64$/],
    [{ requestsPerSecond: 0 }, '/body/requestsPerSecond', /≥ 1$/],
    [{ requestsPerSecond: 10_001 }, '/body/requestsPerSecond', /≤ 10000$/],
    [{ timeoutMs: 999 }, '/body/timeoutMs', /≥ 1000$/],
    [{ timeoutMs: 300_001 }, '/body/timeoutMs', /≤ 300000$/],
    [{ deleteImmediately: 'yes' }, '/body/deleteImmediately', /boolean/],
    [{ sync: { cron: 'every day' } }, '/body/sync/cron', /^expected a cron expression/],
    [{ sync: { cron: '@daily', timezone: 'Mars/Olympus' } }, '/body/sync/timezone', /IANA/],
    [{ password: SECRET }, '/body/password', /./],
  ])('refuses %j with 400 naming the field, storing nothing', async (change, pointer, message) => {
    const body = { ...hub, ...change };
    const error = errorOf(await call('POST', '/api/v1/registries', body));
    expect(error).toMatchObject({ status: 400, code: 'WINNOW_VALIDATION_FAILED' });
    expect(error.issues).toContainEqual({
      pointer,
      message: expect.stringMatching(message) as unknown,
    });
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect((await call('GET', '/api/v1/registries')).json()).toEqual({ registries: [] });
    // The same through a change (name and password are refused there too, as unknown fields).
    if (change !== noSecret) {
      await call('POST', '/api/v1/registries', { name: 'hub', url: 'https://registry.example' });
      const refused = errorOf(await call('PATCH', '/api/v1/registries/hub', change));
      expect(refused).toMatchObject({ status: 400, code: 'WINNOW_VALIDATION_FAILED' });
      expect(refused.issues?.map((i) => i.pointer)).toContain(pointer);
    }
  });

  it('refuses an empty change and a rename', async () => {
    await call('POST', '/api/v1/registries', { name: 'hub', url: 'https://registry.example' });
    expect(errorOf(await call('PATCH', '/api/v1/registries/hub', {}))).toMatchObject({
      status: 400,
      issues: [{ pointer: '/body', message: expect.stringContaining('at least 1') as unknown }],
    });
    expect(errorOf(await call('PATCH', '/api/v1/registries/hub', { name: 'x' }))).toMatchObject({
      status: 400,
      issues: [{ pointer: '/body/name', message: expect.any(String) as unknown }],
    });
  });

  it('stores the secret encrypted and never shows it: responses, audit log, server log', async () => {
    const server = await basicAuthRegistry('robot', SECRET);
    await call('POST', '/api/v1/registries', { ...hub, url: server.url });
    await call('PATCH', '/api/v1/registries/hub', {
      auth: { kind: 'token', username: 'robot', secret: SECRET },
    });
    await call('POST', '/api/v1/registries', { ...hub, name: 'hub' }); // 409
    await call('POST', '/api/v1/registries', { ...hub, name: 'Bad' }); // 400
    await call('GET', '/api/v1/registries');
    await call('GET', '/api/v1/registries/hub');
    const check = await call('POST', '/api/v1/registries/hub/check');
    await server.close();
    expect(check.json()).toEqual({ ok: true });
    await call('GET', '/openapi.json');

    const stored = (await database.registries.get('hub'))?.secret ?? '';
    expect(stored).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(stored).not.toContain(SECRET);
    expect(decryptSecret(stored, KEY)).toBe(SECRET);

    const audit = await call('GET', '/api/v1/audit');
    const entries = audit.json<{ entries: { action: string; details: object }[] }>().entries;
    expect(entries.filter((e) => e.action.startsWith('registry.'))).toEqual([
      {
        id: expect.any(Number) as unknown,
        at: expect.any(String) as unknown,
        actor: 'api',
        action: 'registry.create',
        target: 'registry:hub',
        details: {
          url: server.url,
          authKind: 'basic',
          username: 'robot',
          hasSecret: true,
          namespaces: ['acme', 'beta'],
        },
      },
      {
        id: expect.any(Number) as unknown,
        at: expect.any(String) as unknown,
        actor: 'api',
        action: 'registry.update',
        target: 'registry:hub',
        details: {
          url: server.url,
          authKind: 'token',
          username: 'robot',
          hasSecret: true,
          namespaces: ['acme', 'beta'],
          changed: ['auth'],
          secret: 'replaced',
        },
      },
    ]);

    expect(bodies.length).toBeGreaterThan(8);
    for (const body of bodies) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(stored.split(':')[3]);
    }
    // The log is there (one line per request and response at least), without the secret.
    expect(log.join('').match(/"msg":"incoming request"/g)?.length).toBeGreaterThanOrEqual(9);
    expect(log.join('')).not.toContain(SECRET);
    await call('DELETE', '/api/v1/registries/hub');
    expect(
      (await call('GET', '/api/v1/audit')).json<{ entries: object[] }>().entries,
    ).toContainEqual(
      expect.objectContaining({ action: 'registry.delete', target: 'registry:hub', details: {} }),
    );
  });

  it('without WINNOW_SECRET_KEY: anonymous registries only, a clear 409 for a secret', async () => {
    const keyless = await appWith({});
    const missing = errorOf(await call('POST', '/api/v1/registries', hub, keyless));
    expect(missing).toMatchObject({
      status: 409,
      code: 'WINNOW_SECRET_KEY_MISSING',
      message: expect.stringMatching(/^WINNOW_SECRET_KEY is not set/) as unknown,
      issues: [{ pointer: '/body/auth/secret', message: missing.message }],
    });
    expect(await database.registries.list()).toEqual([]);
    const anonymous = { ...hub, auth: { kind: 'anonymous' } };
    expect((await call('POST', '/api/v1/registries', anonymous, keyless)).statusCode).toBe(201);
    expect(
      errorOf(await call('PATCH', '/api/v1/registries/hub', { auth: hub.auth }, keyless)),
    ).toMatchObject({ status: 409, code: 'WINNOW_SECRET_KEY_MISSING' });
    // A change that gives no secret needs no key.
    const keepsNone = { auth: { kind: 'basic', username: 'robot' }, concurrency: 2 };
    expect((await call('PATCH', '/api/v1/registries/hub', keepsNone, keyless)).statusCode).toBe(
      200,
    );
  });

  it('checks a secret it cannot decrypt as ok false, with the reason', async () => {
    const server = await basicAuthRegistry('robot', SECRET);
    try {
      await call('POST', '/api/v1/registries', { ...hub, url: server.url });
      expect((await call('POST', '/api/v1/registries/hub/check')).json()).toEqual({ ok: true });
      const otherKey = await appWith({ WINNOW_SECRET_KEY: 'A'.repeat(64) });
      expect(
        (await call('POST', '/api/v1/registries/hub/check', undefined, otherKey)).json(),
      ).toEqual({
        ok: false,
        code: 'WINNOW_SECRET_UNREADABLE',
        message:
          'cannot decrypt the secret: WINNOW_SECRET_KEY is not the key it was encrypted with, or the stored value was altered',
      });
      const keyless = await appWith({});
      expect(
        (await call('POST', '/api/v1/registries/hub/check', undefined, keyless)).json(),
      ).toMatchObject({
        ok: false,
        code: 'WINNOW_SECRET_KEY_MISSING',
      });
      // The decrypted secret is what the registry gets: another one is refused.
      await call('PATCH', '/api/v1/registries/hub', {
        auth: { kind: 'basic', username: 'robot', secret: 'wrong' },
      });
      const refused = await call('POST', '/api/v1/registries/hub/check');
      expect(refused.statusCode).toBe(200);
      expect(refused.json()).toMatchObject({ ok: false, code: 'WINNOW_REGISTRY_UNAUTHORIZED' });
      expect(server.authorizations).toContain(basic('robot', SECRET));
    } finally {
      await server.close();
    }
  });

  describe('checks the connection', () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startRegistry();
    });
    afterAll(() => registry.stop());

    it('of a real registry: ok', async () => {
      await call('POST', '/api/v1/registries', { name: 'local', url: registry.url });
      const check = await call('POST', '/api/v1/registries/local/check');
      expect(check.statusCode).toBe(200);
      expect(check.json()).toEqual({ ok: true });
    });

    it('of a closed port: ok false, unavailable, 200 all the same', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      await call('POST', '/api/v1/registries', { name: 'closed', url, timeoutMs: 2000 });
      const check = await call('POST', '/api/v1/registries/closed/check');
      expect(check.statusCode).toBe(200);
      expect(check.json()).toEqual({
        ok: false,
        code: 'WINNOW_REGISTRY_UNAVAILABLE',
        message: expect.stringContaining(`GET ${url}/v2/`) as unknown,
      });
    });
  });
});

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A registry's `/v2/` behind Basic auth, which records the Authorization headers it gets. */
async function basicAuthRegistry(user: string, password: string) {
  const authorizations: string[] = [];
  const server = createServer((request, response) => {
    const authorization = request.headers.authorization ?? '';
    authorizations.push(authorization);
    if (authorization !== basic(user, password)) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    authorizations,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          done();
        });
      }),
  };
}
