import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Client } from 'pg';

import { DbErrorCode, migrate } from '../src';
import { emptyDatabase, providers, type TestDatabase } from './support/databases';

const prismaDir = path.resolve(__dirname, '../../../prisma');
const dist = path.resolve(__dirname, '../dist');

/** `migrate(url)` of the built package in a child process; resolves to the names it applied. */
async function migrateInProcess(url: string): Promise<string[]> {
  const script = `require(${JSON.stringify(dist)}).migrate(process.argv[1]).then((names) => console.log(JSON.stringify(names)))`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, url]);
  return JSON.parse(stdout) as string[];
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished: boolean;
  applied_steps_count: number;
}

async function migrationRows(url: string): Promise<MigrationRow[]> {
  const sql = `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count
                 FROM "_prisma_migrations" ORDER BY migration_name`;
  if (url.startsWith('file:')) {
    const { createClient } = await import('@libsql/client');
    const client = createClient({ url });
    const rows = (await client.execute(sql)).rows.map((row) => ({
      migration_name: row.migration_name as string,
      checksum: row.checksum as string,
      finished: Boolean(row.finished),
      applied_steps_count: Number(row.applied_steps_count),
    }));
    client.close();
    return rows;
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<MigrationRow>(sql);
  await client.end();
  return rows;
}

describe.each(providers)('migrate on %s', (provider) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await emptyDatabase(provider);
  });
  afterEach(() => database.drop());

  const committed = readdirSync(path.join(prismaDir, provider, 'migrations'), {
    withFileTypes: true,
  })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

  it('applies every committed migration to an empty database, as Prisma records them', async () => {
    expect(await migrate(database.url)).toEqual(committed);
    const rows = await migrationRows(database.url);
    expect(rows).toEqual(
      committed.map((name) => ({
        migration_name: name,
        checksum: createHash('sha256')
          .update(readFileSync(path.join(prismaDir, provider, 'migrations', name, 'migration.sql')))
          .digest('hex'),
        finished: true,
        applied_steps_count: 1,
      })),
    );
  });

  it('is idempotent', async () => {
    await migrate(database.url);
    expect(await migrate(database.url)).toEqual([]);
    expect(await migrationRows(database.url)).toHaveLength(committed.length);
  });

  it('lets only one of two processes starting together apply the migrations', async () => {
    // Separate processes, as at start-up (libsql is synchronous: one process cannot contend).
    const runs = await Promise.all([
      migrateInProcess(database.url),
      migrateInProcess(database.url),
    ]);
    expect(runs.flat().sort()).toEqual(committed);
    expect(await migrationRows(database.url)).toHaveLength(committed.length);
  });

  it('refuses to run when an applied migration was modified', async () => {
    await migrate(database.url);
    const copy = mkdtempSync(path.join(os.tmpdir(), 'winnow-prisma-'));
    cpSync(prismaDir, copy, { recursive: true });
    const first = path.join(copy, provider, 'migrations', committed[0] ?? '', 'migration.sql');
    writeFileSync(first, `${readFileSync(first, 'utf8')}\n-- edited after it was applied\n`);
    try {
      await expect(migrate(database.url, { prismaDir: copy })).rejects.toMatchObject({
        code: DbErrorCode.migrationModified,
      });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('migrate on sqlite, upgrading a database with data', () => {
  let database: TestDatabase;
  let copy: string;
  beforeEach(async () => {
    database = await emptyDatabase('sqlite');
    copy = mkdtempSync(path.join(os.tmpdir(), 'winnow-prisma-'));
  });
  afterEach(async () => {
    rmSync(copy, { recursive: true, force: true });
    await database.drop();
  });

  /** A prisma folder holding the committed SQLite migrations before `before`, plus `extra`. */
  function migrationsFolder(before: string, extra: Record<string, string> = {}): string {
    const source = path.join(prismaDir, 'sqlite', 'migrations');
    const target = path.join(copy, 'sqlite', 'migrations');
    for (const name of readdirSync(source).filter((n) => n < before)) {
      cpSync(path.join(source, name), path.join(target, name), { recursive: true });
    }
    for (const [name, sql] of Object.entries(extra)) {
      mkdirSync(path.join(target, name), { recursive: true });
      writeFileSync(path.join(target, name, 'migration.sql'), sql);
    }
    return copy;
  }

  async function query(sql: string): Promise<Record<string, unknown>[]> {
    const { createClient } = await import('@libsql/client');
    const client = createClient({ url: database.url });
    try {
      return (await client.execute(sql)).rows.map((row) => ({ ...row }));
    } finally {
      client.close();
    }
  }

  it('keeps the rows that point at a table a migration rebuilds (policy revisions)', async () => {
    // 20261122102612_policy_schedules rebuilds Policy (copy, DROP, rename); PolicyRevision
    // points at it ON DELETE CASCADE.
    await migrate(database.url, { prismaDir: migrationsFolder('20261122102612') });
    await query(`INSERT INTO "Policy" ("level", "scopeKey", "document", "revision", "updatedBy", "updatedAt")
                 VALUES ('server', 'server', '{}', 2, 'alice', '2026-11-01T00:00:00.000+00:00')`);
    await query(`INSERT INTO "PolicyRevision" ("policyId", "revision", "document", "createdBy")
                 VALUES (1, 1, '{}', 'alice'), (1, 2, '{}', 'alice')`);
    expect(await migrate(database.url)).toContain('20261122102612_policy_schedules');
    expect(await query(`SELECT "policyId", "revision" FROM "PolicyRevision"`)).toEqual([
      { policyId: 1, revision: 1 },
      { policyId: 1, revision: 2 },
    ]);
    expect(await query(`SELECT "scopeKey", "scheduleCron" FROM "Policy"`)).toEqual([
      { scopeKey: 'server', scheduleCron: null },
    ]);
  });

  it('refuses a migration that leaves a foreign key pointing at nothing, and applies none of it', async () => {
    const folder = migrationsFolder('99999999999999', {
      '99999999999999_orphan': `INSERT INTO "PolicyRevision" ("policyId", "revision", "document", "createdBy")
                                VALUES (42, 1, '{}', 'alice');`,
    });
    await expect(migrate(database.url, { prismaDir: folder })).rejects.toMatchObject({
      code: DbErrorCode.migrationFailed,
      message: expect.stringContaining('PolicyRevision → Policy') as unknown,
    });
    // Nothing of the transaction is left: not even the earlier migrations.
    expect(await query(`SELECT name FROM sqlite_master WHERE name = 'PolicyRevision'`)).toEqual([]);
  });
});
