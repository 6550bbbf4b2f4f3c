import type { ClaimedTask } from '../src';
import { providers } from './support/databases';
import { decide, digest, MINUTE, repository, runOf, testClock } from './support/runs';
import { useDatabase } from './support/use-database';

const ref = { namespace: 'acme', name: 'web' };
const scope = { level: 'repository', namespace: 'acme', repository: 'web' } as const;

describe.each(providers)('applying a task on %s', (provider) => {
  const clock = testClock('2026-06-01T12:00:00.000Z');
  const db = useDatabase(provider, { clock });
  beforeEach(async () => {
    clock.set('2026-06-01T12:00:00.000Z');
    await db().inventory.importRepositories([
      repository('acme/web', { a: 1, b: 2, c: 3, d: 4, e: 5 }, ['e']),
    ]);
  });
  const claimOne = async (owner = 'w1', leaseMs = MINUTE): Promise<ClaimedTask> => {
    const [task] = await db().runs.claimTasks({ owner, limit: 1, leaseMs });
    if (task === undefined) throw new Error('nothing claimed');
    return task;
  };
  const liveTags = async () =>
    Object.fromEntries(
      ((await db().repositories.get(ref))?.tags ?? []).map((t) => [t.name, t.digest]),
    );

  it('re-checks every tag at apply time: re-pushed, deleted and now immutable tags are not expired', async () => {
    await db().runs.create(runOf(scope));
    const task = await claimOne();
    // Decided against the snapshot, then the registry moved on before the apply.
    await db().tags.put(ref, { name: 'b', digest: digest(7) });
    await db().tags.delete(ref, 'c');
    await db().tags.setImmutable(ref, 'd', true);
    const result = await db().runs.applyTask(task.id, {
      owner: 'w1',
      decisions: [
        decide('acme/web', 'a', 1, 'delete'),
        decide('acme/web', 'b', 2, 'delete'),
        decide('acme/web', 'c', 3, 'delete'),
        decide('acme/web', 'd', 4, 'delete'),
        // The engine never deletes an immutable tag; the store does not trust that either.
        decide('acme/web', 'e', 5, 'delete'),
      ],
    });
    expect(result).toMatchObject({
      applied: true,
      counts: {
        evaluated: 5,
        expired: 1,
        repushed: 1,
        missing: 1,
        skippedImmutable: 2,
      },
    });
    expect(await liveTags()).toEqual({ b: digest(7), d: digest(4), e: digest(5) });
    const outcomes = (await db().runs.listDecisions(task.runId)).items.map((d) => [
      d.tag,
      d.outcome,
    ]);
    expect(outcomes).toEqual([
      ['a', 'expired'],
      ['b', 'repushed'],
      ['c', 'missing'],
      ['d', 'skipped-immutable'],
      ['e', 'skipped-immutable'],
    ]);
  });

  it('a dry run records its decisions and changes no tag', async () => {
    const run = await db().runs.create(runOf(scope, { dryRun: true }));
    const before = await liveTags();
    const task = await claimOne();
    expect(task.run.dryRun).toBe(true);
    await db().runs.applyTask(task.id, {
      owner: 'w1',
      decisions: [decide('acme/web', 'a', 1, 'delete'), decide('acme/web', 'b', 2, 'keep')],
    });
    expect(await liveTags()).toEqual(before);
    expect(await db().tags.listExpired(ref)).toEqual([]);
    expect((await db().runs.finish(run.id))?.counts).toMatchObject({
      evaluated: 2,
      dryRun: 1,
      kept: 1,
      expired: 0,
    });
    expect((await db().runs.listDecisions(run.id)).items.map((d) => d.outcome)).toEqual([
      'dry-run',
      'kept',
    ]);
  });

  const onlyTask = async () => {
    const runId = (await db().runs.list({})).items[0]?.id ?? 0;
    const [task] = (await db().runs.listTasks(runId)).items;
    return task;
  };

  it('fails a task whose lease ran out three times while it was worked instead of claiming it again', async () => {
    await db().runs.create(runOf(scope));
    for (let attempt = 1; attempt <= 3; attempt++) {
      const task = await claimOne(`w${attempt}`, 1000);
      expect(task.attempts).toBe(attempt);
      expect(await db().runs.startTask(task.id, { owner: `w${attempt}` })).toBe(true);
      clock.advance(1001); // the worker dies in the middle of it
    }
    expect(await db().runs.claimTasks({ owner: 'w4', limit: 10, leaseMs: 1000 })).toEqual([]);
    const abandoned = await onlyTask();
    expect(abandoned).toMatchObject({
      status: 'failed',
      attempts: 3,
      executions: 3,
      error: { code: 'WINNOW_TASK_ABANDONED' },
    });
    expect(abandoned?.error?.message).toContain('stopped 3 times while working it');
    expect(await liveTags()).toHaveProperty('a');
  });

  it('takes over, however often, a task whose leases ran out before its work began', async () => {
    await db().runs.create(runOf(scope));
    // A worker killed with a batch in hand, 5 times: this repository was never being worked.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const task = await claimOne(`w${attempt}`, 1000);
      expect(task.attempts).toBe(attempt);
      clock.advance(1001);
    }
    const task = await claimOne('w6');
    expect(task.attempts).toBe(6);
    expect(await db().runs.startTask(task.id, { owner: 'w6' })).toBe(true);
    const decisions = [decide('acme/web', 'a', 1, 'delete')];
    expect(await db().runs.applyTask(task.id, { owner: 'w6', decisions })).toMatchObject({
      applied: true,
    });
    expect(await onlyTask()).toMatchObject({
      status: 'done',
      attempts: 6,
      executions: 1,
      error: null,
    });
    expect(await liveTags()).not.toHaveProperty('a');
  });

  it('counts only the leases that ran out while the task was worked', async () => {
    await db().runs.create(runOf(scope));
    const expire = async (owner: string, worked: boolean): Promise<void> => {
      const task = await claimOne(owner, 1000);
      if (worked) expect(await db().runs.startTask(task.id, { owner })).toBe(true);
      clock.advance(1001);
    };
    await expire('w1', true);
    await expire('w2', false);
    await expire('w3', true);
    await expire('w4', false);
    await expire('w5', false);
    expect(await onlyTask()).toMatchObject({ status: 'running', attempts: 5, executions: 2 });
    await expire('w6', true);
    expect(await db().runs.claimTasks({ owner: 'w7', limit: 10, leaseMs: 1000 })).toEqual([]);
    expect(await onlyTask()).toMatchObject({
      status: 'failed',
      attempts: 6,
      executions: 3,
      error: { code: 'WINNOW_TASK_ABANDONED' },
    });
  });

  it('does not count work given back, nor start a task whose lease is lost', async () => {
    await db().runs.create(runOf(scope));
    for (let round = 1; round <= 4; round++) {
      const task = await claimOne('w1', 1000);
      expect(await db().runs.startTask(task.id, { owner: 'w1' })).toBe(true);
      // The worker's database went away in the middle of it; once back, it gives the task back.
      expect(await db().runs.releaseTasks({ owner: 'w1' })).toBe(1);
      expect(await onlyTask()).toMatchObject({ status: 'queued', attempts: 0, executions: 0 });
    }
    const task = await claimOne('w1', 1000);
    expect(await db().runs.startTask(task.id, { owner: 'w2' })).toBe(false);
    clock.advance(1000);
    expect(await db().runs.startTask(task.id, { owner: 'w1' })).toBe(false);
    expect(await onlyTask()).toMatchObject({ status: 'running', executions: 0 });
  });

  it('applies nothing when the lease was lost: taken over after it expired', async () => {
    await db().runs.create(runOf(scope));
    const first = await claimOne('w1', 1000);
    clock.advance(1001);
    // w1 crashed (or stalled): its lease expired and w2 takes the task over.
    const second = await claimOne('w2');
    expect([second.id, second.attempts]).toEqual([first.id, 2]);
    const decisions = [decide('acme/web', 'a', 1, 'delete')];
    expect(await db().runs.applyTask(first.id, { owner: 'w1', decisions })).toEqual({
      applied: false,
    });
    expect(
      await db().runs.failTask(first.id, { owner: 'w1', error: { code: 'X', message: 'x' } }),
    ).toBe(false);
    expect(await liveTags()).toHaveProperty('a');
    const [task] = (await db().runs.listTasks(first.runId)).items;
    expect(task).toMatchObject({ status: 'running', owner: 'w2', attempts: 2, error: null });
    expect(await db().runs.applyTask(first.id, { owner: 'w2', decisions })).toMatchObject({
      applied: true,
    });
    expect(await liveTags()).not.toHaveProperty('a');
  });

  it('applies nothing when the lease expired, even if nobody took the task over', async () => {
    await db().runs.create(runOf(scope));
    const task = await claimOne('w1', 1000);
    clock.advance(1000);
    const result = await db().runs.applyTask(task.id, {
      owner: 'w1',
      decisions: [decide('acme/web', 'a', 1, 'delete')],
    });
    expect(result).toEqual({ applied: false });
    expect(await liveTags()).toHaveProperty('a');
    expect((await db().runs.listDecisions(task.runId)).items).toEqual([]);
  });

  it('applies a task once: a second apply by the same owner writes nothing', async () => {
    await db().runs.create(runOf(scope));
    const task = await claimOne();
    await db().runs.applyTask(task.id, {
      owner: 'w1',
      decisions: [decide('acme/web', 'a', 1, 'delete')],
    });
    await db().tags.put(ref, { name: 'a', digest: digest(1) });
    const again = await db().runs.applyTask(task.id, {
      owner: 'w1',
      decisions: [decide('acme/web', 'a', 1, 'delete')],
    });
    expect(again).toEqual({ applied: false });
    expect(await liveTags()).toHaveProperty('a');
  });
});
