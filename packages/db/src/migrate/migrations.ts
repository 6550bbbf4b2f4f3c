import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { DbErrorCode, WinnowDbError } from '../errors';

/** A migration folder as Prisma lays it out: `<timestamp>_<name>/migration.sql`. */
export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
  /** sha256 hex of migration.sql, as Prisma records it in `_prisma_migrations.checksum`. */
  readonly checksum: string;
}

/** Migrations in a folder, in name (= timestamp) order. */
export function readMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** A row of `_prisma_migrations` as the runner needs it. */
export interface AppliedMigration {
  readonly name: string;
  readonly checksum: string;
  readonly finished: boolean;
}

/**
 * The migrations still to apply. Refuses (like `prisma migrate deploy`) when an applied migration
 * changed, is missing locally, or failed half-way.
 */
export function pendingMigrations(
  local: readonly MigrationFile[],
  applied: readonly AppliedMigration[],
): MigrationFile[] {
  const byName = new Map(local.map((m) => [m.name, m]));
  for (const row of applied) {
    const file = byName.get(row.name);
    if (!row.finished) {
      throw new WinnowDbError(
        DbErrorCode.migrationFailed,
        `migration ${row.name} started but did not finish: repair the database, then mark it rolled back`,
      );
    }
    if (file === undefined) {
      throw new WinnowDbError(
        DbErrorCode.migrationMissing,
        `migration ${row.name} is applied to the database but missing from the migrations folder`,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new WinnowDbError(
        DbErrorCode.migrationModified,
        `migration ${row.name} was modified after it was applied (checksum ${row.checksum}, file ${file.checksum})`,
      );
    }
  }
  const done = new Set(applied.map((row) => row.name));
  return local.filter((m) => !done.has(m.name));
}
