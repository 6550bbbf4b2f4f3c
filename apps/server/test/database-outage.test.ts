import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
import {
  databaseState,
  decidedExpiries,
  expectedState,
  fixtureInventory,
  runTasks,
  SERVER_POLICY,
} from './retention-fixture';
import {
  finishedRun,
  type RunJson,
  type ServerProcess,
  startServer,
  TEST_ADMIN_TOKEN,
} from './server-process';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

jest.setTimeout(120_000);

const REPOSITORIES = 150;
const OUTAGE_MS = 4_000;
const WORKER_INTERVAL_MS = 100;

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Every log line the server wrote, parsed. */
function logLines(server: ServerProcess): { level: number; msg: string }[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

async function workerErrors(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('winnow_errors_total{kind="worker"}'));
  return Number(line?.split(' ')[1]);
}

/** A PostgreSQL database, a TCP proxy in front of it, and the server through the proxy. */
interface Proxied {
  database?: TestDatabase;
  proxy?: TcpProxy;
  server?: ServerProcess;
}

/** Fills `into` as each part starts (so `stopProxied` cleans up whatever started). */
async function startProxied(
  into: Proxied,
  env: Record<string, string>,
): Promise<Required<Proxied>> {
  const database = (into.database = await migratedDatabase('postgresql'));
  const direct = new URL(database.url);
  const proxy = (into.proxy = await startTcpProxy({
    host: direct.hostname,
    port: Number(direct.port),
  }));
  const viaProxy = new URL(database.url);
  viaProxy.port = String(proxy.port);
  const server = (into.server = await startServer(viaProxy.toString(), env));
  return { database, proxy, server };
}

async function stopProxied({ database, proxy, server }: Proxied): Promise<void> {
  server?.child.kill('SIGKILL');
  await proxy?.close();
  await database?.drop();
}

describe('PostgreSQL unreachable for a while, behind a proxy the test cuts', () => {
  const started: Proxied = {};
  afterAll(() => stopProxied(started));

  it('answers 503 on what needs it, backs off, resumes, and loses nothing', async () => {
    const { database, proxy, server } = await startProxied(started, {
      WINNOW_WORKER_INTERVAL: `${WORKER_INTERVAL_MS}ms`,
      WINNOW_WORKER_BATCH_SIZE: '4',
      WINNOW_WORKER_CONCURRENCY: '1',
    });
    const s = server;
    const inventory = fixtureInventory(REPOSITORIES, Date.now());
    await s.request('POST', '/api/v1/inventory/import', inventory);
    await s.request('PUT', '/api/v1/policies/server', SERVER_POLICY);
    const queued = await s.request<RunJson>('POST', '/api/v1/runs', { scope: { level: 'server' } });

    // Cut while the run is under way: some repositories done, most not.
    for (;;) {
      const run = await s.request<RunJson>('GET', `/api/v1/runs/${queued.id}`);
      expect(run.finishedAt).toBeNull();
      if ((run.tasks.done ?? 0) >= 10) break;
      await pause(20);
    }
    // A write acknowledged just before the outage.
    const note = 'acknowledged before the outage';
    const [first, ...rest] = SERVER_POLICY.rules;
    const acknowledged = await s.request<{ revision: number }>('PUT', '/api/v1/policies/server', {
      ...SERVER_POLICY,
      rules: [{ ...first, description: note }, ...rest],
    });
    const errorsBefore = await workerErrors(s);
    await proxy.cut();
    const cutAt = Date.now();

    // Liveness stays up; readiness and every route that needs the database answer 503.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    const probes: [string, string, unknown?][] = [
      ['GET', '/readyz'],
      ['GET', `/api/v1/runs/${queued.id}`],
      ['GET', '/api/v1/policies/server'],
      ['POST', '/api/v1/runs', { scope: { level: 'server' } }],
    ];
    for (const [method, path, body] of probes) {
      // With a token: checking it needs the database too, and that must answer 503, not 401.
      const authorization = `Bearer ${TEST_ADMIN_TOKEN}`;
      const response = await fetch(`${s.url}${path}`, {
        method,
        headers: {
          authorization,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status: 503 });
      const parsed = JSON.parse(text) as { error: Record<string, unknown> };
      expect(Object.keys(parsed)).toEqual(['error']);
      expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message', 'requestId']);
      expect(parsed.error.code).toBe('WINNOW_UNAVAILABLE');
      if (path !== '/readyz') expect(response.headers.get('retry-after')).toBe('5');
      // Nothing of the internals: no stack, no driver message, no address of the database.
      expect(text).not.toMatch(/stack|prisma|P1001|ECONNREFUSED|127\.0\.0\.1|\.ts:\d|\.js:\d/i);
    }
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    await pause(OUTAGE_MS - (Date.now() - cutAt));
    const failedCycles = (await workerErrors(s)) - errorsBefore;
    await proxy.restore();

    // Exponential backoff: a handful of attempts in the outage, not one per interval (~40).
    expect(failedCycles).toBeGreaterThanOrEqual(2);
    expect(failedCycles).toBeLessThanOrEqual(10);

    const run = await finishedRun(s, queued.id);
    // Back within the last pause of the backoff (3.2 s at this interval) plus the rest of the run.
    const expected = decidedExpiries(inventory, run.now);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: {
        repositories: REPOSITORIES,
        expired: [...expected.values()].reduce((sum, names) => sum + names.length, 0),
        errors: 0,
      },
    });
    const tasks = await runTasks(database.url, run.id);
    expect(tasks).toHaveLength(REPOSITORIES);
    for (const task of tasks) {
      expect(task).toMatchObject({ status: 'done', error: null });
      expect(task.counts.expired).toBe(expected.get(task.repository)?.length);
    }
    expect(await databaseState(database.url)).toEqual(expectedState(inventory, expected, run.id));
    const policy = await s.request<{
      revision: number;
      document: { rules: { description?: string }[] };
    }>('GET', '/api/v1/policies/server');
    expect(policy.revision).toBe(acknowledged.revision);
    expect(policy.document.rules[0]?.description).toBe(note);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);

    // The worker logged the outage once when it began and once when it ended, not per attempt.
    const messages = logLines(s).map((l) => l.msg);
    const count = (msg: string) => messages.filter((m) => m === msg).length;
    expect(count('database unreachable: the worker backs off until it is back')).toBe(1);
    expect(count('database reachable again: the worker resumed')).toBe(1);
    expect(count('worker cycle failed')).toBe(0);
    expect(logLines(s).filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('PostgreSQL that accepts connections but never answers (a network black hole)', () => {
  const CONNECT_TIMEOUT_MS = 1_000;
  const QUERY_TIMEOUT_MS = 2_000;
  /** Past the longer timeout: the request's own work, and a loaded machine. */
  const MARGIN_MS = 1_500;
  const started: Proxied = {};
  afterAll(() => stopProxied(started));

  it('answers 503 within the timeouts while it is silent, and 200 once it answers again', async () => {
    const { proxy, server } = await startProxied(started, {
      WINNOW_DATABASE_CONNECT_TIMEOUT: `${CONNECT_TIMEOUT_MS}ms`,
      WINNOW_DATABASE_QUERY_TIMEOUT: `${QUERY_TIMEOUT_MS}ms`,
      WINNOW_WORKER_INTERVAL: `${WORKER_INTERVAL_MS}ms`,
    });
    const s = server;
    await s.request('PUT', '/api/v1/policies/server', SERVER_POLICY);
    // Without a timeout the request would hang: give up well past it, and fail on the status.
    const probe = async (path: string) => {
      const started = Date.now();
      const response = await fetch(`${s.url}${path}`, {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        signal: AbortSignal.timeout(20_000),
      }).catch((error: unknown) => ({ status: String(error), headers: new Headers() }));
      const code =
        'json' in response && response.status === 503
          ? ((await response.json()) as { error: { code: string } }).error.code
          : undefined;
      return {
        path,
        status: response.status,
        code,
        retryAfter: response.headers.get('retry-after'),
        fast: Date.now() - started <= QUERY_TIMEOUT_MS + MARGIN_MS,
      };
    };
    expect(await probe('/api/v1/policies/server')).toMatchObject({ status: 200 });

    proxy.blackhole();
    // The first requests wait on the pool's open (now silent) connections, the next ones on new
    // connections that are accepted and never answered.
    for (let i = 0; i < 3; i++) {
      for (const path of ['/api/v1/policies/server', '/readyz']) {
        expect(await probe(path)).toEqual({
          path,
          status: 503,
          code: 'WINNOW_UNAVAILABLE',
          retryAfter: path === '/readyz' ? null : '5',
          fast: true,
        });
      }
    }
    // Several at once, more than the requests in flight a pool can hold: each answers in time.
    const together = await Promise.all(
      Array.from({ length: 12 }, () => probe('/api/v1/policies/server')),
    );
    expect(together.filter((r) => r.status !== 503 || !r.fast)).toEqual([]);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);

    await proxy.restore();
    const deadline = Date.now() + 10_000;
    let after = await probe('/api/v1/policies/server');
    while (after.status !== 200 && Date.now() < deadline) {
      await pause(100);
      after = await probe('/api/v1/policies/server');
    }
    expect(after).toMatchObject({ status: 200, fast: true });
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    expect(logLines(s).filter((l) => l.level >= 50)).toEqual([]);
  });
});
