import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

describe.each(providers)('audit log on %s', (provider) => {
  const db = useDatabase(provider);

  it('records entries and lists them oldest first, by cursor and target', async () => {
    const first = await db().audit.record({
      actor: 'api',
      action: 'policy.put',
      target: 'policy:server',
      details: { revision: 1 },
    });
    await db().audit.record({
      actor: 'api',
      action: 'tag.delete',
      target: 'tag:acme/app:v1',
      details: {},
    });
    await db().audit.record({
      actor: 'demo',
      action: 'policy.put',
      target: 'policy:server',
      details: { revision: 2 },
    });
    expect(first).toMatchObject({
      actor: 'api',
      action: 'policy.put',
      target: 'policy:server',
      details: { revision: 1 },
    });
    expect(first.at).toBeInstanceOf(Date);
    const all = await db().audit.list();
    expect(all.map((e) => e.action)).toEqual(['policy.put', 'tag.delete', 'policy.put']);
    expect((await db().audit.list({ after: first.id, limit: 1 })).map((e) => e.action)).toEqual([
      'tag.delete',
    ]);
    expect((await db().audit.list({ target: 'policy:server' })).map((e) => e.details)).toEqual([
      { revision: 1 },
      { revision: 2 },
    ]);
  });
});
