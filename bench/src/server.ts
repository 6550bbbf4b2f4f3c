/**
 * The real server for benchmarks that go through the API: `apps/server/dist/server.js` in a
 * child process on a free loopback port (it migrates its database at start-up), and a throwaway
 * PostgreSQL 15 cluster from the data layer's test setup.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVER = join(ROOT, 'apps/server/dist/server.js');

export interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts the server on `databaseUrl` and waits until `/readyz` answers; `nodeArgs` go to node,
 * `env` adds to its environment.
 */
export async function startServer(
  databaseUrl: string,
  nodeArgs: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, SERVER], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      WINNOW_PORT: String(port),
      WINNOW_LOG_LEVEL: 'warn',
      // The benchmarks measure imports, previews and runs on loopback, not token checks, and send
      // thousands of requests a minute from one client on purpose (no rate limit).
      WINNOW_AUTH: 'off',
      WINNOW_RATE_LIMIT: 'off',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url, port };
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the server on ${databaseUrl} did not become ready`);
}

/** SIGTERM, as an operator stops it: in-flight requests finish, then it exits. */
export async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  await exited;
}

export interface Cluster {
  readonly url: string;
}

interface ClusterModule {
  startCluster(options?: { durable?: boolean }): Promise<Cluster>;
  stopCluster(cluster: Cluster): void;
}

/** The test setup's cluster helpers (`packages/db/test/setup/postgres-cluster.js`). */
export function postgresClusters(): ClusterModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(ROOT, 'packages/db/test/setup/postgres-cluster.js')) as ClusterModule;
}

/** Creates database `name` in the cluster at `clusterUrl`; returns its URL. */
export async function createDatabase(clusterUrl: string, name: string): Promise<string> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: `${clusterUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return `${clusterUrl}/${name}`;
}
