import { randomUUID } from 'node:crypto';

// @libsql/client's types are ESM-only; a dynamic import reaches its CommonJS build at run time.
import type { Transaction } from '@libsql/client' with { 'resolution-mode': 'import' };

import { DbErrorCode, WinnowDbError } from '../errors';
import { type AppliedMigration, type MigrationFile, pendingMigrations } from './migrations';

// Prisma's own layout, so `prisma migrate deploy` can take over.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/**
 * Applies pending migrations in one write transaction (SQLite's BEGIN IMMEDIATE is the lock:
 * a second process waits, then finds nothing pending), with foreign keys off and checked before
 * each migration is recorded. Returns the names applied.
 */
export async function migrateSqlite(
  url: string,
  local: readonly MigrationFile[],
): Promise<string[]> {
  const { createClient } = await import('@libsql/client');
  const client = createClient({ url });
  try {
    await client.execute('PRAGMA busy_timeout = 10000');
    // A migration that rebuilds a table (Prisma's "RedefineTables": copy, DROP, rename) turns
    // foreign keys off around it, but that PRAGMA is a no-op inside a transaction, and ours run
    // in one. With them on (libsql's default), the DROP deleted every row first and ON DELETE
    // CASCADE took the rows pointing at them along: every policy revision, when the Policy table
    // was rebuilt. So they are off on this connection (the transaction takes it over), and
    // `foreign_key_check` stands in for them after each migration.
    await client.execute('PRAGMA foreign_keys = OFF');
    const tx = await client.transaction('write');
    try {
      await tx.execute(CREATE_TABLE);
      const pending = pendingMigrations(local, await appliedMigrations(tx));
      for (const migration of pending) await apply(tx, migration);
      await tx.commit();
      return pending.map((m) => m.name);
    } finally {
      tx.close();
    }
  } finally {
    client.close();
  }
}

async function appliedMigrations(tx: Transaction): Promise<AppliedMigration[]> {
  const result = await tx.execute(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
      WHERE rolled_back_at IS NULL ORDER BY started_at`,
  );
  return result.rows.map((row) => ({
    name: row.migration_name as string,
    checksum: row.checksum as string,
    finished: row.finished_at !== null,
  }));
}

async function apply(tx: Transaction, migration: MigrationFile): Promise<void> {
  try {
    await tx.executeMultiple(migration.sql);
  } catch (error) {
    throw new WinnowDbError(
      DbErrorCode.migrationFailed,
      `migration ${migration.name} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const broken = await tx.execute('PRAGMA foreign_key_check');
  if (broken.rows.length > 0) {
    const tables = [
      ...new Set(broken.rows.map((row) => `${row.table as string} → ${row.parent as string}`)),
    ];
    throw new WinnowDbError(
      DbErrorCode.migrationFailed,
      `migration ${migration.name} failed: it leaves ${broken.rows.length} rows whose foreign key points at nothing (${tables.join(', ')})`,
    );
  }
  // Prisma's SQLite engine stores these timestamps as Unix milliseconds.
  const now = Date.now();
  await tx.execute({
    sql: `INSERT INTO "_prisma_migrations"
            (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
          VALUES (?, ?, ?, ?, ?, 1)`,
    args: [randomUUID(), migration.checksum, migration.name, now, now],
  });
}
