import { DbErrorCode } from '../src';
import { collect } from './fixtures';
import { providers } from './support/databases';
import { decide, digest, MINUTE, repository, runOf, testClock } from './support/runs';
import { useDatabase } from './support/use-database';

const START = '2026-06-01T12:00:00.000Z';

describe.each(providers)('retention runs on %s', (provider) => {
  const clock = testClock(START);
  const db = useDatabase(provider, { clock });
  beforeEach(async () => {
    clock.set(START);
    await db().inventory.importRepositories([
      repository('acme/web', { a: 1, b: 2, c: 3 }, ['c']),
      repository('acme/api', { x: 4 }),
      repository('beta/db', { y: 5 }),
    ]);
  });
  const acme = runOf({ level: 'namespace', namespace: 'acme' });

  it('creates a run with a task per repository, claims, applies and finishes it', async () => {
    const run = await db().runs.create(acme);
    expect(run).toMatchObject({
      scope: { level: 'namespace', namespace: 'acme' },
      dryRun: false,
      trigger: 'api',
      triggeredBy: 'alice',
      status: 'queued',
      now: acme.now,
      createdAt: new Date(START),
      startedAt: null,
      counts: { repositories: 2, evaluated: 0 },
      tasks: { queued: 2, running: 0, done: 0 },
    });
    const tasks = (await db().runs.listTasks(run.id)).items;
    expect(tasks.map((t) => [t.repository, t.status, t.owner])).toEqual([
      ['acme/web', 'queued', null],
      ['acme/api', 'queued', null],
    ]);

    const claimed = await db().runs.claimTasks({ owner: 'w1', limit: 10, leaseMs: MINUTE });
    expect(claimed.map((t) => [t.repository, t.attempts, t.run.now, t.run.dryRun])).toEqual([
      [{ namespace: 'acme', name: 'web' }, 1, acme.now, false],
      [{ namespace: 'acme', name: 'api' }, 1, acme.now, false],
    ]);
    expect(claimed[0]?.leaseExpiresAt).toEqual(new Date(Date.parse(START) + MINUTE));
    expect(await db().runs.get(run.id)).toMatchObject({ status: 'running', startedAt: clock() });
    const [web, api] = claimed as [(typeof claimed)[0], (typeof claimed)[0]];

    clock.advance(1000);
    const webResult = await db().runs.applyTask(web.id, {
      owner: 'w1',
      decisions: [
        decide('acme/web', 'a', 1, 'delete'),
        decide('acme/web', 'b', 2, 'keep'),
        decide('acme/web', 'c', 3, 'keep', 'immutable'),
      ],
    });
    expect(webResult).toMatchObject({
      applied: true,
      counts: { evaluated: 3, expired: 1, kept: 1, skippedImmutable: 1 },
    });
    // Live sums while the run is unfinished; not finished while a task runs.
    expect((await db().runs.get(run.id))?.counts).toMatchObject({ evaluated: 3, expired: 1 });
    expect(await db().runs.finish(run.id)).toBeNull();

    await db().runs.applyTask(api.id, {
      owner: 'w1',
      decisions: [
        decide('acme/api', 'x', 4, 'keep', 'safety'),
        decide('acme/api', null, 9, 'delete'),
      ],
    });
    clock.advance(1000);
    const finished = await db().runs.finish(run.id);
    expect(finished).toMatchObject({
      status: 'succeeded',
      finishedAt: clock(),
      tasks: { done: 2, queued: 0, running: 0, failed: 0, cancelled: 0 },
      counts: {
        repositories: 2,
        errors: 0,
        blockedRepositories: 1,
        evaluated: 5,
        kept: 1,
        expired: 1,
        dryRun: 0,
        skippedImmutable: 1,
        blocked: 1,
        repushed: 0,
        missing: 0,
        untagged: 1,
      },
    });
    // The expired tag left the live inventory; the others did not.
    const ref = { namespace: 'acme', name: 'web' };
    expect(await db().tags.get(ref, 'a')).toBeNull();
    expect((await db().repositories.get(ref))?.tags.map((t) => t.name)).toEqual(['b', 'c']);
    const exported = await collect(db().inventory.exportRepositories());
    expect(
      exported.flatMap((r) => r.tags.map((t) => `${r.namespace}/${r.name}:${t.name}`)),
    ).toEqual(['acme/api:x', 'acme/web:b', 'acme/web:c', 'beta/db:y']);
    expect(await db().tags.listExpired(ref)).toEqual([
      {
        repository: ref,
        tag: { name: 'a', digest: digest(1), immutable: false, labels: [] },
        expiredAt: new Date(Date.parse(START) + 1000),
        runId: run.id,
      },
    ]);
    const doneTasks = (await db().runs.listTasks(run.id)).items;
    expect(doneTasks.map((t) => [t.status, t.owner, t.leaseExpiresAt, t.counts.evaluated])).toEqual(
      [
        ['done', 'w1', null, 3],
        ['done', 'w1', null, 2],
      ],
    );
  });

  it('lists decisions with their outcomes, filtered and paged across tasks', async () => {
    const run = await db().runs.create(acme);
    const [web, api] = await db().runs.claimTasks({ owner: 'w1', limit: 2, leaseMs: MINUTE });
    const webDecisions = [
      decide('acme/web', 'a', 1, 'delete'),
      decide('acme/web', 'b', 2, 'keep'),
      decide('acme/web', 'c', 3, 'keep', 'immutable'),
    ];
    await db().runs.applyTask(web?.id ?? 0, { owner: 'w1', decisions: webDecisions });
    await db().runs.applyTask(api?.id ?? 0, {
      owner: 'w1',
      decisions: [decide('acme/api', 'x', 4, 'delete')],
    });

    const all = await db().runs.listDecisions(run.id);
    expect(all.next).toBeNull();
    expect(all.items).toEqual([
      { ...webDecisions[0], outcome: 'expired' },
      { ...webDecisions[1], outcome: 'kept' },
      { ...webDecisions[2], outcome: 'skipped-immutable' },
      { ...decide('acme/api', 'x', 4, 'delete'), outcome: 'expired' },
    ]);
    // The records keep the engine's field order, then the outcome.
    expect(Object.keys(all.items[0] ?? {})).toEqual([
      ...Object.keys(webDecisions[0] ?? {}),
      'outcome',
    ]);
    const tagsOf = (page: { items: { repository: string; tag: string | null }[] }) =>
      page.items.map((d) => `${d.repository}:${d.tag ?? ''}`);
    expect(tagsOf(await db().runs.listDecisions(run.id, { decision: 'delete' }))).toEqual([
      'acme/web:a',
      'acme/api:x',
    ]);
    expect(tagsOf(await db().runs.listDecisions(run.id, { stage: 'immutable' }))).toEqual([
      'acme/web:c',
    ]);
    expect(tagsOf(await db().runs.listDecisions(run.id, { outcome: 'expired' }))).toEqual([
      'acme/web:a',
      'acme/api:x',
    ]);
    expect(tagsOf(await db().runs.listDecisions(run.id, { repository: 'acme/api' }))).toEqual([
      'acme/api:x',
    ]);
    const pages: string[][] = [];
    let after;
    do {
      const page = await db().runs.listDecisions(run.id, { limit: 3, after });
      pages.push(tagsOf(page));
      after = page.next ?? undefined;
    } while (after !== undefined);
    expect(pages).toEqual([['acme/web:a', 'acme/web:b', 'acme/web:c'], ['acme/api:x']]);
  });

  it('covers the scope: server (every repository), one repository; an empty or missing one', async () => {
    const server = await db().runs.create(runOf({ level: 'server' }));
    expect(server.counts.repositories).toBe(3);
    const one = await db().runs.create(
      runOf({ level: 'repository', namespace: 'beta', repository: 'db' }),
    );
    expect((await db().runs.listTasks(one.id)).items.map((t) => t.repository)).toEqual(['beta/db']);
    await expect(
      db().runs.create(runOf({ level: 'repository', namespace: 'beta', repository: 'nope' })),
    ).rejects.toMatchObject({ code: DbErrorCode.notFound });
    await expect(
      db().runs.create(runOf({ level: 'namespace', namespace: 'nope' })),
    ).rejects.toMatchObject({ code: DbErrorCode.notFound });
    await expect(db().runs.create(runOf({ level: 'namespace' }))).rejects.toMatchObject({
      code: DbErrorCode.invalidArgument,
    });
    await db().namespaces.create({ name: 'empty', kind: 'normal', settings: {} });
    const empty = await db().runs.create(runOf({ level: 'namespace', namespace: 'empty' }));
    expect(empty).toMatchObject({ status: 'succeeded', counts: { repositories: 0 } });
    expect(empty.finishedAt).toEqual(clock());
  });

  it('lists runs newest first, by keyset pages, filtered by status and trigger', async () => {
    const ids: number[] = [];
    for (const trigger of ['api', 'schedule', 'cli', 'schedule'] as const) {
      ids.push((await db().runs.create({ ...acme, trigger })).id);
    }
    await db().runs.requestCancel(ids[0] ?? 0);
    const first = await db().runs.list({ limit: 3 });
    expect(first.items.map((r) => r.id)).toEqual([ids[3], ids[2], ids[1]]);
    const second = await db().runs.list({ limit: 3, before: first.next ?? 0 });
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })], next: null });
    const scheduled = await db().runs.list({ trigger: 'schedule' });
    expect(scheduled.items.map((r) => r.id)).toEqual([ids[3], ids[1]]);
    const cancelled = await db().runs.list({ status: 'cancelled' });
    expect(cancelled.items.map((r) => r.id)).toEqual([ids[0]]);
    expect(await db().runs.get(9999)).toBeNull();
  });

  it('rejects decisions of another repository, writing nothing', async () => {
    await db().runs.create(acme);
    const [web] = await db().runs.claimTasks({ owner: 'w1', limit: 1, leaseMs: MINUTE });
    await expect(
      db().runs.applyTask(web?.id ?? 0, {
        owner: 'w1',
        decisions: [decide('acme/web', 'a', 1, 'delete'), decide('acme/api', 'x', 4, 'delete')],
      }),
    ).rejects.toMatchObject({ code: DbErrorCode.invalidArgument });
    expect(await db().tags.get({ namespace: 'acme', name: 'web' }, 'a')).not.toBeNull();
    expect((await db().runs.listTasks(web?.runId ?? 0)).items[0]?.status).toBe('running');
  });
});
