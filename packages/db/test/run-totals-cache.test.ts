import { type Database, openDatabase } from '../src';
import { migratedDatabase, providers, type TestDatabase } from './support/databases';
import { decide, MINUTE, repository, runOf } from './support/runs';

describe.each(providers)('runs read with their task sums kept briefly, on %s', (provider) => {
  let created: TestDatabase;
  let cached: Database;
  let exact: Database;
  beforeEach(async () => {
    created = await migratedDatabase(provider);
    cached = openDatabase(created.url, { runTotalsMaxAgeMs: 60_000 });
    exact = openDatabase(created.url);
    await exact.inventory.importRepositories([
      repository('acme/web', { a: 1, b: 2 }),
      repository('acme/api', { x: 4 }),
    ]);
  });
  afterEach(async () => {
    await cached.close();
    await exact.close();
    await created.drop();
  });

  it('answers a run in progress from sums up to maxAge old, and a finished run from its final sums', async () => {
    const run = await exact.runs.create(runOf({ level: 'namespace', namespace: 'acme' }));
    const [web, api] = await exact.runs.claimTasks({ owner: 'w1', limit: 2, leaseMs: MINUTE });
    expect((await cached.runs.get(run.id))?.tasks).toMatchObject({ running: 2, done: 0 });

    await exact.runs.applyTask(web?.id ?? 0, {
      owner: 'w1',
      decisions: [decide('acme/web', 'a', 1, 'delete'), decide('acme/web', 'b', 2, 'keep')],
    });
    // Within maxAge: the sums read before the task was applied, by get and by list alike.
    expect((await cached.runs.get(run.id))?.tasks).toMatchObject({ running: 2, done: 0 });
    expect((await cached.runs.list()).items[0]?.counts).toMatchObject({ evaluated: 0 });
    // Without the cache (the data layer's default), and inside a transaction: summed every time.
    expect((await exact.runs.get(run.id))?.tasks).toMatchObject({ running: 1, done: 1 });
    const inside = await cached.transaction((stores) => stores.runs.get(run.id));
    expect(inside?.tasks).toMatchObject({ running: 1, done: 1 });

    await exact.runs.applyTask(api?.id ?? 0, {
      owner: 'w1',
      decisions: [decide('acme/api', 'x', 4, 'keep')],
    });
    expect(await exact.runs.finish(run.id)).not.toBeNull();
    // Finished: sums taken while it ran never answer for it.
    const finished = await cached.runs.get(run.id);
    expect(finished?.tasks).toMatchObject({ running: 0, done: 2 });
    expect(finished?.counts).toMatchObject({ evaluated: 3, expired: 1 });
    expect((await cached.runs.list()).items[0]?.tasks).toMatchObject({ done: 2 });
  });
});
