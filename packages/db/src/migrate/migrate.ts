import path from 'node:path';

import { prismaDir } from '../paths';
import { providerOf } from '../provider';
import { readMigrations } from './migrations';
import { migratePostgresql } from './postgresql';
import { migrateSqlite } from './sqlite';

export interface MigrateOptions {
  /** Defaults to the repository's prisma/ folder. */
  readonly prismaDir?: string;
}

/**
 * Applies the pending migrations of the URL's provider, recorded in `_prisma_migrations` as
 * `prisma migrate deploy` would. Idempotent; returns the names of the migrations applied.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<string[]> {
  const provider = providerOf(url);
  const local = readMigrations(path.join(options.prismaDir ?? prismaDir, provider, 'migrations'));
  return provider === 'sqlite' ? migrateSqlite(url, local) : migratePostgresql(url, local);
}
