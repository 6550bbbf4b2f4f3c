import type { PolicyDocument } from '@winnow/engine';

import { providers } from './support/databases';
import { decide, MINUTE, repository, runOf, testClock } from './support/runs';
import { useDatabase } from './support/use-database';

const START = '2026-06-01T12:00:00.000Z';

const policyOf = (scope: PolicyDocument['scope'], rule: string): PolicyDocument => ({
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope,
  rules: [{ name: rule, match: { newest: 1 }, then: 'keep', else: 'delete' }],
});

describe.each(providers)(
  'run policies, exactly-once finishing and transactions on %s',
  (provider) => {
    const clock = testClock(START);
    const db = useDatabase(provider, { clock });
    beforeEach(async () => {
      clock.set(START);
      await db().inventory.importRepositories([
        repository('acme/web', { a: 1 }),
        repository('acme/api', { b: 2 }),
        repository('beta/db', { c: 3 }),
      ]);
    });

    it('keeps the policies of its scope as they were when it was created', async () => {
      const put = (scope: PolicyDocument['scope'], rule: string) =>
        db().policies.put(policyOf(scope, rule), 'alice');
      await put({ level: 'server' }, 'server-1');
      await put({ level: 'namespace', namespace: 'acme' }, 'acme-1');
      await put({ level: 'namespace', namespace: 'beta' }, 'beta-1');
      await put({ level: 'repository', namespace: 'acme', repository: 'web' }, 'web-1');
      await put({ level: 'repository', namespace: 'beta', repository: 'db' }, 'db-1');
      const rules = (documents: PolicyDocument[] | null) =>
        documents?.map((d) => d.rules?.[0]?.name).sort();

      const acme = await db().runs.create(runOf({ level: 'namespace', namespace: 'acme' }));
      const web = await db().runs.create(
        runOf({ level: 'repository', namespace: 'acme', repository: 'web' }),
      );
      const api = await db().runs.create(
        runOf({ level: 'repository', namespace: 'acme', repository: 'api' }),
      );
      const server = await db().runs.create(runOf({ level: 'server' }));
      await put({ level: 'namespace', namespace: 'acme' }, 'acme-2');
      await db().policies.delete({ level: 'server' });

      expect(rules(await db().runs.policies(acme.id))).toEqual(['acme-1', 'server-1', 'web-1']);
      expect(rules(await db().runs.policies(web.id))).toEqual(['acme-1', 'server-1', 'web-1']);
      expect(rules(await db().runs.policies(api.id))).toEqual(['acme-1', 'server-1']);
      expect(rules(await db().runs.policies(server.id))).toEqual([
        'acme-1',
        'beta-1',
        'db-1',
        'server-1',
        'web-1',
      ]);
      expect(await db().runs.policies(server.id + 100)).toBeNull();
    });

    it('finishOnce gives the finished run to one call only; finish still answers', async () => {
      const run = await db().runs.create(runOf({ level: 'namespace', namespace: 'beta' }));
      const [task] = await db().runs.claimTasks({ owner: 'w1', limit: 5, leaseMs: MINUTE });
      expect(await db().runs.finishOnce(run.id)).toBeNull(); // a task is running
      await db().runs.applyTask(task?.id ?? 0, {
        owner: 'w1',
        decisions: [decide('beta/db', 'c', 3, 'delete')],
      });
      const results = await Promise.all([
        db().runs.finishOnce(run.id),
        db().runs.finishOnce(run.id),
        db().runs.finishOnce(run.id),
      ]);
      const finished = results.filter((r) => r !== null);
      expect(finished).toHaveLength(1);
      expect(finished[0]).toMatchObject({
        id: run.id,
        status: 'succeeded',
        counts: { expired: 1 },
      });
      expect(await db().runs.finishOnce(run.id)).toBeNull();
      expect(await db().runs.finish(run.id)).toMatchObject({ id: run.id, status: 'succeeded' });
      expect(await db().runs.finishCompleted()).toEqual([]);
    });

    it('cancel says whether it ended the run', async () => {
      const idle = await db().runs.create(runOf({ level: 'namespace', namespace: 'beta' }));
      expect(await db().runs.cancel(idle.id)).toMatchObject({
        run: { status: 'cancelled' },
        finishedNow: true,
      });
      expect((await db().runs.cancel(idle.id)).finishedNow).toBe(false);

      const busy = await db().runs.create(runOf({ level: 'namespace', namespace: 'acme' }));
      const [held] = await db().runs.claimTasks({ owner: 'w1', limit: 1, leaseMs: MINUTE });
      expect(await db().runs.cancel(busy.id)).toMatchObject({
        run: { status: 'running', cancelRequested: true },
        finishedNow: false,
      });
      await db().runs.releaseTasks({ owner: 'w1', taskIds: [held?.id ?? 0] });
      expect(await db().runs.finishCompleted()).toEqual([
        expect.objectContaining({ id: busy.id, status: 'cancelled' }),
      ]);
    });

    it('knows when the latest successful run that applied its decisions finished', async () => {
      expect(await db().runs.lastSucceeded()).toBeNull();
      const finishOne = async (dryRun: boolean, fail: boolean): Promise<void> => {
        const run = await db().runs.create(
          runOf({ level: 'namespace', namespace: 'beta' }, { dryRun }),
        );
        const [task] = await db().runs.claimTasks({ owner: 'w1', limit: 1, leaseMs: MINUTE });
        if (fail) {
          await db().runs.failTask(task?.id ?? 0, {
            owner: 'w1',
            error: { code: 'X', message: 'x' },
          });
        } else {
          await db().runs.applyTask(task?.id ?? 0, { owner: 'w1', decisions: [] });
        }
        await db().runs.finish(run.id);
        clock.advance(MINUTE);
      };
      await finishOne(false, false);
      const first = new Date(Date.parse(START));
      expect(await db().runs.lastSucceeded()).toEqual(first);
      await finishOne(true, false); // a dry run applied nothing
      await finishOne(false, true); // failed
      expect(await db().runs.lastSucceeded()).toEqual(first);
      await finishOne(false, false);
      expect(await db().runs.lastSucceeded()).toEqual(new Date(Date.parse(START) + 3 * MINUTE));
    });

    it('creates, applies and finishes runs inside Database.transaction, with audit entries', async () => {
      await expect(
        db().transaction(async (stores) => {
          const run = await stores.runs.create(runOf({ level: 'namespace', namespace: 'acme' }));
          await stores.audit.record({
            actor: 'api',
            action: 'run.create',
            target: `run:${run.id}`,
            details: {},
          });
          throw new Error('the audit could not be written');
        }),
      ).rejects.toThrow('the audit could not be written');
      expect((await db().runs.list()).items).toEqual([]);
      expect(await db().audit.list()).toEqual([]);

      const run = await db().runs.create(runOf({ level: 'namespace', namespace: 'beta' }));
      const [task] = await db().runs.claimTasks({ owner: 'w1', limit: 1, leaseMs: MINUTE });
      const finished = await db().transaction(async (stores) => {
        const applied = await stores.runs.applyTask(task?.id ?? 0, {
          owner: 'w1',
          decisions: [decide('beta/db', 'c', 3, 'delete')],
        });
        await stores.audit.recordMany([
          {
            actor: 'worker',
            action: 'tags.expire',
            target: 'repository:beta/db',
            details: { applied },
          },
          { actor: 'worker', action: 'tags.expire', target: 'repository:beta/db', details: {} },
        ]);
        return stores.runs.finishOnce(run.id);
      });
      expect(finished).toMatchObject({ status: 'succeeded', counts: { expired: 1 } });
      expect((await db().audit.list()).map((e) => e.details)).toMatchObject([
        { applied: { applied: true, counts: { expired: 1 } } },
        {},
      ]);
      expect(await db().audit.recordMany([])).toBe(0);
    });
  },
);
