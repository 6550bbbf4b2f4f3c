import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { openDatabase, type RunTaskRecord } from '@winnow/db';
import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
import { providers } from './database';

/**
 * Runs through real server processes: two replicas sharing one PostgreSQL, and a SIGTERM in the
 * middle of a run. Each repository has 20 tags; the policy keeps the 10 newest, so a repository
 * is either applied (10 live, 10 expired by the run) or untouched (20 live).
 */
const SERVER = resolve(__dirname, '../dist/server.js');
const TAGS = 20;
const KEEP = 10;
const NOW = Date.parse('2026-11-01T00:00:00Z');
jest.setTimeout(180_000);

const POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    {
      name: 'keep-newest',
      select: { tags: { glob: '*' } },
      match: { newest: KEEP },
      then: 'keep',
      else: 'delete',
    },
  ],
};

function snapshot(repositories: number) {
  return {
    apiVersion: 'winnow/v1',
    kind: 'Inventory',
    repositories: Array.from({ length: repositories }, (_, i) => ({
      namespace: `team-${i % 4}`,
      name: `service-${String(i).padStart(3, '0')}`,
      tags: Array.from({ length: TAGS }, (__, j) => ({
        name: `build-${String(j).padStart(2, '0')}`,
        digest: `sha256:${(i * TAGS + j).toString(16).padStart(64, '0')}`,
        // build-00 is the newest.
        pushedAt: new Date(NOW - (j + 1) * 3_600_000).toISOString(),
      })),
    })),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface Replica {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
}

async function startReplica(databaseUrl: string, env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      WINNOW_PORT: String(port),
      WINNOW_LOG_LEVEL: 'warn',
      WINNOW_WORKER_INTERVAL: '200ms',
      WINNOW_LEASE_DURATION: '10s',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url, exited };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the server did not become ready');
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function call<T>(replica: Replica, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${replica.url}${path}`, {
    method,
    ...(body !== undefined && {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

interface RunJson {
  id: number;
  status: string;
  finishedAt: string | null;
  counts: { expired: number; repositories: number };
}

async function finished(replica: Replica, id: number): Promise<RunJson> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const run = await call<RunJson>(replica, 'GET', `/api/v1/runs/${id}`);
    if (run.finishedAt !== null) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not finish`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function allTasks(url: string, runId: number): Promise<RunTaskRecord[]> {
  const database = openDatabase(url);
  try {
    return (await database.runs.listTasks(runId, { limit: 1000 })).items;
  } finally {
    await database.close();
  }
}

/** Per repository path: [live tag names, tag names expired by the run]. */
async function tagState(url: string, repositories: number, runId: number) {
  const database = openDatabase(url);
  try {
    const state = new Map<string, [string[], string[]]>();
    for (const repository of snapshot(repositories).repositories) {
      const ref = { namespace: repository.namespace, name: repository.name };
      const live = (await database.repositories.get(ref))?.tags.map((t) => t.name) ?? [];
      const expired = (await database.tags.listExpired(ref))
        .filter((e) => e.runId === runId)
        .map((e) => e.tag.name)
        .sort();
      state.set(`${ref.namespace}/${ref.name}`, [live, expired]);
    }
    return state;
  } finally {
    await database.close();
  }
}

const NEWEST = Array.from({ length: KEEP }, (_, j) => `build-${String(j).padStart(2, '0')}`);
const OLDEST = Array.from(
  { length: TAGS - KEEP },
  (_, j) => `build-${String(j + KEEP).padStart(2, '0')}`,
);
const ALL = [...NEWEST, ...OLDEST];

describe('runs through real server processes', () => {
  const dropped: TestDatabase[] = [];
  const replicas: Replica[] = [];
  afterEach(async () => {
    for (const replica of replicas.splice(0)) replica.child.kill('SIGKILL');
    for (const database of dropped.splice(0)) await database.drop();
  });

  it('two replicas on one PostgreSQL share one run and apply no repository twice', async () => {
    const repositories = 160;
    const database = await migratedDatabase('postgresql');
    dropped.push(database);
    // Small batches and one repository at a time per replica: the run is shared in many claims.
    const env = { WINNOW_WORKER_BATCH_SIZE: '4', WINNOW_WORKER_CONCURRENCY: '1' };
    const a = await startReplica(database.url, env);
    replicas.push(a);
    const b = await startReplica(database.url, env);
    replicas.push(b);
    await call(a, 'POST', '/api/v1/inventory/import', snapshot(repositories));
    await call(a, 'PUT', '/api/v1/policies/server', POLICY);
    const queued = await call<RunJson>(a, 'POST', '/api/v1/runs', { scope: { level: 'server' } });
    // Asked through b: either replica answers for the shared database.
    const run = await finished(b, queued.id);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { repositories, expired: repositories * (TAGS - KEEP) },
    });
    const tasks = await allTasks(database.url, run.id);
    expect(tasks).toHaveLength(repositories);
    // Every repository applied exactly once: done, claimed once, by one replica or the other.
    expect(tasks.every((t) => t.status === 'done' && t.attempts === 1)).toBe(true);
    const owners = new Set(tasks.map((t) => t.owner));
    expect(owners.size).toBe(2);
    const audit = openDatabase(database.url);
    try {
      const entries = (await audit.audit.list({ limit: 1000 })).filter(
        (e) => e.action === 'tags.expire',
      );
      expect(entries).toHaveLength(repositories);
      expect(new Set(entries.map((e) => e.target)).size).toBe(repositories);
    } finally {
      await audit.close();
    }
    for (const [path, [live, expired]] of await tagState(database.url, repositories, run.id)) {
      expect([path, live, expired]).toEqual([path, NEWEST, OLDEST]);
    }
  });

  it.each(providers)(
    'SIGTERM in the middle of a run on %s leaves each repository applied or untouched, and a restart finishes it',
    async (provider) => {
      const repositories = 300;
      const database = await migratedDatabase(provider);
      dropped.push(database);
      const env = { WINNOW_WORKER_BATCH_SIZE: '10', WINNOW_WORKER_CONCURRENCY: '2' };
      const first = await startReplica(database.url, env);
      replicas.push(first);
      await call(first, 'POST', '/api/v1/inventory/import', snapshot(repositories));
      await call(first, 'PUT', '/api/v1/policies/server', POLICY);
      const queued = await call<RunJson>(first, 'POST', '/api/v1/runs', {
        scope: { level: 'server' },
      });
      for (;;) {
        const done = await call<{ repositories: unknown[] }>(
          first,
          'GET',
          `/api/v1/runs/${queued.id}/repositories?status=done&limit=1`,
        );
        if (done.repositories.length > 0) break;
        await new Promise((resolveWait) => setTimeout(resolveWait, 20));
      }
      const stopping = Date.now();
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(20_000);

      const tasks = await allTasks(database.url, queued.id);
      const byPath = new Map(tasks.map((t) => [t.repository, t.status]));
      // Stopped in the middle: some repositories applied, others given back, none held.
      expect([...byPath.values()].filter((s) => s === 'done').length).toBeGreaterThan(0);
      expect([...byPath.values()].filter((s) => s === 'queued').length).toBeGreaterThan(0);
      expect([...byPath.values()].every((s) => s === 'done' || s === 'queued')).toBe(true);
      for (const [path, [live, expired]] of await tagState(database.url, repositories, queued.id)) {
        const status = byPath.get(path);
        if (status === 'done') expect([path, live, expired]).toEqual([path, NEWEST, OLDEST]);
        else expect([path, live, expired]).toEqual([path, ALL, []]);
      }

      // Restarted, the worker takes the given-back repositories and finishes the run, ending
      // where an uninterrupted run ends: every repository with its 10 newest tags.
      const second = await startReplica(database.url, env);
      replicas.push(second);
      const run = await finished(second, queued.id);
      expect(run).toMatchObject({
        status: 'succeeded',
        counts: { repositories, expired: repositories * (TAGS - KEEP) },
      });
      for (const [path, [live, expired]] of await tagState(database.url, repositories, run.id)) {
        expect([path, live, expired]).toEqual([path, NEWEST, OLDEST]);
      }
      expect((await allTasks(database.url, run.id)).every((t) => t.attempts === 1)).toBe(true);
    },
  );
});
