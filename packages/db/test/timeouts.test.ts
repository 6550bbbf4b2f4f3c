/**
 * A PostgreSQL that does not answer in time fails fast, as unavailable, instead of leaving the
 * caller waiting forever: a server that accepts connections and stays silent, and a statement
 * stuck behind a lock.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import pg from 'pg';
import { isDatabaseUnavailable, openDatabase } from '../src';
import { migratedDatabase, type TestDatabase } from '../src/testing';

const TIMEOUTS = { connectMs: 500, queryMs: 1_000 };
/** Past the timeout: the work itself, on a loaded machine. */
const MARGIN_MS = 1_500;

async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await work().then(
    () => null,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
}

describe('PostgreSQL timeouts', () => {
  it('gives up on a server that accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
    }).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const db = openDatabase(`postgresql://postgres@127.0.0.1:${address.port}/winnow`, {
      postgresTimeouts: TIMEOUTS,
    });
    try {
      for (const work of [
        () => db.ping(),
        () => db.runs.get(1),
        () => db.exclusive.tryRun(1, () => Promise.resolve()),
      ]) {
        const { error, ms } = await failure(work);
        expect(error).not.toBeNull();
        expect(isDatabaseUnavailable(error)).toBe(true);
        expect(ms).toBeLessThan(TIMEOUTS.connectMs + MARGIN_MS);
      }
      expect(sockets.size).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await db.close();
    }
  });

  describe('on a live server', () => {
    let created: TestDatabase | undefined;
    afterAll(async () => {
      await created?.drop();
    });

    it('cancels a statement that waits past the query timeout, and the pool serves the next one', async () => {
      created = await migratedDatabase('postgresql');
      const db = openDatabase(created.url, { postgresTimeouts: TIMEOUTS });
      const holder = new pg.Client({ connectionString: created.url });
      await holder.connect();
      try {
        await db.ping();
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE "Run" IN ACCESS EXCLUSIVE MODE');
        const { error, ms } = await failure(() => db.runs.get(1));
        expect(error).not.toBeNull();
        expect(isDatabaseUnavailable(error)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.queryMs - 50);
        expect(ms).toBeLessThan(TIMEOUTS.queryMs + MARGIN_MS);
        await holder.query('ROLLBACK');
        expect(await db.runs.get(1)).toBeNull();
      } finally {
        await holder.end();
        await db.close();
      }
    });
  });
});
