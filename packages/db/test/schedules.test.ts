import type { PolicyDocument, Scope } from '@winnow/engine';
import { DbErrorCode } from '../src';
import { policy } from './fixtures';
import { repository } from './support/runs';
import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

const repositoryScope = policy([]).scope;
const documentAt = (scope: Scope): PolicyDocument => ({ ...policy(['a']), scope });
const namespaceScope: Scope = { level: 'namespace', namespace: 'acme' };
const at = (iso: string) => new Date(iso);
const schedule = (nextRunAt: string) => ({
  cron: '0 3 * * *',
  timezone: 'Europe/Paris',
  dryRun: false,
  nextRunAt: at(nextRunAt),
});

describe.each(providers)('policy schedules on %s', (provider) => {
  const db = useDatabase(provider);

  it('sets, reads, keeps across a new revision, and clears a schedule', async () => {
    await expect(db().schedules.get(repositoryScope)).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
    await db().policies.put(policy(['a']), 'alice');
    expect(await db().schedules.get(repositoryScope)).toBeNull();
    expect(await db().schedules.set(repositoryScope, schedule('2026-11-02T02:00:00Z'))).toEqual({
      ...schedule('2026-11-02T02:00:00Z'),
      lastRunId: null,
    });
    await db().policies.put(policy(['a', 'b']), 'bob');
    expect(await db().schedules.get(repositoryScope)).toMatchObject({ cron: '0 3 * * *' });
    expect(await db().schedules.clear(repositoryScope)).toBe(true);
    expect(await db().schedules.clear(repositoryScope)).toBe(false);
    expect(await db().schedules.get(repositoryScope)).toBeNull();
    await db().schedules.set(repositoryScope, schedule('2026-11-02T02:00:00Z'));
    await db().policies.delete(repositoryScope);
    await expect(db().schedules.get(repositoryScope)).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
    await expect(
      db().schedules.set(namespaceScope, schedule('2026-11-02T02:00:00Z')),
    ).rejects.toMatchObject({ code: DbErrorCode.notFound });
  });

  it('claims the due schedules, earliest first, and advances them', async () => {
    await db().policies.put(documentAt(repositoryScope), 'alice');
    await db().policies.put(documentAt(namespaceScope), 'alice');
    await db().policies.put(documentAt({ level: 'server' }), 'alice');
    await db().schedules.set(repositoryScope, schedule('2026-11-01T03:00:00Z'));
    await db().schedules.set(namespaceScope, schedule('2026-11-01T01:00:00Z'));
    await db().schedules.set({ level: 'server' }, schedule('2026-11-05T00:00:00Z'));
    const due = await db().transaction(async (stores) => {
      const claimed = await stores.schedules.claimDue(10, at('2026-11-01T12:00:00Z'));
      for (const s of claimed)
        await stores.schedules.advance(s.policyId, at('2026-11-02T00:00:00Z'), 7);
      return claimed;
    });
    expect(due.map((s) => [s.scope, s.nextRunAt.toISOString()])).toEqual([
      [namespaceScope, '2026-11-01T01:00:00.000Z'],
      [repositoryScope, '2026-11-01T03:00:00.000Z'],
    ]);
    expect(await db().schedules.get(namespaceScope)).toMatchObject({
      nextRunAt: at('2026-11-02T00:00:00Z'),
      lastRunId: 7,
    });
    expect(await db().schedules.claimDue(10, at('2026-11-01T12:00:00Z'))).toEqual([]);
    expect(await db().schedules.claimDue(1, at('2026-11-06T00:00:00Z'))).toHaveLength(1);
  });

  it("leaves the policy's revision and updatedAt alone: they are its document's", async () => {
    const put = await db().policies.put(policy(['a']), 'alice');
    await db().schedules.set(repositoryScope, schedule('2026-11-02T02:00:00Z'));
    await db().transaction(async (stores) => {
      const [due] = await stores.schedules.claimDue(10, at('2026-11-03T00:00:00Z'));
      if (due === undefined) throw new Error('the schedule is due');
      await stores.schedules.advance(due.policyId, at('2026-11-04T02:00:00Z'), 7);
    });
    expect(await db().policies.get(repositoryScope)).toMatchObject({
      revision: 1,
      updatedAt: put.updatedAt,
    });
    await db().schedules.clear(repositoryScope);
    expect(await db().policies.get(repositoryScope)).toMatchObject({
      revision: 1,
      updatedAt: put.updatedAt,
    });
  });

  it("says whether a due schedule's last run is still queued or running", async () => {
    await db().inventory.importRepositories([repository('acme/web/api', { a: 1 })]);
    await db().policies.put(documentAt(repositoryScope), 'alice');
    await db().policies.put(documentAt(namespaceScope), 'alice');
    await db().schedules.set(repositoryScope, schedule('2026-11-01T01:00:00Z'));
    await db().schedules.set(namespaceScope, schedule('2026-11-01T02:00:00Z'));
    const newRun = (scope: Scope) => ({
      scope,
      dryRun: false,
      trigger: 'schedule' as const,
      triggeredBy: 'test',
      now: at('2026-11-01T00:00:00Z'),
    });
    const queued = await db().runs.create(newRun(repositoryScope));
    const cancelled = await db().runs.create(newRun(namespaceScope));
    await db().runs.cancel(cancelled.id);
    const now = at('2026-11-01T12:00:00Z');
    await db().transaction(async (stores) => {
      for (const due of await stores.schedules.claimDue(10, now)) {
        const run = due.scope.level === 'repository' ? queued : cancelled;
        await stores.schedules.advance(due.policyId, now, run.id);
      }
    });
    const lastRuns = async () =>
      (await db().schedules.claimDue(10, now)).map((s) => [s.lastRunId, s.lastRunUnfinished]);
    expect(await lastRuns()).toEqual([
      [queued.id, true],
      [cancelled.id, false],
    ]);
    await db().runs.cancel(queued.id);
    expect(await lastRuns()).toEqual([
      [queued.id, false],
      [cancelled.id, false],
    ]);
  });

  if (provider === 'postgresql') {
    it('never gives one due schedule to two transactions at once (SKIP LOCKED)', async () => {
      await db().policies.put(documentAt(repositoryScope), 'alice');
      await db().policies.put(documentAt(namespaceScope), 'alice');
      await db().schedules.set(repositoryScope, schedule('2026-11-01T03:00:00Z'));
      await db().schedules.set(namespaceScope, schedule('2026-11-01T01:00:00Z'));
      const now = at('2026-11-01T12:00:00Z');
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let claimedFirst: (value: number[]) => void = () => undefined;
      const first = new Promise<number[]>((resolve) => (claimedFirst = resolve));
      const holder = db().transaction(async (stores) => {
        const claimed = await stores.schedules.claimDue(1, now);
        claimedFirst(claimed.map((s) => s.policyId));
        await held;
      });
      const firstIds = await first;
      const second = await db().transaction((stores) => stores.schedules.claimDue(10, now));
      release();
      await holder;
      expect(firstIds).toHaveLength(1);
      expect(second).toHaveLength(1);
      expect(second[0]?.policyId).not.toBe(firstIds[0]);
    });
  }
});
