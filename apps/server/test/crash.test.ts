import { randomInt } from 'node:crypto';
import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
import { providers } from './database';
import {
  databaseState,
  decidedExpiries,
  expectedState,
  fixtureInventory,
  runRecord,
  runTasks,
} from './retention-fixture';
import { finishedRun, type ServerProcess, startServer } from './server-process';
import { ResumableRun, seededRandom } from './support/resumable-run';
import { startRun, strayExpiries } from './support/retention-run';

/**
 * Crash consistency: the server is SIGKILLed at KILLS random points of a large run (the import
 * included), restarted on the same database each time, and the run driven to its end; the
 * inventory must then be what an uninterrupted run of the same snapshot leaves, which is what
 * the engine decides. Replay a failure with WINNOW_CRASH_SEED=<the seed in the test's name>.
 */
const SEED = Number(process.env.WINNOW_CRASH_SEED ?? randomInt(2 ** 31));
const KILLS = 20;
/**
 * Measured: a run of this inventory alone takes 6–11 s on a 2-core machine under heavy load, and
 * each restart some 5 s: 20 of them keep the file within a few minutes.
 */
const REPOSITORIES = 150;
/**
 * Short leases, so that the tasks a killed server held are taken over within seconds; small
 * batches, so that a kill strands few claimed repositories (each kill counts against them all);
 * exact progress, since kill points are counted in repositories done and a run lasts about a
 * second (with progress up to 1 s old, the kills landed after the run).
 */
const ENV = {
  WINNOW_RUN_PROGRESS_MAX_AGE: 'off',
  WINNOW_LEASE_DURATION: '2s',
  WINNOW_WORKER_BATCH_SIZE: '5',
  WINNOW_WORKER_CONCURRENCY: '2',
};
/** After the last kill, the run must end within this bound. */
const FINISH_WITHIN_MS = 60_000;

jest.setTimeout(600_000);

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Where a kill lands: the first one `afterMs` into the import (which a restart repeats whole), the
 * others once `done` repositories of the run are applied and `afterMs` more have passed. Progress
 * rather than wall-clock time spreads them over the run's life however loaded the machine is.
 */
interface KillPoint {
  readonly done: number;
  readonly afterMs: number;
}

function killSchedule(random: () => number, importMs: number): KillPoint[] {
  const during = Array.from({ length: KILLS - 1 }, () => ({
    done: Math.floor(random() * REPOSITORIES),
    afterMs: Math.floor(random() * 100),
  })).sort((x, y) => x.done - y.done);
  return [{ done: -1, afterMs: Math.floor(random() * importMs * 0.8) }, ...during];
}

describe.each(providers)(
  `SIGKILL at ${KILLS} random points (WINNOW_CRASH_SEED=${SEED}) on %s`,
  (provider) => {
    const databases: TestDatabase[] = [];
    const servers: ServerProcess[] = [];
    afterAll(async () => {
      for (const server of servers) server.child.kill('SIGKILL');
      for (const database of databases) await database.drop();
    });

    async function server(url: string): Promise<ServerProcess> {
      const started = await startServer(url, ENV);
      servers.push(started);
      return started;
    }

    it('ends where an uninterrupted run does: nothing lost, nothing wrongly expired, no run stuck', async () => {
      const inventory = fixtureInventory(REPOSITORIES, Date.now());

      // The uninterrupted run, timed: the kill points are spread over that life.
      const fresh = await migratedDatabase(provider);
      databases.push(fresh);
      const reference = await server(fresh.url);
      // The import alone, timed (startRun imports it again: the import is idempotent).
      const importing = Date.now();
      await reference.request('POST', '/api/v1/inventory/import', inventory);
      const importMs = Date.now() - importing;
      const started = Date.now();
      const queued = await startRun(reference, inventory);
      const whole = await finishedRun(reference, queued.id);
      const lifeMs = Date.now() - started;
      reference.child.kill('SIGKILL');
      await reference.exited;
      expect(whole.status).toBe('succeeded');

      const database = await migratedDatabase(provider);
      databases.push(database);
      const schedule = killSchedule(seededRandom(SEED), importMs);
      const run = new ResumableRun(inventory);
      const hit: string[] = [];
      for (const point of schedule) {
        const victim = await server(database.url);
        // Settles when the run ends or the server goes; a kill is what ends it here.
        const driving = { over: false };
        const drive = run.drive(victim).then(
          () => undefined,
          () => undefined,
        );
        void drive.finally(() => {
          driving.over = true;
        });
        while (point.done >= 0 && run.done < point.done && !driving.over) await pause(20);
        await pause(point.afterMs);
        hit.push(`${run.phase}@${run.done}`);
        if (process.env.WINNOW_CRASH_TRACE !== undefined)
          process.stderr.write(
            `kill ${hit.length}: run ${run.runIds.join(',')} ${hit.at(-1)} target ${point.done}\n`,
          );
        victim.child.kill('SIGKILL');
        expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
        await drive;
      }
      const where = hit.join(' ');

      const last = await server(database.url);
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([
        run.drive(last),
        new Promise<never>((_, fail) => {
          timer = setTimeout(() => {
            fail(new Error(`run stuck after the kills (seed ${SEED}): ${where}`));
          }, FINISH_WITHIN_MS);
        }),
      ]).finally(() => {
        clearTimeout(timer);
      });
      expect({ seed: SEED, where, status: ended.status }).toMatchObject({ status: 'succeeded' });
      // The kills hit the run itself, not only its set-up or its end.
      expect({ seed: SEED, where, setUp: !hit[0]?.startsWith('running') }).toMatchObject({
        setUp: true,
      });
      expect(hit.filter((h) => h.startsWith('running')).length).toBeGreaterThan(KILLS / 2);

      // No run stuck, no task left claimed.
      let abandoned = 0;
      for (const id of run.runIds) {
        const record = await runRecord(database.url, id);
        expect({ id, finished: record.finishedAt !== null }).toEqual({ id, finished: true });
        for (const task of await runTasks(database.url, id)) {
          expect(task).toMatchObject({ leaseExpiresAt: null });
          if (task.status === 'done') continue;
          // A repository fails only as abandoned (then re-run), and only when it was being worked
          // at each of 3 kills: a kill that strands claimed repositories not yet begun (the rest
          // of the batch) must not count against them, however often it happens.
          abandoned += 1;
          expect({ seed: SEED, where, task }).toMatchObject({
            task: { status: 'failed', executions: 3, error: { code: 'WINNOW_TASK_ABANDONED' } },
          });
        }
      }
      const tasks = await runTasks(database.url, ended.id);
      expect(tasks).toHaveLength(REPOSITORIES);
      expect(tasks.filter((t) => t.status !== 'done')).toEqual([]);

      // The engine's decisions, applied once: the tags live and expired, by which run, and when
      // (at the run's `now`), as the uninterrupted run left them.
      const final = await databaseState(database.url);
      if (run.runIds.length === 1) {
        expect(final).toEqual(
          expectedState(inventory, decidedExpiries(inventory, ended.now), ended.id),
        );
        expect(ended.counts).toEqual(whole.counts);
      }
      const strip = (state: typeof final) =>
        new Map([...state].map(([path, { live, expired }]) => [path, { live, expired }]));
      expect(strip(final)).toEqual(strip(await databaseState(fresh.url)));
      expect(await strayExpiries(database.url, run.runIds)).toEqual([]);
      expect(await strayExpiries(fresh.url, [whole.id])).toEqual([]);
      console.log(
        `crash schedule on ${provider} (seed ${SEED}, run ${lifeMs} ms, ${run.runIds.length} run(s), ${abandoned} repositories abandoned): ${where}`,
      );
    });
  },
);
