import pg from 'pg';
import { pgTimeoutOptions, type PostgresTimeouts } from './client';
import type { Provider } from './provider';

/** Work that at most one process sharing the database does at a time. */
export interface Exclusive {
  /**
   * Runs `work` while holding the lock `id` (no other process sharing the database holds it),
   * and resolves `true`; resolves `false` at once, without running it, when another holds it.
   */
  tryRun(id: number, work: () => Promise<void>): Promise<boolean>;
  close(): Promise<void>;
}

/** The first key of Winnow's advisory locks ("WINN"), beside other applications' locks. */
const LOCK_SPACE = 0x57494e4e;

/**
 * On PostgreSQL: a session advisory lock on a connection of its own, outside Prisma's pool (a
 * session lock must be released on the session that took it). A process that dies loses its
 * connection, and PostgreSQL releases its locks at once: no lease to wait out. On SQLite, one
 * process owns the file: a lock within the process is enough.
 */
export function exclusive(url: string, provider: Provider, timeouts: PostgresTimeouts): Exclusive {
  const running = new Set<number>();
  let client: Promise<pg.Client> | undefined;
  const connection = (): Promise<pg.Client> => {
    client ??= (async () => {
      const c = new pg.Client({ connectionString: url, ...pgTimeoutOptions(timeouts) });
      // A lost connection has lost its locks too: the next call connects again.
      c.on('error', () => {
        client = undefined;
      });
      c.on('end', () => {
        client = undefined;
      });
      await c.connect();
      return c;
    })().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
  const drop = (c: pg.Client): void => {
    client = undefined;
    c.end().catch(() => undefined);
  };
  return {
    tryRun: async (id, work) => {
      if (running.has(id)) return false;
      running.add(id);
      try {
        if (provider !== 'postgresql') {
          await work();
          return true;
        }
        const c = await connection();
        const { rows } = await c
          .query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
            LOCK_SPACE,
            id,
          ])
          .catch((error: unknown) => {
            // Unanswered in time: the server may still grant the lock later, on a session nobody
            // would unlock. End the session (and any lock with it); the next call connects again.
            drop(c);
            throw error;
          });
        if (rows[0]?.locked !== true) return false;
        try {
          await work();
        } finally {
          await c.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_SPACE, id]).catch(() => {
            // The connection is gone (or is dropped now), and its locks with it.
            drop(c);
          });
        }
        return true;
      } finally {
        running.delete(id);
      }
    },
    close: async () => {
      const c = await client?.catch(() => undefined);
      client = undefined;
      await c?.end();
    },
  };
}
