import { DbErrorCode } from '../src';
import { providers } from './support/databases';
import { decide, MINUTE, repository, runOf, testClock } from './support/runs';
import { useDatabase } from './support/use-database';

const error = { code: 'WINNOW_REGISTRY_UNAVAILABLE', message: 'registry answered 503' };

describe.each(providers)('run lifecycle on %s', (provider) => {
  const clock = testClock('2026-06-01T12:00:00.000Z');
  const db = useDatabase(provider, { clock });
  let runId: number;
  beforeEach(async () => {
    clock.set('2026-06-01T12:00:00.000Z');
    await db().inventory.importRepositories([
      repository('acme/a', { v1: 1 }),
      repository('acme/b', { v1: 1 }),
      repository('acme/c', { v1: 1 }),
    ]);
    runId = (await db().runs.create(runOf({ level: 'namespace', namespace: 'acme' }))).id;
  });
  const claim = (owner: string, limit: number, leaseMs = MINUTE) =>
    db().runs.claimTasks({ owner, limit, leaseMs });
  const statuses = async () => (await db().runs.listTasks(runId)).items.map((t) => t.status);

  it('a heartbeat keeps the lease: nobody else claims the task meanwhile', async () => {
    const [task] = await claim('w1', 1, 1000);
    clock.advance(800);
    expect(
      await db().runs.heartbeat({ owner: 'w1', taskIds: [task?.id ?? 0], leaseMs: 1000 }),
    ).toEqual([
      {
        taskId: task?.id,
        leaseExpiresAt: new Date(clock().getTime() + 1000),
        cancelRequested: false,
      },
    ]);
    clock.advance(800); // past the first lease, within the extended one
    expect((await claim('w2', 10)).map((t) => t.repository.name)).toEqual(['b', 'c']);
    expect(
      await db().runs.heartbeat({ owner: 'w2', taskIds: [task?.id ?? 0], leaseMs: 1000 }),
    ).toEqual([]);
    const applied = await db().runs.applyTask(task?.id ?? 0, {
      owner: 'w1',
      decisions: [decide('acme/a', 'v1', 1, 'delete')],
    });
    expect(applied.applied).toBe(true);
  });

  it('release returns unfinished tasks to the queue (shutdown); another worker takes them', async () => {
    const tasks = await claim('w1', 2);
    await db().runs.applyTask(tasks[0]?.id ?? 0, { owner: 'w1', decisions: [] });
    expect(await db().runs.releaseTasks({ owner: 'w1' })).toBe(1);
    expect(await statuses()).toEqual(['done', 'queued', 'queued']);
    // A task given back was not lost: its claim does not count as an attempt.
    expect((await claim('w2', 10)).map((t) => [t.repository.name, t.attempts])).toEqual([
      ['b', 1],
      ['c', 1],
    ]);
  });

  it('a failed repository makes the run partial, and the others are still applied', async () => {
    const [a, b, c] = await claim('w1', 3);
    expect(await db().runs.failTask(b?.id ?? 0, { owner: 'w1', error })).toBe(true);
    for (const task of [a, c]) {
      const path = `acme/${task?.repository.name ?? ''}`;
      await db().runs.applyTask(task?.id ?? 0, {
        owner: 'w1',
        decisions: [decide(path, 'v1', 1, 'delete')],
      });
    }
    const run = await db().runs.finish(runId);
    expect(run).toMatchObject({ status: 'partial', counts: { errors: 1, expired: 2 } });
    expect((await db().runs.listTasks(runId, { status: 'failed' })).items).toEqual([
      expect.objectContaining({ repository: 'acme/b', error, finishedAt: clock() }),
    ]);
  });

  it('a run whose every repository failed has failed', async () => {
    for (const task of await claim('w1', 3)) {
      await db().runs.failTask(task.id, { owner: 'w1', error });
    }
    expect(await db().runs.finish(runId)).toMatchObject({
      status: 'failed',
      counts: { errors: 3 },
    });
  });

  it('cancel: queued tasks stop at once, the running one ends, the run ends cancelled', async () => {
    const [running] = await claim('w1', 1);
    const asked = await db().runs.requestCancel(runId);
    expect(asked).toMatchObject({ status: 'running', cancelRequested: true, finishedAt: null });
    expect(await statuses()).toEqual(['running', 'cancelled', 'cancelled']);
    expect(await claim('w2', 10)).toEqual([]);
    const [lease] = await db().runs.heartbeat({
      owner: 'w1',
      taskIds: [running?.id ?? 0],
      leaseMs: MINUTE,
    });
    expect(lease?.cancelRequested).toBe(true);
    // The repository in hand is finished, then the run.
    await db().runs.applyTask(running?.id ?? 0, { owner: 'w1', decisions: [] });
    expect(await db().runs.finishCompleted()).toEqual([
      expect.objectContaining({
        id: runId,
        status: 'cancelled',
        tasks: { queued: 0, running: 0, done: 1, failed: 0, cancelled: 2 },
      }),
    ]);
    expect(await db().runs.finishCompleted()).toEqual([]);
    // Cancelling a finished run changes nothing; an unknown one is not found.
    expect((await db().runs.requestCancel(runId)).status).toBe('cancelled');
    await expect(db().runs.requestCancel(runId + 1000)).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
  });

  it('cancel before any claim ends the run at once; released or abandoned tasks of a cancelled run are cancelled', async () => {
    expect(await db().runs.requestCancel(runId)).toMatchObject({
      status: 'cancelled',
      tasks: { cancelled: 3 },
    });
    const other = await db().runs.create(runOf({ level: 'namespace', namespace: 'acme' }));
    const [released, abandoned] = await claim('w1', 2, 1000);
    await db().runs.requestCancel(other.id);
    expect(await db().runs.releaseTasks({ owner: 'w1', taskIds: [released?.id ?? 0] })).toBe(1);
    clock.advance(1000); // w1 died holding the other one: a claim cancels it when its lease ends
    expect(await claim('w2', 10)).toEqual([]);
    expect((await db().runs.listTasks(other.id)).items.map((t) => [t.id, t.status])).toEqual([
      [released?.id, 'cancelled'],
      [abandoned?.id, 'cancelled'],
      [expect.any(Number), 'cancelled'],
    ]);
    expect((await db().runs.finishCompleted()).map((r) => [r.id, r.status])).toEqual([
      [other.id, 'cancelled'],
    ]);
  });
});
