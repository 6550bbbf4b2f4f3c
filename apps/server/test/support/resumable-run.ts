import type { Inventory } from '@winnow/engine';
import { SERVER_POLICY } from '../retention-fixture';
import type { RunJson, ServerProcess } from '../server-process';

/** Where a resumable run stood when its server was last seen. */
export type RunPhase = 'import' | 'policy' | 'create' | 'running' | 'finished';

/**
 * The ends that call for another run: some or all repositories failed (a repository whose holder
 * was killed 3 times while working it fails with WINNOW_TASK_ABANDONED).
 */
const RERUN = new Set(['failed', 'partial']);

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * The fixture's run driven across server restarts, as an operator would: each `drive` picks up
 * where the last one was cut off (a request whose answer was lost is checked or repeated: the
 * import and the policy are idempotent, and a run whose creation was not answered is found in the
 * run list), waits for the run to end, and starts a new one when it ended failed or partial.
 */
export class ResumableRun {
  phase: RunPhase = 'import';
  /** The runs it started, oldest first. */
  readonly runIds: number[] = [];
  /** Repositories of the current run done when last polled. */
  done = 0;

  constructor(private readonly inventory: Inventory) {}

  /** Drives the run to its end on `server`; rejects when the server goes away. */
  async drive(server: ServerProcess): Promise<RunJson> {
    if (this.phase === 'import') {
      await server.request('POST', '/api/v1/inventory/import', this.inventory);
      this.phase = 'policy';
    }
    if (this.phase === 'policy') {
      await server.request('PUT', '/api/v1/policies/server', SERVER_POLICY);
      this.phase = 'create';
    }
    for (;;) {
      if (this.phase === 'create') await this.create(server);
      const run = await this.poll(server);
      if (!RERUN.has(run.status)) return run;
      this.phase = 'create';
    }
  }

  /** Adopts a run created by a request whose answer was lost, or creates one. */
  private async create(server: ServerProcess): Promise<void> {
    const { runs } = await server.request<{ runs: RunJson[] }>('GET', '/api/v1/runs?limit=100');
    const last = this.runIds.at(-1) ?? 0;
    const lost = runs.filter((run) => run.id > last).map((run) => run.id);
    const id =
      lost.length > 0
        ? Math.max(...lost)
        : (
            await server.request<RunJson>('POST', '/api/v1/runs', {
              scope: { level: 'server' },
            })
          ).id;
    this.runIds.push(id);
    this.done = 0;
    this.phase = 'running';
  }

  private async poll(server: ServerProcess): Promise<RunJson> {
    const id = this.runIds.at(-1) as number;
    for (;;) {
      const run = await server.request<RunJson>('GET', `/api/v1/runs/${id}`);
      this.done = run.tasks.done ?? 0;
      if (run.finishedAt !== null) {
        this.phase = RERUN.has(run.status) ? 'create' : 'finished';
        return run;
      }
      await pause(50);
    }
  }
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1), so a failing schedule can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
