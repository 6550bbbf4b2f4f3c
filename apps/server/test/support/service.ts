import type { FastifyInstance } from 'fastify';
import { openDatabase } from '@winnow/db';
import { migratedDatabase, type TestProvider } from '@winnow/db/testing';

import { readConfig } from '../../src/config';
import { buildService, type Service, type ServiceOptions } from '../../src/service';

/** Polls `read` every 50 ms until `done` holds; fails after `timeoutMs` with the last value. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RunningService {
  readonly service: Service;
  readonly app: FastifyInstance;
  /** Stops the worker and the app, closes and drops the database. */
  readonly stop: () => Promise<void>;
}

/**
 * The whole service (API and worker on a 50 ms interval) on a fresh database, started; `options`
 * adds to the service's (e.g. the webhook dispatcher's timings).
 */
export async function startService(
  provider: TestProvider,
  env: Record<string, string> = {},
  options: Partial<Omit<ServiceOptions, 'config' | 'database'>> = {},
): Promise<RunningService> {
  const created = await migratedDatabase(provider);
  const database = openDatabase(created.url);
  const service = await buildService({
    config: readConfig({ WINNOW_AUTH: 'off', WINNOW_WORKER_INTERVAL: '50ms', ...env }),
    database,
    logger: false,
    ...options,
  });
  await service.app.ready();
  service.start();
  return {
    service,
    app: service.app,
    stop: async () => {
      await service.stop();
      await database.close();
      await created.drop();
    },
  };
}

/** Puts `policy` on the server scope, runs it, waits for the run to end; returns its id. */
export async function runServerPolicy(
  app: FastifyInstance,
  policy: object,
): Promise<{ id: number; status: string }> {
  const put = await app.inject({ method: 'PUT', url: '/api/v1/policies/server', payload: policy });
  if (put.statusCode !== 201 && put.statusCode !== 200) throw new Error(`policy: ${put.body}`);
  const run = await app.inject({
    method: 'POST',
    url: '/api/v1/runs',
    payload: { scope: { level: 'server' } },
  });
  if (run.statusCode !== 202) throw new Error(`run: ${run.body}`);
  const { id } = run.json<{ id: number }>();
  const finished = await until(
    'the run',
    async () =>
      (await app.inject({ method: 'GET', url: `/api/v1/runs/${id}` })).json<{
        status: string;
        finishedAt: string | null;
      }>(),
    (r) => r.finishedAt !== null,
  );
  return { id, status: finished.status };
}
