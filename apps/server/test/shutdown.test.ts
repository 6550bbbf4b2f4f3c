import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
import { providers } from './database';
import {
  databaseState,
  decidedExpiries,
  fixtureInventory,
  expectedState,
  runRecord,
  runTasks,
} from './retention-fixture';
import { finishedRun, ownerPid, type ServerProcess, startServer, warnings } from './server-process';
import { startRun, waitForDone } from './support/retention-run';

jest.setTimeout(120_000);

const REPOSITORIES = 300;
const SHUTDOWN_TIMEOUT_MS = 10_000;
/**
 * Tasks are claimed 100 at a time and the SIGTERM is sent once 10 repositories are done: it lands
 * in the first batch, with some 90 tasks claimed and not started, which the shutdown must give
 * back. The signal has the time of those 90 repositories to arrive (asserted, so that a test that
 * did not get there says so).
 */
const ENV = {
  WINNOW_WORKER_BATCH_SIZE: '100',
  WINNOW_WORKER_CONCURRENCY: '2',
  WINNOW_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
};
const DONE_BEFORE_SIGTERM = 10;

describe.each(providers)('SIGTERM in the middle of a run on %s', (provider) => {
  const databases: TestDatabase[] = [];
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    for (const database of databases) await database.drop();
  });

  it('exits 0, leaves each repository applied or untouched, and a restart ends where an uninterrupted run does', async () => {
    const database = await migratedDatabase(provider);
    databases.push(database);
    const first = await startServer(database.url, ENV);
    servers.push(first);
    const inventory = fixtureInventory(REPOSITORIES, Date.now());
    const queued = await startRun(first, inventory);
    await waitForDone(first, queued.id, DONE_BEFORE_SIGTERM);
    const stopping = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(warnings(first)).toEqual([]);

    const stopped = await runRecord(database.url, queued.id);
    expect(stopped).toMatchObject({ status: 'running', finishedAt: null, tasks: { running: 0 } });

    // Each repository applied whole (done: its decided tags expired, the others live) or
    // untouched (queued again, every tag live, no lease); none half-applied, none held.
    const expected = decidedExpiries(inventory, queued.now);
    const tasks = await runTasks(database.url, queued.id);
    expect(tasks).toHaveLength(REPOSITORIES);
    const applied = new Set(tasks.filter((t) => t.status === 'done').map((t) => t.repository));
    expect(await databaseState(database.url)).toEqual(
      expectedState(inventory, expected, queued.id, (path) => applied.has(path)),
    );
    for (const task of tasks) {
      if (task.status === 'done') {
        // Worked once (its start noted: a kill in the middle would have counted against it).
        expect(task).toMatchObject({ attempts: 1, executions: 1, leaseExpiresAt: null });
        expect(ownerPid(task.owner)).toBe(first.child.pid);
      } else {
        expect(task).toMatchObject({ status: 'queued', owner: null, leaseExpiresAt: null });
        expect(task).toMatchObject({ attempts: 0, executions: 0 });
      }
    }
    const done = tasks.filter((t) => t.status === 'done').length;
    const givenBack = tasks.filter((t) => t.status === 'queued' && t.startedAt !== null).length;
    expect(done).toBeGreaterThanOrEqual(DONE_BEFORE_SIGTERM);
    expect(stopped.tasks).toMatchObject({ done, queued: REPOSITORIES - done });
    expect(givenBack).toBeGreaterThan(0);

    // Restarted on the same database, the run finishes; an uninterrupted run of the same
    // snapshot and policy on a fresh database ends with the same tags live and expired.
    const fresh = await migratedDatabase(provider);
    databases.push(fresh);
    const [second, uninterrupted] = await Promise.all([
      startServer(database.url, ENV),
      startServer(fresh.url, ENV),
    ]);
    servers.push(second, uninterrupted);
    const reference = await startRun(uninterrupted, inventory);
    const [resumed, whole] = await Promise.all([
      finishedRun(second, queued.id),
      finishedRun(uninterrupted, reference.id),
    ]);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.counts).toEqual(whole.counts);
    const resumedTasks = await runTasks(database.url, queued.id);
    expect(
      resumedTasks.every((t) => t.status === 'done' && t.attempts === 1 && t.executions === 1),
    ).toBe(true);
    const pids = new Set(resumedTasks.map((t) => ownerPid(t.owner)));
    expect(pids).toEqual(new Set([first.child.pid, second.child.pid]));
    const final = await databaseState(database.url);
    expect(final).toEqual(expectedState(inventory, expected, queued.id));
    expect(reference.id).toBe(queued.id);
    expect(final).toEqual(await databaseState(fresh.url));
    expect([...warnings(second), ...warnings(uninterrupted)]).toEqual([]);
  });
});
