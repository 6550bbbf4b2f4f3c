import type { InventoryRepository } from '@winnow/engine';
import { Client } from 'pg';
import { ANALYZE_AFTER_ROWS } from '../src/stores/inventory-import';
import { type Database, openDatabase } from '../src';
import { migratedDatabase, type TestDatabase } from './support/databases';

function* repositories(count: number, tags: number): Generator<InventoryRepository> {
  for (let i = 0; i < count; i++) {
    yield {
      namespace: 'acme',
      name: `service-${i}`,
      tags: Array.from({ length: tags }, (_, j) => ({
        name: `build-${j}`,
        digest: `sha256:${(i * tags + j).toString(16).padStart(64, '0')}`,
        pushedAt: '2026-06-01T00:00:00.000Z',
      })),
    };
  }
}

async function lastAnalyzed(url: string): Promise<Date | null> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ last_analyze: Date | null }>(
      `SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'Tag'`,
    );
    return result.rows[0]?.last_analyze ?? null;
  } finally {
    await client.end();
  }
}

describe('a large import on PostgreSQL', () => {
  let created: TestDatabase;
  let database: Database;
  beforeEach(async () => {
    created = await migratedDatabase('postgresql');
    database = openDatabase(created.url);
  });
  afterEach(async () => {
    await database.close();
    await created.drop();
  });

  it('leaves the statistics alone below the threshold', async () => {
    await database.inventory.importRepositories(repositories(10, 10));
    expect(await lastAnalyzed(created.url)).toBeNull();
  });

  it('refreshes the planner statistics of the inventory tables after it', async () => {
    const count = Math.ceil(ANALYZE_AFTER_ROWS / 50);
    await database.inventory.importRepositories(repositories(count, 50));
    // Statistics views are flushed by each backend within a second or so: asked until then.
    let analyzed = await lastAnalyzed(created.url);
    for (let i = 0; analyzed === null && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      analyzed = await lastAnalyzed(created.url);
    }
    expect(analyzed).toBeInstanceOf(Date);
  });
});
