/**
 * Throwaway databases for tests, here and in the packages that build on this one (`@winnow/db/testing`).
 * PostgreSQL ones come from the cluster that `test/setup/global-setup.js` starts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { migrate } from './migrate/migrate';

export type TestProvider = 'sqlite' | 'postgresql';
export const providers: TestProvider[] = ['sqlite', 'postgresql'];

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

function clusterUrl(): string {
  const url = process.env.WINNOW_TEST_PG_URL;
  if (url === undefined)
    throw new Error('WINNOW_TEST_PG_URL unset: run through jest (globalSetup)');
  return url;
}

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${clusterUrl()}/postgres` });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** An empty database: nothing migrated. */
export async function emptyDatabase(provider: TestProvider): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'winnow-sqlite-'));
    return {
      url: `file:${path.join(dir, 'winnow.db')}`,
      drop: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  return postgresDatabase('');
}

export interface TestDatabaseOptions {
  /**
   * PostgreSQL: collate text by the ICU locale en-US, as a database created with a locale does
   * in production (the test cluster's default is C, which sorts by code point): `ORDER BY name`
   * then puts `a_b` before `a-b` and `a` before `B`. SQLite collates by code point whatever this
   * says (BINARY).
   */
  readonly localeCollation?: boolean;
}

/** A migrated database of its own (PostgreSQL: cloned from the template the setup migrated). */
export async function migratedDatabase(
  provider: TestProvider,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const database = await emptyDatabase(provider);
    await migrate(database.url);
    return database;
  }
  if (options.localeCollation === true) {
    // A collation other than the template's needs template0, so this one is migrated here.
    const database = await postgresDatabase(
      " TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'",
    );
    await migrate(database.url);
    return database;
  }
  return postgresDatabase(` TEMPLATE ${process.env.WINNOW_TEST_PG_TEMPLATE ?? 'winnow_template'}`);
}

async function postgresDatabase(template: string): Promise<TestDatabase> {
  const name = `test_${randomUUID().replace(/-/g, '')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}${template}`));
  return {
    url: `${clusterUrl()}/${name}`,
    drop: async () => {
      await admin((client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`));
    },
  };
}

/** Runs one SQL statement on a test database (to break it on purpose). */
export async function execute(url: string, sql: string): Promise<void> {
  if (url.startsWith('file:')) {
    const { createClient } = await import('@libsql/client');
    const client = createClient({ url });
    await client.execute(sql);
    client.close();
    return;
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(sql);
  await client.end();
}
