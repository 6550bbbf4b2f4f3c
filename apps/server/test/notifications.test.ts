import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { openDatabase } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import { readConfig } from '../src/config';
import { buildService } from '../src/service';
import { providers, useApp } from './database';
import { type Receiver, type ReceivedRequest, startReceiver } from './support/receiver';
import { type RunningService, runServerPolicy, startService, until } from './support/service';

const KEY_HEX = 'a1'.repeat(32);
const SECRET = 'whsec-0123456789abcdef-notification';
const DAY = 86_400_000;
const ENV = { WINNOW_SECRET_KEY: KEY_HEX };
/** The dispatcher in a hurry: 50 ms between looks and between retries, 3 attempts at most. */
const FAST = { intervalMs: 50, backoffMs: [50], maxAttempts: 3, timeoutMs: 2000 };

const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const ago = (days: number): string => new Date(Date.now() - days * DAY).toISOString();

/** acme/app: 3 old tags (expired by POLICY), 2 young; beta/db: 1 young. */
const SNAPSHOT = {
  apiVersion: 'winnow/v1',
  kind: 'Inventory',
  repositories: [
    {
      namespace: 'acme',
      name: 'app',
      tags: [
        ...[1, 2, 3].map((i) => ({ name: `old-${i}`, digest: digest(i), pushedAt: ago(60 + i) })),
        ...[1, 2].map((i) => ({ name: `new-${i}`, digest: digest(10 + i), pushedAt: ago(1) })),
      ],
    },
    {
      namespace: 'beta',
      name: 'db',
      tags: [{ name: 'v1', digest: digest(20), pushedAt: ago(1) }],
    },
  ],
};

const POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    {
      name: 'expire-old',
      select: { tags: { glob: '*' } },
      match: { olderThan: '30d' },
      then: 'delete',
    },
  ],
};

interface EndpointJson {
  id: number;
  name: string;
  secretSet: boolean;
  [key: string]: unknown;
}

interface DeliveryJson {
  id: number;
  runId: number | null;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  payload?: unknown;
}

/** What a receiver does, per docs/notifications.md: recompute the HMAC and compare in constant time. */
function verifies(request: ReceivedRequest, secret: string): boolean {
  const timestamp = String(request.headers['x-winnow-timestamp']);
  const given = Buffer.from(String(request.headers['x-winnow-signature']));
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`,
  );
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
) {
  return app.inject({ method, url, ...(payload !== undefined && { payload }) });
}

async function createEndpoint(app: FastifyInstance, body: object): Promise<EndpointJson> {
  const response = await call(app, 'POST', '/api/v1/notifications', body);
  if (response.statusCode !== 201) throw new Error(`endpoint: ${response.body}`);
  return response.json<EndpointJson>();
}

async function deliveries(app: FastifyInstance, id: number, query = ''): Promise<DeliveryJson[]> {
  const response = await call(app, 'GET', `/api/v1/notifications/${id}/deliveries${query}`);
  expect(response.statusCode).toBe(200);
  return response.json<{ deliveries: DeliveryJson[] }>().deliveries;
}

/** Waits until every delivery of the endpoint is over (delivered or failed). */
const settled = (app: FastifyInstance, id: number, count = 1) =>
  until(
    'the deliveries',
    () => deliveries(app, id),
    (list) => list.length >= count && list.every((d) => d.status !== 'pending'),
    30_000,
  );

async function metric(app: FastifyInstance, sample: string): Promise<number> {
  const text = (await call(app, 'GET', '/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/**
 * Waits for a counter to reach `value`: the dispatcher counts an outcome just after recording it,
 * so the API may show the delivery first.
 */
const counted = (app: FastifyInstance, sample: string, value: number) =>
  until(
    sample,
    () => metric(app, sample),
    (n) => n === value,
    10_000,
  );

async function withInventory(running: RunningService): Promise<RunningService> {
  const imported = await call(running.app, 'POST', '/api/v1/inventory/import', SNAPSHOT);
  expect(imported.statusCode).toBe(200);
  return running;
}

describe.each(providers)('notifications on %s', (provider) => {
  let running: RunningService | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await running?.stop();
    await receiver?.close();
    running = undefined;
    receiver = undefined;
  });

  const start = async (options: Parameters<typeof startService>[2] = {}) => {
    running = await withInventory(
      await startService(provider, ENV, { notifications: FAST, ...options }),
    );
    receiver = await startReceiver();
    return { app: running.app, receiver };
  };

  describe('without WINNOW_SECRET_KEY', () => {
    const app = useApp(provider);
    it('refuses a secret it cannot encrypt, naming the field', async () => {
      const response = await call(app(), 'POST', '/api/v1/notifications', {
        name: 'ops',
        url: 'https://hooks.example/x',
        secret: SECRET,
      });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({
        error: { code: 'WINNOW_SECRET_KEY_MISSING', issues: [{ pointer: '/body/secret' }] },
      });
    });
  });

  it('validates endpoints, never returns their secret and audits their changes', async () => {
    const { app } = await start();
    const bad = async (body: object, pointer: string) => {
      const response = await call(app, 'POST', '/api/v1/notifications', body);
      expect(response.statusCode).toBe(400);
      const { error } = response.json<{ error: { issues: { pointer: string }[] } }>();
      expect(error.issues.map((i) => i.pointer)).toContain(pointer);
    };
    const valid = { name: 'ops', url: 'https://hooks.example/winnow', secret: SECRET };
    await bad({ ...valid, url: 'ftp://hooks.example/x' }, '/body/url');
    await bad({ ...valid, url: 'not a url' }, '/body/url');
    await bad({ ...valid, url: 'https://user:pw@hooks.example/x' }, '/body/url');
    await bad({ name: 'ops', url: 'https://hooks.example/x' }, '/body/secret');
    await bad({ ...valid, secret: 'short' }, '/body/secret');
    await bad({ ...valid, events: ['run.exploded'] }, '/body/events/0');
    await bad({ ...valid, events: [] }, '/body/events');
    await bad({ ...valid, format: 'teams' }, '/body/format');
    await bad({ ...valid, scope: 'namespace' }, '/body/namespace');
    await bad({ ...valid, scope: 'namespace', namespace: 'nowhere' }, '/body/namespace');
    await bad({ ...valid, namespace: 'acme' }, '/body/namespace');
    await bad({ ...valid, Name: 'x' }, '/body/Name');
    await bad({ ...valid, name: 'Not A Name' }, '/body/name');

    const created = await call(app, 'POST', '/api/v1/notifications', valid);
    expect(created.statusCode).toBe(201);
    const endpoint = created.json<EndpointJson>();
    expect(created.headers.location).toBe(`/api/v1/notifications/${endpoint.id}`);
    expect(endpoint).toEqual({
      id: expect.any(Number) as unknown,
      name: 'ops',
      scope: 'server',
      namespace: null,
      url: 'https://hooks.example/winnow',
      format: 'generic',
      secretSet: true,
      events: ['run.succeeded', 'run.partial', 'run.failed', 'run.cancelled'],
      enabled: true,
      createdAt: expect.any(String) as unknown,
      updatedAt: expect.any(String) as unknown,
    });
    expect((await call(app, 'POST', '/api/v1/notifications', valid)).statusCode).toBe(409);

    const slack = await createEndpoint(app, {
      name: 'acme-slack',
      url: 'https://hooks.slack.example/services/T0/B0/xyz',
      format: 'slack',
      scope: 'namespace',
      namespace: 'acme',
      events: ['run.failed'],
    });
    expect(slack).toMatchObject({
      secretSet: false,
      scope: 'namespace',
      namespace: 'acme',
      url: 'https://hooks.slack.example/services/…',
    });
    const listed = (await call(app, 'GET', '/api/v1/notifications')).body;
    expect(listed).not.toContain('T0/B0/xyz');

    const url = `/api/v1/notifications/${endpoint.id}`;
    const patched = await call(app, 'PATCH', url, { events: ['run.failed'], enabled: false });
    expect(patched.json()).toMatchObject({
      events: ['run.failed'],
      enabled: false,
      secretSet: true,
    });
    // A generic endpoint keeps its secret; moving a namespace endpoint to the server scope drops its namespace.
    expect((await call(app, 'PATCH', url, { secret: null })).statusCode).toBe(400);
    expect((await call(app, 'PATCH', url, {})).statusCode).toBe(400);
    const widened = await call(app, 'PATCH', `/api/v1/notifications/${slack.id}`, {
      scope: 'server',
    });
    expect(widened.json()).toMatchObject({ scope: 'server', namespace: null });
    expect((await call(app, 'PATCH', url, { secret: `${SECRET}-2` })).statusCode).toBe(200);

    const list = await call(app, 'GET', '/api/v1/notifications');
    expect(list.json<{ endpoints: EndpointJson[] }>().endpoints.map((e) => e.name)).toEqual([
      'acme-slack',
      'ops',
    ]);
    expect((await call(app, 'GET', '/api/v1/notifications/999')).statusCode).toBe(404);
    expect((await call(app, 'GET', '/api/v1/notifications/abc')).statusCode).toBe(400);
    expect((await call(app, 'DELETE', url)).statusCode).toBe(204);
    expect((await call(app, 'DELETE', url)).statusCode).toBe(404);
    expect((await call(app, 'GET', `${url}/deliveries`)).statusCode).toBe(404);

    const audit = await call(app, 'GET', '/api/v1/audit');
    const entries = audit
      .json<{ entries: { action: string; target: string }[] }>()
      .entries.filter((e) => e.action.startsWith('notification.'));
    expect(entries.map((e) => `${e.action} ${e.target}`)).toEqual([
      'notification.create notification:ops',
      'notification.create notification:acme-slack',
      'notification.update notification:ops',
      'notification.update notification:acme-slack',
      'notification.update notification:ops',
      'notification.delete notification:ops',
    ]);
    expect(audit.body).not.toContain(SECRET);
    expect(list.body).not.toContain(SECRET);
    expect(audit.body).not.toContain('v1:');
  });

  it('delivers a signed generic event when a run finishes', async () => {
    const { app, receiver } = await start();
    const endpoint = await createEndpoint(app, { name: 'ops', url: receiver.url, secret: SECRET });
    // Namespace endpoints hear of runs that touched their namespace only.
    await createEndpoint(app, {
      name: 'gamma',
      url: receiver.url,
      secret: SECRET,
      scope: 'namespace',
      namespace: 'beta',
      events: ['run.failed'],
    });
    const run = await runServerPolicy(app, POLICY);
    expect(run.status).toBe('succeeded');
    const [delivery] = await settled(app, endpoint.id);
    expect(delivery).toMatchObject({
      runId: run.id,
      event: 'run.succeeded',
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
    });

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    if (request === undefined) throw new Error('one request');
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hook');
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'x-winnow-event': 'run.succeeded',
      'x-winnow-delivery': String(delivery?.id),
    });
    expect(verifies(request, SECRET)).toBe(true);
    expect(verifies(request, `${SECRET}x`)).toBe(false);
    expect(
      verifies({ ...request, body: request.body.replace('"total":6', '"total":7') }, SECRET),
    ).toBe(false);

    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(body).toEqual({
      type: 'run.succeeded',
      occur_at: expect.any(Number) as unknown,
      operator: 'api',
      event_data: {
        run: {
          id: run.id,
          status: 'succeeded',
          trigger: 'api',
          dry_run: false,
          scope: { level: 'server' },
          evaluated_at: expect.any(String) as unknown,
          created_at: expect.any(String) as unknown,
          started_at: expect.any(String) as unknown,
          finished_at: expect.any(String) as unknown,
          duration_seconds: expect.any(Number) as unknown,
        },
        retention: {
          result: 'succeeded',
          total: 6,
          retained: 3,
          deleted: 3,
          would_delete: 0,
          failed: 0,
          repositories: 2,
          blocked_repositories: 0,
          skipped_immutable: 0,
          blocked: 0,
          policies: [{ scope: 'server', level: 'server', rules: 1, guards: 0 }],
          deleted_artifacts: [1, 2, 3].map((i) => ({
            repository: 'acme/app',
            tag: `old-${i}`,
            digest: digest(i),
            policy: 'server',
            rule: 'expire-old',
          })),
          deleted_artifacts_truncated: false,
        },
      },
    });
    // The outbox keeps the body as sent.
    const [stored] = await deliveries(app, endpoint.id, '?payload=true');
    expect(stored?.payload).toEqual(body);
    await counted(app, 'winnow_notifications_total{format="generic",outcome="delivered"}', 1);
  });

  it('sends Slack messages for the runs of a namespace, and test deliveries', async () => {
    const { app, receiver } = await start();
    const endpoint = await createEndpoint(app, {
      name: 'acme-slack',
      url: receiver.url,
      format: 'slack',
      scope: 'namespace',
      namespace: 'acme',
      secret: SECRET,
    });
    const run = await runServerPolicy(app, POLICY);
    await settled(app, endpoint.id);
    const [request] = receiver.requests;
    if (request === undefined) throw new Error('one request');
    expect(verifies(request, SECRET)).toBe(true);
    const message = JSON.parse(request.body) as { text: string; blocks: { type: string }[] };
    expect(message.text).toBe(
      `Winnow run ${run.id} succeeded: server, 6 tags evaluated, 3 kept, 3 expired, 0 repositories failed`,
    );
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(request.body).toContain('acme/app:old-1');

    const test = await call(app, 'POST', `/api/v1/notifications/${endpoint.id}/test`);
    expect(test.statusCode).toBe(202);
    expect(test.json()).toMatchObject({ event: 'test', runId: null, status: 'pending' });
    await settled(app, endpoint.id, 2);
    expect(receiver.requests[1]?.headers['x-winnow-event']).toBe('test');
    expect(JSON.parse(receiver.requests[1]?.body ?? '{}')).toMatchObject({
      text: expect.stringContaining('acme-slack') as unknown,
    });
    await counted(app, 'winnow_notifications_total{format="slack",outcome="delivered"}', 2);

    // A namespace the run did not touch hears nothing.
    const other = await createEndpoint(app, {
      name: 'beta-only',
      url: receiver.url,
      format: 'slack',
      scope: 'namespace',
      namespace: 'beta',
    });
    await call(app, 'POST', '/api/v1/runs', {
      scope: { level: 'namespace', namespace: 'acme' },
    });
    await until(
      'the second run',
      () => deliveries(app, endpoint.id),
      (l) => l.length === 3,
    );
    expect(await deliveries(app, other.id)).toEqual([]);
  });

  it('retries after 5xx, honours Retry-After and delivers', async () => {
    const { app, receiver } = await start();
    receiver.answer = (n) =>
      n === 0
        ? { status: 429, headers: { 'retry-after': '1' } }
        : n === 1
          ? { status: 500 }
          : { status: 200 };
    const endpoint = await createEndpoint(app, { name: 'ops', url: receiver.url, secret: SECRET });
    await runServerPolicy(app, POLICY);
    const [delivery] = await settled(app, endpoint.id);
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatusCode: 200,
      lastError: null,
    });
    const [first, second, third] = receiver.requests;
    if (first === undefined || second === undefined || third === undefined) {
      throw new Error('three requests');
    }
    // Retry-After: 1 waits a second, although the backoff is 50 ms.
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
    // One delivery: the same idempotency key and body each time, each signed.
    expect(new Set(receiver.requests.map((r) => r.headers['x-winnow-delivery'])).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(receiver.requests.every((r) => verifies(r, SECRET))).toBe(true);
    await counted(app, 'winnow_notifications_total{format="generic",outcome="retried"}', 2);
    await counted(app, 'winnow_notifications_total{format="generic",outcome="delivered"}', 1);
  });

  it('never holds up a run: an endpoint down is retried, then failed; a 4xx fails at once', async () => {
    const { app, receiver } = await start();
    const down = await startReceiver();
    const downUrl = down.url;
    await down.close();
    const gone = await createEndpoint(app, { name: 'gone', url: downUrl, secret: SECRET });
    receiver.answer = () => ({ status: 404 });
    const missing = await createEndpoint(app, {
      name: 'missing',
      url: receiver.url,
      secret: SECRET,
    });

    const run = await runServerPolicy(app, POLICY);
    expect(run.status).toBe('succeeded');
    const [failed] = await settled(app, gone.id);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: FAST.maxAttempts,
      lastStatusCode: null,
      lastError: 'connection failed: ECONNREFUSED',
    });
    const [refused] = await settled(app, missing.id);
    expect(refused).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: 404,
      lastError: 'HTTP 404 Not Found',
    });
    expect(receiver.requests).toHaveLength(1);
    await counted(app, 'winnow_notifications_total{format="generic",outcome="failed"}', 2);
    await counted(
      app,
      'winnow_notifications_total{format="generic",outcome="retried"}',
      FAST.maxAttempts - 1,
    );
  });

  it('keeps the secret and the URL out of the log', async () => {
    const lines: string[] = [];
    const { app, receiver } = await start({
      logger: true,
      logStream: { write: (line: string) => void lines.push(line) },
    });
    receiver.answer = (n) => ({ status: n === 0 ? 503 : 200 });
    const endpoint = await createEndpoint(app, { name: 'ops', url: receiver.url, secret: SECRET });
    await runServerPolicy(app, POLICY);
    await settled(app, endpoint.id);
    await until(
      'the log',
      () => Promise.resolve(lines.join('')),
      (log) => log.includes('notification delivered'),
    );
    const log = lines.join('');
    expect(log).toContain('will retry');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(receiver.url);
    const responses = [
      await call(app, 'GET', '/api/v1/notifications'),
      await call(app, 'GET', `/api/v1/notifications/${endpoint.id}`),
      await call(app, 'GET', `/api/v1/notifications/${endpoint.id}/deliveries?payload=true`),
    ];
    for (const response of responses) expect(response.body).not.toContain(SECRET);
  });
});

describe('two dispatchers on one PostgreSQL', () => {
  it('never send one delivery twice', async () => {
    const created = await migratedDatabase('postgresql');
    const databases = [openDatabase(created.url), openDatabase(created.url)];
    const services = await Promise.all(
      databases.map((database) =>
        buildService({
          config: readConfig({ WINNOW_AUTH: 'off', ...ENV, WINNOW_WORKER_INTERVAL: '50ms' }),
          database,
          logger: false,
          notifications: { ...FAST, batchSize: 3 },
        }),
      ),
    );
    const receiver = await startReceiver();
    // Slow answers, so that both dispatchers are busy at once.
    receiver.answer = () => ({ status: 200, delayMs: 30 });
    try {
      const [first, second] = services;
      if (first === undefined || second === undefined) throw new Error('two services');
      await Promise.all(services.map((s) => s.app.ready()));
      const endpoint = await createEndpoint(first.app, {
        name: 'ops',
        url: receiver.url,
        secret: SECRET,
      });
      for (let i = 0; i < 30; i += 1) {
        const app = i % 2 === 0 ? first.app : second.app;
        expect(
          (await call(app, 'POST', `/api/v1/notifications/${endpoint.id}/test`)).statusCode,
        ).toBe(202);
      }
      for (const service of services) service.start();
      const done = await until(
        'the deliveries',
        () => deliveries(first.app, endpoint.id, '?limit=100'),
        (list) => list.every((d) => d.status === 'delivered'),
        30_000,
      );
      expect(done).toHaveLength(30);
      expect(done.every((d) => d.attempts === 1)).toBe(true);
      const ids = receiver.requests.map((r) => r.headers['x-winnow-delivery']);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
      // Each counted once, by the service that sent it.
      const sample = 'winnow_notifications_total{format="generic",outcome="delivered"}';
      await until(
        'the counters',
        async () => (await metric(first.app, sample)) + (await metric(second.app, sample)),
        (total) => total === 30,
        10_000,
      );
    } finally {
      await Promise.all(services.map((s) => s.stop()));
      await Promise.all(databases.map((d) => d.close()));
      await receiver.close();
      await created.drop();
    }
  });
});
