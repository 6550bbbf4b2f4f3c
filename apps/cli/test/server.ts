/** A real server process for the CLI's remote tests: `node apps/server/dist/server.js`, SQLite in a temp dir. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './helpers';

const SERVER = resolve(REPO_ROOT, 'apps/server/dist/server.js');

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        done(typeof address === 'object' && address ? address.port : 0);
      });
    });
  });
}

export interface TestServer {
  readonly url: string;
  /** A JSON request that must succeed (2xx); resolves to the body. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): void;
}

/** Starts the server with `env` added to ours and resolves once it answers /readyz. */
export async function startServer(env: Readonly<Record<string, string>> = {}): Promise<TestServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'winnow-cli-remote-'));
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      WINNOW_PORT: String(port),
      WINNOW_LOG_LEVEL: 'warn',
      // The CLI's own tests of tokens set WINNOW_ADMIN_TOKEN and WINNOW_TOKEN instead.
      WINNOW_AUTH: 'off',
      DATABASE_URL: `file:${join(dataDir, 'winnow.db')}`,
      ...env,
    },
    stdio: 'ignore',
  });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Generous: CI runs the packages' suites two at a time on two cores.
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error('the server did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}${path}`, {
        method,
        ...(body !== undefined && {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
  };
}
