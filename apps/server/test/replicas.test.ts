import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
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
