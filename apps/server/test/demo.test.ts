import { seedDemo } from '../src/demo';
import { testDatabase } from './database';

describe('--demo', () => {
  it('seeds the example inventories and policies once, without new revisions on a restart', async () => {
    const { database, drop } = await testDatabase('sqlite');
    try {
      expect(await seedDemo(database)).toEqual({ repositories: 4, policies: 4 });
      expect(await seedDemo(database)).toEqual({ repositories: 4, policies: 0 });
      expect((await database.policies.list()).map((p) => p.revision)).toEqual([1, 1, 1, 1]);
      expect((await database.namespaces.list()).map((n) => n.name)).toEqual(['acme', 'lsstsqre']);
    } finally {
      await drop();
    }
  });
});
