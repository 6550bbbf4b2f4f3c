import { createRequire } from 'node:module';
import { PrismaLibSql } from '@prisma/adapter-libsql';

type Config = Parameters<PrismaLibSql['createClient']>[0];
type Adapter = Awaited<ReturnType<PrismaLibSql['connect']>>;
type Query = Parameters<Adapter['queryRaw']>[0];
type Client = ReturnType<PrismaLibSql['createClient']>;
type Transaction = Awaited<ReturnType<Client['transaction']>>;
type Mode = 'write' | 'read' | 'deferred';

/**
 * How the SQLite file is opened, once per process (docs/database.md, "SQLite"):
 * - WAL: readers (another process, a backup) do not block the writer, and a commit writes the
 *   log once instead of the page and a rollback journal;
 * - synchronous=NORMAL (the usual setting with WAL): a commit survives Winnow crashing or being
 *   killed; only the last commits before an OS crash or power loss can be lost, never the file's
 *   consistency;
 * - busy_timeout: another process holding the write lock (the CLI, a backup) makes a write wait up
 *   to 5 s instead of failing at once;
 * (Foreign keys are enforced by libsql's default already.)
 */
const PRAGMAS = [
  'PRAGMA journal_mode = WAL',
  'PRAGMA synchronous = NORMAL',
  'PRAGMA busy_timeout = 5000',
];

/**
 * Prisma's libsql adapter with every transaction on the client's one connection.
 *
 * `@libsql/client` gives each transaction the connection it has and opens a new one for what
 * follows; the old one is never closed, and holds its native page cache until the garbage
 * collector finalises it, which it does late because it does not see native memory. A process
 * doing thousands of transactions (an import, a run) grew to gigabytes of RSS that way. The
 * adapter already takes a lock for the whole of a transaction (no other query runs meanwhile), so
 * the transaction can run on the client's own connection: BEGIN, the statements, COMMIT or
 * ROLLBACK, one connection for the life of the process.
 */
export class SingleConnectionLibSql extends PrismaLibSql {
  readonly #separateReads: boolean;

  constructor(config: Config) {
    super(config);
    this.#separateReads = !/:memory:|mode=memory/.test(config.url);
  }

  override createClient(config: Config): Client {
    cachePreparedStatements();
    return singleConnection(super.createClient(config));
  }

  override async connect(): Promise<Adapter> {
    const writer = await super.connect();
    if (!this.#separateReads) return writer;
    return readsApart(writer, await super.connect());
  }
}

/** A statement that only reads: Prisma's reads are one SELECT each. */
const READ_ONLY = /^\s*SELECT\b/i;

/**
 * Reads outside a transaction on a second connection of their own.
 *
 * Prisma's adapter serialises everything on a connection with one lock, held for the whole of a
 * transaction, awaits included: while the worker applied a repository (a transaction of a few
 * milliseconds to a few hundred), every API read waited for it, and for the other lanes'
 * transactions queued before it. With WAL a second connection reads the last committed state
 * while the first writes, which is what a read outside a transaction must see anyway: a
 * transaction's own reads still go through the transaction. Writes (INSERT/UPDATE/DELETE, with
 * RETURNING or not) and everything else stay on the first connection.
 */
function readsApart(writer: Adapter, reader: Adapter): Adapter {
  return new Proxy(writer, {
    get(target, property) {
      if (property === 'queryRaw') {
        return (query: Query) =>
          READ_ONLY.test(query.sql) ? reader.queryRaw(query) : target.queryRaw(query);
      }
      if (property === 'dispose') {
        return async () => {
          await Promise.all([reader.dispose(), target.dispose()]);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

/** Prepared statements kept per connection, the least recently used dropped beyond this. */
const CACHED_STATEMENTS = 256;

interface LibsqlDatabaseClass {
  prototype: { prepare: (this: object, sql: string) => unknown; __winnowCached?: true };
}

/**
 * `@libsql/client` prepares every statement it executes anew and never finalises it: the native
 * statement (and the values bound to it: a run's decision documents are tens of kilobytes) lives
 * until the garbage collector finalises its wrapper, which it does late since it does not see
 * native memory. A run over 10,000 repositories grew the server by a gigabyte that way, and
 * preparing cost a tenth of its CPU. Reusing prepared statements (the usual practice with
 * SQLite; each is run to completion before the next use, one connection at a time) bounds both:
 * `libsql`'s `Database.prepare` is wrapped, once per process, with a small LRU cache per
 * connection.
 */
function cachePreparedStatements(): void {
  // libsql is @libsql/client's own dependency: resolved from there, the very module it uses.
  const fromClient = createRequire(require.resolve('@libsql/client'));
  const Database = fromClient('libsql') as LibsqlDatabaseClass;
  const proto = Database.prototype;
  if (proto.__winnowCached) return;
  const prepare = proto.prepare;
  const caches = new WeakMap<object, Map<string, unknown>>();
  proto.prepare = function cachedPrepare(this: object, sql: string): unknown {
    let cache = caches.get(this);
    if (cache === undefined) {
      cache = new Map();
      caches.set(this, cache);
    }
    const cached = cache.get(sql);
    if (cached !== undefined) {
      cache.delete(sql);
      cache.set(sql, cached);
      return cached;
    }
    const statement = prepare.call(this, sql);
    cache.set(sql, statement);
    if (cache.size > CACHED_STATEMENTS) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return statement;
  };
  proto.__winnowCached = true;
}

function singleConnection(client: Client): Client {
  let ready: Promise<void> | undefined;
  const prepared = async (): Promise<void> => {
    ready ??= (async () => {
      for (const pragma of PRAGMAS) await client.execute(pragma);
    })();
    await ready;
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'execute') {
        return async (...args: Parameters<Client['execute']>) => {
          await prepared();
          return target.execute(...args);
        };
      }
      if (property === 'transaction') {
        return async (mode: Mode = 'write') => {
          await prepared();
          return sameConnectionTransaction(target, mode);
        };
      }
      // Its methods use private fields: they must run on the client, not on the proxy.
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

const BEGIN = {
  write: 'BEGIN IMMEDIATE',
  read: 'BEGIN TRANSACTION READONLY',
  deferred: 'BEGIN DEFERRED',
} as const;

async function sameConnectionTransaction(client: Client, mode: Mode): Promise<Transaction> {
  await client.execute(BEGIN[mode]);
  let open = true;
  const end = async (statement: 'COMMIT' | 'ROLLBACK'): Promise<void> => {
    if (!open) return;
    open = false;
    try {
      await client.execute(statement);
    } catch (error) {
      // A failed COMMIT (the file is locked, the disk is full) leaves the transaction open on
      // the one connection: roll it back, or every later statement would run inside it.
      if (statement === 'COMMIT') await client.execute('ROLLBACK').catch(() => undefined);
      throw error;
    }
  };
  const checked = <T>(work: () => Promise<T>): Promise<T> => {
    if (!open) return Promise.reject(new Error('the transaction is closed'));
    return work();
  };
  return {
    execute: (statement) => checked(() => client.execute(statement)),
    batch: (statements) =>
      checked(async () => {
        const results = [];
        for (const statement of statements) results.push(await client.execute(statement));
        return results;
      }),
    executeMultiple: (sql) => checked(() => client.executeMultiple(sql)),
    commit: () => checked(() => end('COMMIT')),
    rollback: () => end('ROLLBACK'),
    close: () => {
      // Closing an open transaction rolls it back (as @libsql/client does); not awaited there.
      if (open) void end('ROLLBACK');
    },
    get closed() {
      return !open;
    },
  };
}
