import { openDatabase } from '@winnow/db';
import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
import { DistributionClient } from '@winnow/registry';
import {
  type FaultProxy,
  pushImage,
  startFaultProxy,
  startRegistry,
  type TestRegistry,
} from '@winnow/registry/testing';
import {
  databaseState,
  decidedExpiries,
  fixtureCoverage,
  fixtureInventory,
  expectedState,
  runTasks,
  SERVER_POLICY,
} from './retention-fixture';
import {
  finishedRun,
  ownerPid,
  type RunJson,
  type ServerProcess,
  startServer,
  warnings,
} from './server-process';

jest.setTimeout(120_000);

const REPOSITORIES = 300;
/**
 * Both replicas must take part, reliably. The run is posted to `a`, whose worker wakes at once;
 * `b` looks for work every WORKER_INTERVAL. Each claims BATCH tasks and applies them one at a
 * time (concurrency 1), so `a` never holds more than 4 of the 300 and the rest stay queued until
 * `b` looks, within one interval (plus one idle cycle of a few queries). `a` alone would have to
 * apply 296 repositories in that time, a fraction of a millisecond each, where each costs several
 * database round trips. The run's duration is asserted to be a few intervals, so that a machine
 * fast enough to break this premise says so instead of failing on the owners.
 */
const WORKER_INTERVAL_MS = 100;
const BATCH = 4;

interface AuditJson {
  id: number;
  action: string;
  target: string;
  details: { run?: number; expired?: number };
}

async function auditEntries(server: ServerProcess): Promise<AuditJson[]> {
  const all: AuditJson[] = [];
  for (;;) {
    const after = all.at(-1)?.id ?? 0;
    const { entries } = await server.request<{ entries: AuditJson[] }>(
      'GET',
      `/api/v1/audit?after=${after}&limit=1000`,
    );
    if (entries.length === 0) return all;
    all.push(...entries);
  }
}

describe('two server processes on one PostgreSQL', () => {
  let database: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    await database?.drop();
  });

  it('share one large run: each repository applied once, by one of them, as the engine decides', async () => {
    database = await migratedDatabase('postgresql');
    const env = {
      WINNOW_WORKER_INTERVAL: `${WORKER_INTERVAL_MS}ms`,
      WINNOW_WORKER_BATCH_SIZE: String(BATCH),
      WINNOW_WORKER_CONCURRENCY: '1',
    };
    const [a, b] = await Promise.all([
      startServer(database.url, env),
      startServer(database.url, env),
    ]);
    servers.push(a, b);
    const inventory = fixtureInventory(REPOSITORIES, Date.now());
    await a.request('POST', '/api/v1/inventory/import', inventory);
    await a.request('PUT', '/api/v1/policies/server', SERVER_POLICY);
    const queued = await a.request<RunJson>('POST', '/api/v1/runs', {
      scope: { level: 'server' },
    });
    // Asked through b: either replica answers for the shared database.
    const run = await finishedRun(b, queued.id);

    const expected = decidedExpiries(inventory, run.now);
    const coverage = fixtureCoverage(inventory, run.now);
    expect(Object.values(coverage).every((n) => n > 0)).toBe(true);
    const expiring = [...expected].filter(([, names]) => names.length > 0);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: {
        repositories: REPOSITORIES,
        expired: expiring.reduce((sum, [, names]) => sum + names.length, 0),
        blockedRepositories: coverage.blocked,
        errors: 0,
      },
    });
    const took = Date.parse(run.finishedAt ?? '') - Date.parse(run.startedAt ?? '');
    expect(took).toBeGreaterThan(3 * WORKER_INTERVAL_MS);

    // Every repository done at its first claim, by a or b, with what the engine decides.
    const tasks = await runTasks(database.url, run.id);
    expect(tasks).toHaveLength(REPOSITORIES);
    for (const task of tasks) {
      expect(task).toMatchObject({ status: 'done', attempts: 1, error: null });
      expect(task.counts.expired).toBe(expected.get(task.repository)?.length);
    }
    const byPid = new Map<number, number>();
    for (const task of tasks) {
      const pid = ownerPid(task.owner);
      byPid.set(pid, (byPid.get(pid) ?? 0) + 1);
    }
    expect([...byPid.keys()].sort()).toEqual([a.child.pid, b.child.pid].sort());

    // One audit entry per repository that had expiries, none for the others; the run finished
    // once, though both replicas try to finish it after each batch.
    const audit = await auditEntries(a);
    expect(audit.filter((e) => e.target === `run:${run.id}`).map((e) => e.action)).toEqual([
      'run.create',
      'run.finish',
    ]);
    const expiries = audit.filter((e) => e.action === 'tags.expire');
    expect(expiries.map((e) => e.target).sort()).toEqual(
      expiring.map(([path]) => `repository:${path}`).sort(),
    );
    for (const entry of expiries) {
      const path = entry.target.slice('repository:'.length);
      expect(entry.details).toMatchObject({ run: run.id, expired: expected.get(path)?.length });
    }

    // The tags expired are exactly those decided; every other tag is live.
    expect(await databaseState(database.url)).toEqual(expectedState(inventory, expected, run.id));
    expect([...warnings(a), ...warnings(b)]).toEqual([]);
  });
});

const REGISTRY_REPOSITORIES = 24;
const IMAGES = 4;
/** The policy keeps each repository's newest image: the others are deleted in the registry. */
const REGISTRY_POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    {
      name: 'keep-newest',
      select: { tags: { glob: 'build-*' } },
      match: { newest: 1 },
      then: 'keep',
      else: 'delete',
    },
  ],
};
const buildTag = (image: number) => `build-${image}`;
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not done: ${JSON.stringify(value)}`);
    await pause(100);
  }
}

describe.each([2, 3])(
  '%i server processes on one PostgreSQL and a real registry, one SIGKILLed mid-run',
  (replicas) => {
    let database: TestDatabase | undefined;
    let registry: TestRegistry | undefined;
    let proxy: FaultProxy | undefined;
    const servers: ServerProcess[] = [];
    let reading = true;
    afterAll(async () => {
      reading = false;
      for (const server of servers) server.child.kill('SIGKILL');
      await proxy?.stop();
      await registry?.stop();
      await database?.drop();
    });

    it('takes the leases over, finishes the run, and deletes each digest once', async () => {
      registry = await startRegistry();
      // Winnow talks to the registry through a proxy that records every request it makes.
      proxy = await startFaultProxy(registry.url);
      const client = new DistributionClient({ url: registry.url });
      const doomed: string[] = [];
      await Promise.all(
        Array.from({ length: REGISTRY_REPOSITORIES }, async (_, r) => {
          for (let image = 0; image < IMAGES; image += 1) {
            const { digest } = await pushImage(client, `acme/app-${r}`, {
              tag: buildTag(image),
              label: `app-${r} ${image}`,
              created: new Date(Date.UTC(2026, 0, 1 + image)).toISOString(),
            });
            if (image < IMAGES - 1) doomed.push(`/v2/acme/app-${r}/manifests/${digest}`);
          }
        }),
      );

      database = await migratedDatabase('postgresql');
      const env = {
        WINNOW_WORKER_INTERVAL: '100ms',
        WINNOW_WORKER_BATCH_SIZE: '2',
        WINNOW_WORKER_CONCURRENCY: '1',
        // Short, so that the killed replica's claims are taken over within the test.
        WINNOW_LEASE_DURATION: '2s',
      };
      servers.push(
        ...(await Promise.all(
          Array.from({ length: replicas }, () => startServer(database?.url ?? '', env)),
        )),
      );
      // Each step through another replica: they share everything through the database.
      const at = (i: number): ServerProcess => servers[i % replicas] as ServerProcess;
      await at(0).request('POST', '/api/v1/namespaces', { name: 'acme' });
      await at(1).request('POST', '/api/v1/registries', {
        name: 'local',
        url: proxy.url,
        namespaces: ['acme'],
        deleteImmediately: true,
      });
      const sync = await at(2).request<{ id: number }>('POST', '/api/v1/registries/local/syncs');
      await until(
        'the sync',
        () => at(0).request<{ status: string }>('GET', `/api/v1/registries/local/syncs/${sync.id}`),
        (s) => s.status === 'succeeded',
      );
      await at(1).request('PUT', '/api/v1/policies/server', REGISTRY_POLICY);
      const queued = await at(2).request<RunJson>('POST', '/api/v1/runs', {
        scope: { level: 'server' },
      });

      // Reads through every replica meanwhile: each must answer (request throws on an error).
      let reads = 0;
      const reader = (async () => {
        while (reading) {
          for (const server of servers.filter(
            (s) => s.child.exitCode === null && !s.child.killed,
          )) {
            try {
              await server.request('GET', `/api/v1/runs/${queued.id}`);
              await server.request('GET', '/api/v1/namespaces/acme/repositories/app-0');
              reads += 2;
            } catch (error) {
              // The victim, killed while it answered: only the survivors must answer.
              if (server.child.exitCode === null && !server.child.killed) throw error;
            }
          }
          await pause(50);
        }
      })();

      // SIGKILL replica 0 while it holds a repository's lease.
      const victim = at(0);
      const store = openDatabase(database.url);
      let held: number[] = [];
      try {
        held = await until(
          'a claim by the victim',
          async () =>
            (await store.runs.listTasks(queued.id, { limit: 1000 })).items
              .filter((t) => t.status === 'running' && ownerPid(t.owner) === victim.child.pid)
              .map((t) => t.id),
          (ids) => ids.length > 0,
        );
      } finally {
        await store.close();
      }
      victim.child.kill('SIGKILL');
      await victim.exited;
      const survivors = servers.filter((s) => s !== victim);

      const run = await finishedRun(survivors[0] as ServerProcess, queued.id);
      reading = false;
      await reader;
      expect(reads).toBeGreaterThan(0);
      expect(run).toMatchObject({
        status: 'succeeded',
        counts: {
          repositories: REGISTRY_REPOSITORIES,
          expired: REGISTRY_REPOSITORIES * (IMAGES - 1),
          errors: 0,
        },
      });

      // Nothing stuck; every task done once. Only the victim's claims were taken over, once each,
      // and finished by a survivor.
      const tasks = await runTasks(database.url, run.id);
      expect(tasks).toHaveLength(REGISTRY_REPOSITORIES);
      const survivorPids = survivors.map((s) => s.child.pid);
      for (const task of tasks) {
        expect(task).toMatchObject({ status: 'done', error: null });
        expect(task.counts.expired).toBe(IMAGES - 1);
        if (held.includes(task.id)) {
          expect(task.attempts).toBe(2);
          expect(survivorPids).toContain(ownerPid(task.owner));
        } else {
          expect(task.attempts).toBeLessThanOrEqual(2);
        }
      }
      // Each repository's tags expired by one worker only: one audit entry each.
      const audit = await auditEntries(survivors[0] as ServerProcess);
      expect(
        audit
          .filter((e) => e.action === 'tags.expire')
          .map((e) => e.target)
          .sort(),
      ).toEqual(
        Array.from({ length: REGISTRY_REPOSITORIES }, (_, r) => `repository:acme/app-${r}`).sort(),
      );

      // Deletions: each doomed digest recorded deleted once, and DELETEd in the registry once.
      const deletions = await until(
        'the deletions',
        async () =>
          (
            await at(1).request<{ deletions: { digest: string; outcome: string }[] }>(
              'GET',
              `/api/v1/runs/${run.id}/registry-deletions?limit=1000`,
            )
          ).deletions,
        (list) => list.length >= doomed.length,
      );
      // A few more worker cycles on every survivor: a second deletion would show now.
      await pause(1_000);
      const after = await at(1).request<{ deletions: { digest: string; outcome: string }[] }>(
        'GET',
        `/api/v1/runs/${run.id}/registry-deletions?limit=1000`,
      );
      expect(after.deletions).toHaveLength(deletions.length);
      expect(deletions.every((d) => d.outcome === 'deleted')).toBe(true);
      expect(new Set(deletions.map((d) => d.digest)).size).toBe(doomed.length);
      const deletes = proxy.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
      expect(deletes.sort()).toEqual([...doomed].sort());
      // The registry itself: each repository holds its newest image only.
      for (let r = 0; r < REGISTRY_REPOSITORIES; r += 1) {
        const left: string[] = [];
        for await (const tag of client.tags(`acme/app-${r}`)) left.push(tag);
        expect(left).toEqual([buildTag(IMAGES - 1)]);
      }
    });
  },
);
