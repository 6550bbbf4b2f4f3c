import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
import { DistributionClient, MediaType } from '@winnow/registry';
import { freePort, pushImage, startRegistry, type TestRegistry } from '@winnow/registry/testing';

import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { testDatabase } from './database';
import { finishedRun, type ServerProcess, startServer } from './server-process';

/** One log line as pino writes it (the fields these tests read). */
interface Line {
  readonly level: number;
  readonly msg: string;
  readonly reqId?: string;
  readonly req?: { url: string };
  readonly res?: { statusCode: number };
  readonly runId?: number;
  readonly taskId?: number;
  readonly namespace?: string;
  readonly repository?: string;
  readonly registry?: string;
  readonly syncId?: number;
  readonly tag?: string;
  readonly outcome?: string;
  readonly durationMs?: number;
  readonly counts?: Record<string, number>;
  readonly err?: { type: string; message: string; stack: string };
}

const parse = (output: string): Line[] =>
  output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);

const POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    { name: 'keep-releases', select: { tags: { glob: 'v*' } }, then: 'keep' },
    { name: 'expire-old', select: { tags: { glob: 'old-*' } }, then: 'delete' },
  ],
};

/** A value no log line can hold by chance. */
const secret = (what: string): string => `${what}-${randomBytes(12).toString('hex')}`;

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('the server process logs JSON lines with request, run and repository ids, and no secret', () => {
  const secretKey = randomBytes(32);
  const secrets = {
    registryPassword: secret('registry-password'),
    registryToken: secret('registry-token'),
    eventsSecret: secret('events-secret'),
    secretKeyHex: secretKey.toString('hex'),
    secretKeyBase64: secretKey.toString('base64'),
    databasePassword: secret('db-password'),
    queryToken: secret('query-token'),
    bearerHeader: secret('header-token'),
    cookie: secret('cookie'),
    wrongEventsBearer: secret('not-the-events-secret'),
    adminToken: secret('admin-token'),
  };
  let registry: TestRegistry;
  let database: TestDatabase;
  let server: ServerProcess;
  /** What beforeAll started, stopped last first (it may have failed half way). */
  const cleanups: (() => Promise<unknown>)[] = [];

  const call = (
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Response> =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secrets.adminToken}`,
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });

  /** Polls the output until a line satisfies `found`. */
  async function lineWhere(what: string, found: (line: Line) => boolean): Promise<Line> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const line = parse(server.output()).find(found);
      if (line !== undefined) return line;
      if (Date.now() > deadline) throw new Error(`no log line: ${what}\n${server.output()}`);
      await pause(100);
    }
  }

  beforeAll(async () => {
    const port = await freePort();
    registry = await startRegistry({
      notifications: {
        url: `http://127.0.0.1:${port}/api/v1/events/distribution`,
        headers: { Authorization: `Bearer ${secrets.eventsSecret}` },
      },
    });
    cleanups.push(() => registry.stop());
    database = await migratedDatabase('postgresql');
    cleanups.push(() => database.drop());
    // The test cluster trusts loopback: the password is never asked for, but it is configured.
    const url = new URL(database.url);
    url.password = secrets.databasePassword;
    server = await startServer(url.href, {
      WINNOW_PORT: String(port),
      WINNOW_LOG_LEVEL: 'debug',
      WINNOW_SECRET_KEY: secrets.secretKeyHex,
      WINNOW_EVENTS_SECRET: secrets.eventsSecret,
      WINNOW_ADMIN_TOKEN: secrets.adminToken,
    });
    cleanups.push(async () => {
      server.child.kill('SIGKILL');
      await server.exited;
    });
  }, 60_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('during a real sync, run, registry deletion and registry events', async () => {
    for (const name of ['acme', 'beta']) {
      expect((await call('POST', '/api/v1/namespaces', { body: { name } })).status).toBe(201);
    }
    const registries = [
      { name: 'local', namespaces: ['acme'], kind: 'basic', secret: secrets.registryPassword },
      { name: 'tokened', namespaces: ['beta'], kind: 'token', secret: secrets.registryToken },
    ];
    for (const { name, namespaces, kind, secret: given } of registries) {
      const created = await call('POST', '/api/v1/registries', {
        body: {
          name,
          url: registry.url,
          namespaces,
          deleteImmediately: true,
          auth: { kind, username: 'winnow', secret: given },
        },
        headers: { 'x-request-id': `create-${name}` },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('x-request-id')).toBe(`create-${name}`);
    }
    // A body with a secret that fails validation: a 400, the secret in no line either.
    const refused = await call('POST', '/api/v1/registries', {
      body: {
        name: 'Not A Name',
        url: registry.url,
        auth: { kind: 'basic', username: 'winnow', secret: secrets.registryPassword },
      },
    });
    expect(refused.status).toBe(400);

    const client = new DistributionClient({ url: registry.url });
    for (const path of ['acme/web', 'beta/api']) {
      const v1 = await pushImage(client, path, { tag: 'v1', label: `${path} v1` });
      const old = await pushImage(client, path, { tag: 'old-1', label: `${path} old` });
      expect(v1.digest).not.toBe(old.digest);
    }
    const body = (await client.getManifest('acme/web', 'old-1'))?.body ?? Buffer.alloc(0);
    await client.putManifest('acme/web', 'old-2', MediaType.ociManifest, body);

    for (const name of ['local', 'tokened']) {
      const queued = await call('POST', `/api/v1/registries/${name}/syncs`, {
        headers: { 'x-request-id': `sync-${name}` },
      });
      expect(queued.status).toBe(202);
      await lineWhere(
        `the sync of ${name}`,
        (l) => l.msg === 'registry sync ended' && l.registry === name,
      );
    }

    expect((await call('PUT', '/api/v1/policies/server', { body: POLICY })).status).toBe(201);
    const created = await call('POST', '/api/v1/runs', {
      body: { scope: { level: 'server' } },
      headers: { 'x-request-id': 'run-from-the-test' },
    });
    expect(created.status).toBe(202);
    expect(created.headers.get('x-request-id')).toBe('run-from-the-test');
    const runId = ((await created.json()) as { id: number }).id;
    const run = await finishedRun(server, runId);
    expect(run.status).toBe('succeeded');
    expect(run.counts.expired).toBe(3);
    // deleteImmediately: the worker deletes what the run expired on its next cycle.
    await lineWhere(
      'the deletions',
      (l) => l.msg === 'registry deletions' && l.registry === 'local',
    );

    // Credentials in headers and in the query string.
    const listed = await call('GET', `/api/v1/runs?limit=5&token=${secrets.queryToken}`, {
      headers: {
        authorization: `Bearer ${secrets.bearerHeader}`,
        cookie: `session=${secrets.cookie}`,
        'x-request-id': 'with-credentials',
      },
    });
    expect(listed.headers.get('x-request-id')).toBe('with-credentials');
    const wrong = await call('POST', '/api/v1/events/distribution', {
      body: { events: [] },
      headers: { authorization: `Bearer ${secrets.wrongEventsBearer}` },
    });
    expect(wrong.status).toBe(401);
    // Request ids that are too long or hold unsafe characters are replaced by a UUID.
    for (const given of ['x'.repeat(129), 'two words', 'a"b', 'a<script>']) {
      const answered = await call('GET', '/healthz', { headers: { 'x-request-id': given } });
      expect(answered.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    // The registry's notifications of the pushes arrive (it retries until they are accepted).
    await lineWhere(
      'a registry event',
      (l) => l.msg === 'registry event' && l.outcome === 'applied',
    );

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const output = server.output();
    const lines = parse(output); // every line is JSON

    // Every request's lines carry its id, the one the client gave when it was safe.
    const requestLines = lines.filter((l) => l.req !== undefined || l.res !== undefined);
    expect(requestLines.length).toBeGreaterThan(20);
    for (const line of requestLines) expect(typeof line.reqId).toBe('string');
    const ofRun = lines.filter((l) => l.reqId === 'run-from-the-test').map((l) => l.msg);
    expect(ofRun).toEqual(['incoming request', 'run created', 'request completed']);
    expect(lines.find((l) => l.msg === 'run created')).toMatchObject({ runId });
    expect(lines.filter((l) => l.reqId === 'sync-local').length).toBeGreaterThanOrEqual(2);
    expect(lines.find((l) => l.reqId === 'with-credentials' && l.req)?.req?.url).toBe(
      '/api/v1/runs?limit=5&token=***',
    );

    // The run: its lifecycle with totals and duration, each repository and tag with its ids.
    const finished = lines.find((l) => l.msg === 'run finished' && l.runId === runId);
    expect(finished).toMatchObject({ level: 30, status: 'succeeded' });
    expect(finished?.counts).toMatchObject({ repositories: 2, expired: 3 });
    expect(typeof finished?.durationMs).toBe('number');
    const applied = lines.filter((l) => l.msg === 'repository applied' && l.runId === runId);
    expect(
      applied.map((l) => `${l.namespace ?? ''} ${l.repository ?? ''} ${typeof l.taskId}`).sort(),
    ).toEqual(['acme acme/web number', 'beta beta/api number']);
    const tags = lines
      .filter((l) => l.msg === 'tag decided: delete' && l.repository === 'acme/web')
      .map((l) => ({ runId: l.runId, tag: l.tag }));
    expect(tags).toEqual(
      expect.arrayContaining([
        { runId, tag: 'old-1' },
        { runId, tag: 'old-2' },
      ]),
    );
    // Registries: the sync and the deletions, by registry, sync, repository and run.
    const synced = lines.find((l) => l.msg === 'registry sync ended' && l.registry === 'tokened');
    expect(synced).toMatchObject({ status: 'succeeded', repositoriesTotal: 1 });
    expect(typeof synced?.syncId).toBe('number');
    expect(
      lines.find((l) => l.msg === 'registry deletion: deleted' && l.repository === 'acme/web'),
    ).toMatchObject({ registry: 'local', namespace: 'acme', runId });
    const refusedEvents = lines.find(
      (l) => l.msg === 'registry events: refused a request without the bearer secret',
    );
    expect(refusedEvents?.level).toBe(40);
    expect(typeof refusedEvents?.reqId).toBe('string');

    // No secret anywhere in the raw output, in any form.
    for (const [name, value] of Object.entries(secrets)) {
      if (output.includes(value)) throw new Error(`the log holds ${name}`);
    }
    expect(output).toContain(`:***@127.0.0.1`); // the database URL, its password replaced
  }, 120_000);
});

describe('an error inside a route', () => {
  let app: FastifyInstance;
  let drop: () => Promise<void>;
  let output = '';

  beforeAll(async () => {
    const created = await testDatabase('sqlite');
    drop = created.drop;
    app = await buildApp({
      config: readConfig({ WINNOW_AUTH: 'off', WINNOW_LOG_LEVEL: 'info' }),
      database: created.database,
      logStream: { write: (line) => (output += line) },
    });
    app.get('/test/fails', { config: { access: { action: 'public' } } }, () => {
      throw new Error('could not reach postgres://winnow:route-password@db/x?sslkey=a&token=t0k');
    });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await drop();
  });

  it('is logged with its stack and request id; the client gets the id and no internals', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/test/fails',
      headers: { 'x-request-id': 'req-500' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.headers['x-request-id']).toBe('req-500');
    expect(response.json()).toEqual({
      error: {
        code: 'WINNOW_INTERNAL',
        message: 'internal error; the server log has the details (see requestId)',
        requestId: 'req-500',
      },
    });
    expect(response.body).not.toMatch(/stack|logging\.test|postgres/);

    const failed = parse(output).find((l) => l.msg === 'request failed');
    expect(failed).toMatchObject({ level: 50, reqId: 'req-500' });
    expect(failed?.err?.stack).toContain('logging.test.ts');
    expect(failed?.err?.message).toBe(
      'could not reach postgres://winnow:***@db/x?sslkey=***&token=***',
    );
    expect(output).not.toMatch(/route-password|t0k/);
  });

  it('gives a request without an id a UUID, in its lines and its response', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/runs/999' });
    expect(response.statusCode).toBe(404);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(response.json()).toMatchObject({ error: { requestId: id } });
    expect(
      parse(output)
        .filter((l) => l.reqId === id)
        .map((l) => l.msg),
    ).toEqual(['incoming request', 'request completed']);
  });
});
