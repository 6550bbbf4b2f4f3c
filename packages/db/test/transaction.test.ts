import { DbErrorCode } from '../src';
import { policy } from './fixtures';
import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

const entry = { actor: 'alice', action: 'policy.put', target: 'policy:x', details: {} };

describe.each(providers)('transactions on %s', (provider) => {
  const db = useDatabase(provider);

  it('commits every change of the work together', async () => {
    const revision = await db().transaction(async (stores) => {
      const stored = await stores.policies.put(policy(['a']), 'alice');
      await stores.audit.record(entry);
      return stored.revision;
    });
    expect(revision).toBe(1);
    expect(await db().policies.get(policy([]).scope)).not.toBeNull();
    expect(await db().audit.list()).toHaveLength(1);
  });

  it('commits none when the work throws, even changes made by stores with their own transaction', async () => {
    await expect(
      db().transaction(async (stores) => {
        await stores.policies.put(policy(['a']), 'alice'); // a transaction of its own outside
        await stores.tags.put(
          { namespace: 'acme', name: 'web/api' },
          { name: 'v1', digest: `sha256:${'a'.repeat(64)}` },
        );
        await stores.audit.record(entry);
        throw new Error('the audit could not be written');
      }),
    ).rejects.toThrow('the audit could not be written');
    expect(await db().policies.get(policy([]).scope)).toBeNull();
    expect(await db().namespaces.list()).toEqual([]);
    expect(await db().audit.list()).toEqual([]);
  });

  it('rolls back earlier changes when a store fails, and keeps the store error', async () => {
    await db().namespaces.create({ name: 'taken', kind: 'normal', settings: {} });
    await expect(
      db().transaction(async (stores) => {
        await stores.namespaces.create({ name: 'fresh', kind: 'normal', settings: {} });
        await stores.namespaces.create({ name: 'taken', kind: 'normal', settings: {} });
      }),
    ).rejects.toMatchObject({ code: DbErrorCode.conflict });
    expect((await db().namespaces.list()).map((n) => n.name)).toEqual(['taken']);
  });
});
