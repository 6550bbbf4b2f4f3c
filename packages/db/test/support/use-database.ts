import { type Database, type DatabaseOptions, openDatabase } from '../../src';
import {
  migratedDatabase,
  type TestDatabase,
  type TestDatabaseOptions,
  type TestProvider,
} from './databases';

/**
 * A fresh migrated database of `provider` for each test of the enclosing block, opened; closed
 * and dropped after the test. Returns a getter for the tests.
 */
export function useDatabase(
  provider: TestProvider,
  options: TestDatabaseOptions & DatabaseOptions = {},
): () => Database {
  let created: TestDatabase | undefined;
  let db: Database | undefined;
  beforeEach(async () => {
    created = await migratedDatabase(provider, options);
    db = openDatabase(created.url, options.clock ? { clock: options.clock } : {});
  });
  afterEach(async () => {
    await db?.close();
    await created?.drop();
  });
  return () => {
    if (!db) throw new Error('the database is opened in beforeEach');
    return db;
  };
}
