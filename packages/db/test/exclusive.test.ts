import { createServer } from 'node:net';
import { once } from 'node:events';
import { isDatabaseUnavailable, openDatabase } from '../src';
import { execute, migratedDatabase, type TestDatabase } from '../src/testing';

describe('exclusive work between two processes sharing PostgreSQL', () => {
  let created: TestDatabase | undefined;
  afterAll(async () => {
    await created?.drop();
  });

  it('runs the work of one holder at a time, per lock, and frees the lock when done', async () => {
    created = await migratedDatabase('postgresql');
    // Two opened databases: two pools and two lock sessions, as two replicas have.
    const a = openDatabase(created.url);
    const b = openDatabase(created.url);
    try {
      let release = (): void => undefined;
      const gate = new Promise<void>((done) => (release = done));
      let started = (): void => undefined;
      const running = new Promise<void>((done) => (started = done));
      const holding = a.exclusive.tryRun(7, async () => {
        started();
        await gate;
      });
      // Once a holds lock 7: b cannot take it, but takes another lock.
      await running;
      let bRan = false;
      expect(
        await b.exclusive.tryRun(7, () => {
          bRan = true;
          return Promise.resolve();
        }),
      ).toBe(false);
      expect(bRan).toBe(false);
      expect(await b.exclusive.tryRun(8, () => Promise.resolve())).toBe(true);
      // Within one process too: a second pass on the same lock does not start.
      expect(await a.exclusive.tryRun(7, () => Promise.resolve())).toBe(false);
      release();
      expect(await holding).toBe(true);
      expect(
        await b.exclusive.tryRun(7, () => {
          bRan = true;
          return Promise.resolve();
        }),
      ).toBe(true);
      expect(bRan).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('frees the lock at once when its holder loses its connection (a replica that died)', async () => {
    const url = created?.url ?? '';
    const a = openDatabase(url);
    const b = openDatabase(url);
    try {
      let release = (): void => undefined;
      const gate = new Promise<void>((done) => (release = done));
      let started = (): void => undefined;
      const running = new Promise<void>((done) => (started = done));
      const holding = a.exclusive.tryRun(9, async () => {
        started();
        await gate;
      });
      await running;
      expect(await b.exclusive.tryRun(9, () => Promise.resolve())).toBe(false);
      // The holder's session ends, as when its process is SIGKILLed.
      await execute(
        url,
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 9",
      );
      expect(await b.exclusive.tryRun(9, () => Promise.resolve())).toBe(true);
      release();
      await holding;
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('isDatabaseUnavailable', () => {
  it('is true for a PostgreSQL nobody listens for, false for an operation that is wrong', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const address = probe.address();
    probe.close();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const down = openDatabase(`postgresql://postgres@127.0.0.1:${address.port}/winnow`);
    try {
      const error: unknown = await down.ping().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).not.toBeNull();
      expect(isDatabaseUnavailable(error)).toBe(true);
      const notFound: unknown = await down.runs.get(1).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isDatabaseUnavailable(notFound)).toBe(true);
    } finally {
      await down.close();
    }
    expect(isDatabaseUnavailable(new Error('run 1: not found'))).toBe(false);
    expect(isDatabaseUnavailable({ code: 'P2002' })).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it('knows a driver adapter error thrown as is inside a transaction (seen in the outage test)', () => {
    const thrown = Object.assign(new Error('ConnectionClosed'), {
      name: 'DriverAdapterError',
      cause: { kind: 'ConnectionClosed' },
    });
    expect(isDatabaseUnavailable(thrown)).toBe(true);
    expect(isDatabaseUnavailable({ message: 'x', cause: { kind: 'ConnectionClosed' } })).toBe(true);
    const other = Object.assign(new Error('UniqueConstraintViolation'), {
      name: 'DriverAdapterError',
      cause: { kind: 'UniqueConstraintViolation' },
    });
    expect(isDatabaseUnavailable(other)).toBe(false);
  });
});
