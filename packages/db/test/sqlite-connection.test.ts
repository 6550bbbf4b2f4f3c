import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { type Database, openDatabase } from '../src';
import { migratedDatabase, type TestDatabase } from './support/databases';

/** Descriptors this process holds open on the database's files (main file, WAL, shared memory). */
function openFiles(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
    } catch {
      return false; // closed meanwhile
    }
  }).length;
}

describe('the SQLite connection', () => {
  let created: TestDatabase;
  let database: Database;
  beforeEach(async () => {
    created = await migratedDatabase('sqlite');
    database = openDatabase(created.url);
  });
  afterEach(async () => {
    await database.close();
    await created.drop();
  });

  it('runs every transaction on one connection: no connection is left behind', async () => {
    const path = created.url.slice('file:'.length);
    // Both connections in use: the one for transactions and writes, the one for plain reads.
    await database.transaction(async (stores) => {
      await stores.namespaces.create({ name: 'warm-up', kind: 'normal', settings: {} });
    });
    await database.namespaces.list();
    const before = openFiles(path);
    for (let i = 0; i < 199; i++) {
      await database.transaction(async (stores) => {
        await stores.namespaces.create({ name: `ns-${i}`, kind: 'normal', settings: {} });
      });
    }
    // @libsql/client alone leaves each transaction's connection open (three descriptors each)
    // until the garbage collector finalises it.
    expect(openFiles(path)).toBeLessThanOrEqual(before);
    expect(await database.namespaces.list()).toHaveLength(200);
  });

  it('reads outside a transaction while a transaction is open, and sees only what is committed', async () => {
    await database.namespaces.create({ name: 'before', kind: 'normal', settings: {} });
    let inside: () => void = () => undefined;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = database.transaction(async (stores) => {
      await stores.namespaces.create({ name: 'uncommitted', kind: 'normal', settings: {} });
      inside();
      await held;
    });
    await entered;
    // On one connection this read would wait for the transaction (Prisma's adapter holds its
    // lock throughout): the test would time out. On the read connection it answers at once.
    const names = (await database.namespaces.list()).map((namespace) => namespace.name);
    expect(names).toEqual(['before']);
    release();
    await transaction;
    const after = (await database.namespaces.list()).map((namespace) => namespace.name);
    expect(after).toEqual(['before', 'uncommitted']);
  });

  it('reuses prepared statements: memory does not grow with the statements executed', async () => {
    // Anonymous memory outside V8's heap (MiB): the native side of the driver.
    const anonymous = (): number =>
      Number(/RssAnon:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024 -
      process.memoryUsage().heapTotal / 1024 / 1024;
    const details = { document: 'x'.repeat(25_000) };
    const entry = { actor: 'test', action: 'big', target: 'x', details };
    for (let i = 0; i < 100; i++) await database.audit.record(entry); // warm up
    const before = anonymous();
    for (let i = 0; i < 3000; i++) await database.audit.record(entry);
    // Without reuse each statement keeps its 25 kB value natively until a late GC: ~80 MiB.
    expect(anonymous() - before).toBeLessThan(40);
  });

  it('rolls a failed transaction back and goes on with the next one', async () => {
    await expect(
      database.transaction(async (stores) => {
        await stores.namespaces.create({ name: 'kept-out', kind: 'normal', settings: {} });
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await database.transaction(async (stores) => {
      await stores.namespaces.create({ name: 'kept', kind: 'normal', settings: {} });
    });
    expect((await database.namespaces.list()).map((n) => n.name)).toEqual(['kept']);
  });

  it('opens the file in WAL mode, so another process reads while Winnow writes', async () => {
    await database.namespaces.list();
    // An ES module: imported, not required.
    const { createClient } = await import('@libsql/client');
    const other = createClient({ url: created.url });
    try {
      const mode = await other.execute('PRAGMA journal_mode');
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      await database.transaction(async (stores) => {
        await stores.namespaces.create({ name: 'pending', kind: 'normal', settings: {} });
        // A reader outside sees the last commit, not blocked by the open write transaction.
        const seen = await other.execute('SELECT count(*) AS n FROM "Namespace"');
        expect(Number(seen.rows[0]?.n)).toBe(0);
      });
      const after = await other.execute('SELECT count(*) AS n FROM "Namespace"');
      expect(Number(after.rows[0]?.n)).toBe(1);
    } finally {
      other.close();
    }
  });
});
