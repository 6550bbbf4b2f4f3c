import { Client } from 'pg';

/**
 * The database's own cost of storing `tags` tag rows in Winnow's schema, with no client data,
 * no parsing and no Prisma: rows generated inside the database (`generate_series` on
 * PostgreSQL, a recursive CTE on SQLite) and inserted `perTransaction` per transaction, with
 * every index, the foreign key and each commit, as an import pays them. The floor of an import.
 * The database must be migrated and empty, and is left full: give it a database of its own.
 */
export async function databaseFloor(
  url: string,
  tags: number,
  perTransaction: number,
): Promise<number> {
  const repositories = Math.ceil(tags / 100);
  const setup = [
    `INSERT INTO "Namespace" ("name", "settings") VALUES ('floor', '{}')`,
    `INSERT INTO "Repository" ("namespaceId", "name") SELECT n."id", 'floor-' || g.x FROM "Namespace" n, ${series(url, repositories)} WHERE n."name" = 'floor'`,
  ];
  const batch = (first: number): string =>
    `INSERT INTO "Tag" ("repositoryId", "name", "digest", "pushedAt", "lastPulledAt", "immutable", "labels") ` +
    `SELECT r."id", 'v' || g.x, 'sha256:' || ${hex64(url)}, ${time(url)}, NULL, false, '[]' ` +
    `FROM ${series(url, perTransaction, first)} JOIN "Repository" r ON r."name" = 'floor-' || (g.x / 100)`;
  const run = url.startsWith('file:') ? await sqlite(url) : await postgres(url);
  try {
    for (const statement of setup) await run.statement(statement);
    const start = performance.now();
    for (let first = 0; first < tags; first += perTransaction) {
      await run.transaction(batch(first));
    }
    return (performance.now() - start) / 1000;
  } finally {
    await run.close();
  }
}

/** A derived table `g(x)` of the integers first .. first + count - 1. */
function series(url: string, count: number, first = 0): string {
  return url.startsWith('file:')
    ? `(WITH RECURSIVE s(x) AS (SELECT ${first} UNION ALL SELECT x + 1 FROM s WHERE x < ${first + count - 1}) SELECT x FROM s) AS g`
    : `generate_series(${first}, ${first + count - 1}) AS g(x)`;
}

/** 64 hex digits from g.x, unique per row. */
const hex64 = (url: string): string =>
  url.startsWith('file:') ? `printf('%064x', g.x)` : `lpad(to_hex(g.x), 64, '0')`;

const time = (url: string): string =>
  url.startsWith('file:') ? `'2026-01-02T03:04:05.000+00:00'` : `TIMESTAMP '2026-01-02 03:04:05'`;

interface Runner {
  statement(sql: string): Promise<void>;
  /** The `n` column of the statement's first row. */
  count(sql: string): Promise<number>;
  transaction(sql: string): Promise<void>;
  close(): Promise<void>;
}

async function sqlite(url: string): Promise<Runner> {
  // An ES module: imported, not required.
  const { createClient } = await import('@libsql/client');
  const client = createClient({ url });
  return {
    statement: async (sql) => {
      await client.execute(sql);
    },
    count: async (sql) => Number((await client.execute(sql)).rows[0]?.n ?? 0),
    transaction: async (sql) => {
      await client.batch([sql], 'write');
    },
    close: () => {
      client.close();
      return Promise.resolve();
    },
  };
}

async function postgres(url: string): Promise<Runner> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    statement: async (sql) => {
      await client.query(sql);
    },
    count: async (sql) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n ?? 0),
    transaction: async (sql) => {
      await client.query('BEGIN');
      await client.query(sql);
      await client.query('COMMIT');
    },
    close: () => client.end(),
  };
}

/**
 * The floor of a run's apply: the database expiring the same rows by itself, in one `UPDATE` in
 * one transaction. Takes the tags run `runId` expired, makes them live again, then times setting
 * their lifetime end and run back. Returns the seconds and the number of rows. Nothing else may
 * use the database meanwhile (stop the server first).
 */
export async function bulkUpdateFloor(
  url: string,
  runId: number,
): Promise<{ seconds: number; rows: number }> {
  const run = url.startsWith('file:') ? await sqlite(url) : await postgres(url);
  try {
    await run.statement(`DROP TABLE IF EXISTS floor_expired`);
    await run.statement(`CREATE TABLE floor_expired ("id" INTEGER PRIMARY KEY)`);
    await run.statement(
      `INSERT INTO floor_expired SELECT "id" FROM "Tag" WHERE "expiredByRunId" = ${runId}`,
    );
    const rows = await run.count(`SELECT count(*) AS n FROM floor_expired`);
    await run.transaction(
      `UPDATE "Tag" SET "lifetimeEnd" = NULL, "expiredByRunId" = NULL WHERE "expiredByRunId" = ${runId}`,
    );
    const start = performance.now();
    await run.transaction(
      `UPDATE "Tag" SET "lifetimeEnd" = ${time(url)}, "expiredByRunId" = ${runId} WHERE "id" IN (SELECT "id" FROM floor_expired)`,
    );
    const seconds = (performance.now() - start) / 1000;
    await run.statement(`DROP TABLE floor_expired`);
    return { seconds, rows };
  } finally {
    await run.close();
  }
}
