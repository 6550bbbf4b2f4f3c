import { type ClaimedTask, type Database, openDatabase } from '../src';
import { migratedDatabase, type TestDatabase } from './support/databases';
import { decide, MINUTE, repository, runOf } from './support/runs';

const REPOSITORIES = 120;

/** Replicas on one PostgreSQL: each its own Database (its own connection pool). */
describe('claims by two replicas on one PostgreSQL', () => {
  let database: TestDatabase;
  let replicas: [Database, Database];
  let runId: number;
  beforeEach(async () => {
    database = await migratedDatabase('postgresql');
    replicas = [openDatabase(database.url), openDatabase(database.url)];
    await replicas[0].inventory.importRepositories(
      Array.from({ length: REPOSITORIES }, (_, i) => repository(`acme/r${String(i)}`, { v1: 1 })),
    );
    runId = (await replicas[0].runs.create(runOf({ level: 'server' }))).id;
  });
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await database.drop();
  });

  const ids = (tasks: readonly ClaimedTask[]) => tasks.map((t) => t.id);

  it('never hands the same task to both, even when both ask for everything at once', async () => {
    const [one, two] = await Promise.all(
      replicas.map((r, i) =>
        r.runs.claimTasks({ owner: `w${String(i)}`, limit: REPOSITORIES, leaseMs: MINUTE }),
      ),
    );
    const both = [...ids(one ?? []), ...ids(two ?? [])];
    expect(new Set(both).size).toBe(both.length);
    expect(both).toHaveLength(REPOSITORIES);
  });

  it('processes a whole run together, each repository exactly once, by the worker holding it', async () => {
    const work = async (db: Database, owner: string): Promise<number[]> => {
      const done: number[] = [];
      for (;;) {
        const tasks = await db.runs.claimTasks({ owner, limit: 5, leaseMs: MINUTE });
        if (tasks.length === 0) return done;
        for (const task of tasks) {
          const path = `${task.repository.namespace}/${task.repository.name}`;
          const result = await db.runs.applyTask(task.id, {
            owner,
            decisions: [decide(path, 'v1', 1, 'delete')],
          });
          if (result.applied) done.push(task.id);
        }
      }
    };
    const [byOne, byTwo] = await Promise.all([work(replicas[0], 'w0'), work(replicas[1], 'w1')]);
    const all = [...byOne, ...byTwo];
    expect(new Set(all).size).toBe(REPOSITORIES);
    expect(all).toHaveLength(REPOSITORIES);
    const run = await replicas[0].runs.finish(runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { expired: REPOSITORIES, missing: 0 },
    });
    const tasks = (await replicas[0].runs.listTasks(runId, { limit: REPOSITORIES })).items;
    const owners = new Map(tasks.map((t) => [t.id, [t.owner, t.attempts]]));
    for (const id of byOne) expect(owners.get(id)).toEqual(['w0', 1]);
    for (const id of byTwo) expect(owners.get(id)).toEqual(['w1', 1]);
  });
});
