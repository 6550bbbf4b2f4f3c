import { type Database, openDatabase } from '@winnow/db';
import { migratedDatabase, providers, type TestProvider } from '@winnow/db/testing';

export { providers, type TestProvider };

/** A migrated database of the provider for one test file, opened; `drop` closes and removes it. */
export async function testDatabase(
  provider: TestProvider,
): Promise<{ database: Database; drop: () => Promise<void> }> {
  const created = await migratedDatabase(provider);
  const database = openDatabase(created.url);
  return {
    database,
    drop: async () => {
      await database.close();
      await created.drop();
    },
  };
}
