import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { DbErrorCode, WinnowDbError } from '../errors';
import { type AppliedMigration, type MigrationFile, pendingMigrations } from './migrations';

/** The key `prisma migrate` locks too, so Winnow and the stock CLI never migrate at once. */
const ADVISORY_LOCK_KEY = 72707369;

// Prisma's own layout, so `prisma migrate deploy` can take over.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Applies pending migrations under an advisory lock; returns the names applied. */
export async function migratePostgresql(
  url: string,
  local: readonly MigrationFile[],
): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{ name: string; checksum: string; finished: boolean }>(
      `SELECT migration_name AS name, checksum, finished_at IS NOT NULL AS finished
         FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );
    const applied: AppliedMigration[] = rows;
    const pending = pendingMigrations(local, applied);
    for (const migration of pending) await apply(client, migration);
    return pending.map((m) => m.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

/** One migration and its bookkeeping row in one transaction: all of it or none. */
async function apply(client: pg.Client, migration: MigrationFile): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new WinnowDbError(
      DbErrorCode.migrationFailed,
      `migration ${migration.name} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
