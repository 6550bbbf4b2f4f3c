import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The built server: `pnpm turbo run build --filter=@winnow/server...` before these tests. */
const SERVER = resolve(__dirname, '../dist/server.js');

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A real `node dist/server.js` process, driven over HTTP. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  /** Everything it wrote: pino's JSON lines on stdout, anything on stderr. */
  output(): string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** The administrator token every test server starts with (WINNOW_ADMIN_TOKEN). */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

/** A run as the API answers it (the fields these tests read). */
export interface RunJson {
  readonly id: number;
  readonly status: string;
  readonly now: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly counts: Readonly<Record<string, number>>;
  readonly tasks: Readonly<Record<string, number>>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Starts the server on `databaseUrl` with a fast worker (`env` overrides; a free port unless
 * WINNOW_PORT is given) and resolves once it answers /readyz. Kill what it returns (SIGKILL)
 * when a test ends early.
 */
export async function startServer(
  databaseUrl: string,
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess> {
  const port = env.WINNOW_PORT ?? String(await freePort());
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      WINNOW_PORT: port,
      WINNOW_LOG_LEVEL: 'warn',
      WINNOW_WORKER_INTERVAL: '100ms',
      WINNOW_LEASE_DURATION: '10s',
      WINNOW_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Exit>((done) => {
    child.once('exit', (code, signal) => {
      done({ code, signal });
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    url,
    child,
    exited,
    output: () => output,
    request: async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${env.WINNOW_ADMIN_TOKEN ?? TEST_ADMIN_TOKEN}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return server;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not become ready:\n${output}`);
    }
    await pause(50);
  }
}

/** Polls the run until it has finished. */
export async function finishedRun(
  server: ServerProcess,
  id: number,
  timeoutMs = 60_000,
): Promise<RunJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await server.request<RunJson>('GET', `/api/v1/runs/${id}`);
    if (run.finishedAt !== null) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not finish: ${JSON.stringify(run)}`);
    await pause(100);
  }
}

/** The log lines at warn level or above (pino: 40 and up), parsed. */
export function warnings(server: ServerProcess): { level: number; msg: string }[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((entry) => entry.level >= 40);
}

/** The pid in a worker's lease owner (`host:pid:random`): which process holds or did a task. */
export const ownerPid = (owner: string | null): number => Number(owner?.split(':').at(-2));
