import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient as PostgresqlClient, type Prisma } from './generated/postgresql/client';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { type Provider, providerOf } from './provider';
import { SingleConnectionLibSql } from './sqlite-connection';

/**
 * The client the stores use. Both generated clients have the same model API (the models are one
 * file); the PostgreSQL client's type stands for both, and the SQLite client is cast to it here,
 * in this one place. Stores use only portable features, and tests run every store on both.
 */
export type DbClient = PostgresqlClient;
export type DbTransaction = Prisma.TransactionClient;

/**
 * Runs `work` in a transaction: a new one when `db` is the client, the current one when `db` is
 * already a transaction (stores opened by `Database.transaction`).
 */
export function inTransaction<T>(
  db: DbClient | DbTransaction,
  work: (tx: DbTransaction) => Promise<T>,
  options?: { timeout?: number; maxWait?: number },
): Promise<T> {
  return isClient(db) ? db.$transaction(work, options) : work(db);
}

const isClient = (db: DbClient | DbTransaction): db is DbClient =>
  typeof (db as Partial<DbClient>).$transaction === 'function';

/**
 * How long PostgreSQL may take before an operation fails as unavailable (`isDatabaseUnavailable`),
 * instead of waiting forever on a server that accepts connections but never answers.
 */
export interface PostgresTimeouts {
  /** To open a connection, or to get one from a full pool. */
  readonly connectMs: number;
  /**
   * For one statement: the server cancels it past this (`statement_timeout`), and the client
   * gives up waiting for an answer past it too (`query_timeout`), for a server that is silent.
   */
  readonly queryMs: number;
}

export const DEFAULT_POSTGRES_TIMEOUTS: PostgresTimeouts = { connectMs: 5_000, queryMs: 30_000 };

/** node-postgres's options (Client and Pool) for `timeouts`. */
export function pgTimeoutOptions(timeouts: PostgresTimeouts): {
  connectionTimeoutMillis: number;
  query_timeout: number;
  statement_timeout: number;
} {
  return {
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: timeouts.queryMs,
    statement_timeout: timeouts.queryMs,
  };
}

/** A Prisma client for the URL's provider, through its driver adapter (no native engine). */
export function createClient(
  url: string,
  timeouts: PostgresTimeouts = DEFAULT_POSTGRES_TIMEOUTS,
): { provider: Provider; client: DbClient } {
  const provider = providerOf(url);
  if (provider === 'postgresql') {
    const adapter = new PrismaPg({ connectionString: url, ...pgTimeoutOptions(timeouts) });
    return { provider, client: new PostgresqlClient({ adapter }) };
  }
  const client = new SqliteClient({ adapter: new SingleConnectionLibSql({ url }) });
  return { provider, client: client as unknown as DbClient };
}
