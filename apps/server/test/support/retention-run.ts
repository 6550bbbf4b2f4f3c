import { openDatabase } from '@winnow/db';
import type { Inventory } from '@winnow/engine';
import { SERVER_POLICY } from '../retention-fixture';
import type { RunJson, ServerProcess } from '../server-process';

/**
 * Drives the retention fixture's run through a real server process: the tests that stop a
 * server in the middle of a run (SIGTERM, SIGKILL) and the uninterrupted run they compare with.
 */

/** Imports the snapshot, sets the fixture's server policy and starts a server-wide run. */
export async function startRun(server: ServerProcess, inventory: Inventory): Promise<RunJson> {
  await server.request('POST', '/api/v1/inventory/import', inventory);
  await server.request('PUT', '/api/v1/policies/server', SERVER_POLICY);
  return server.request<RunJson>('POST', '/api/v1/runs', { scope: { level: 'server' } });
}

/** Waits until at least `count` of the run's repositories are done. */
export async function waitForDone(
  server: ServerProcess,
  runId: number,
  count: number,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { repositories } = await server.request<{ repositories: unknown[] }>(
      'GET',
      `/api/v1/runs/${runId}/repositories?status=done&limit=${count}`,
    );
    if (repositories.length >= count) return;
    if (Date.now() > deadline) throw new Error(`run ${runId}: fewer than ${count} done`);
    await new Promise((done) => setTimeout(done, 10));
  }
}

/**
 * The expired tags whose expiry does not fall within the life of a run among `runIds` (from its
 * `now` to its end), as `path name: why`; empty when every expiry is one of those runs' own.
 */
export async function strayExpiries(url: string, runIds: readonly number[]): Promise<string[]> {
  const database = openDatabase(url);
  try {
    const lives = new Map<number, { from: number; to: number }>();
    for (const id of runIds) {
      const run = await database.runs.get(id);
      if (run === null) continue;
      lives.set(id, { from: run.now.getTime(), to: run.finishedAt?.getTime() ?? Infinity });
    }
    const strays: string[] = [];
    for await (const repository of database.inventory.exportRepositories()) {
      for (const expired of await database.tags.listExpired(repository)) {
        const life = expired.runId === null ? undefined : lives.get(expired.runId);
        const at = expired.expiredAt.getTime();
        if (life === undefined || at < life.from || at > life.to) {
          const path = `${repository.namespace}/${repository.name}`;
          strays.push(`${path} ${expired.tag.name}: run ${expired.runId} at ${at}`);
        }
      }
    }
    return strays;
  } finally {
    await database.close();
  }
}
