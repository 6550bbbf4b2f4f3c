import type { FastifyInstance } from 'fastify';
import { type Database, openDatabase } from '@winnow/db';
import {
  migratedDatabase,
  providers,
  type TestDatabaseOptions,
  type TestProvider,
} from '@winnow/db/testing';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';

export { providers, type TestProvider };

/** A migrated database of the provider for one test file, opened; `drop` closes and removes it. */
export async function testDatabase(
  provider: TestProvider,
  options?: TestDatabaseOptions,
): Promise<{ database: Database; drop: () => Promise<void> }> {
  const created = await migratedDatabase(provider, options);
  const database = openDatabase(created.url);
  return {
    database,
    drop: async () => {
      await database.close();
      await created.drop();
    },
  };
}

/**
 * The app on a fresh database of `provider` for the enclosing describe block: builds it before
 * the block's tests and closes both after them. Returns a getter for the tests.
 */
export function useApp(
  provider: TestProvider,
  options?: TestDatabaseOptions,
): () => FastifyInstance {
  let app: FastifyInstance | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = await testDatabase(provider, options);
    drop = created.drop;
    app = await buildApp({
      config: readConfig({ WINNOW_AUTH: 'off' }),
      database: created.database,
      logger: false,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });
  return () => {
    if (!app) throw new Error('the app is built in beforeAll');
    return app;
  };
}
