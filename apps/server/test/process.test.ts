import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SERVER = resolve(__dirname, '../dist/server.js');
// Starting a process and migrating its database takes seconds when CI runs suites in parallel.
jest.setTimeout(30_000);

async function freePort(): Promise<number> {
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

async function waitFor(url: string, deadline: number): Promise<Response> {
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('the server process', () => {
  it('migrates its SQLite database, listens on a real socket and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'winnow-server-'));
    const child = spawn(process.execPath, [SERVER], {
      env: {
        ...process.env,
        WINNOW_PORT: String(port),
        WINNOW_LOG_LEVEL: 'warn',
        DATABASE_URL: `file:${join(dir, 'nested', 'winnow.db')}`,
      },
      stdio: 'ignore',
    });
    try {
      const response = await waitFor(`http://127.0.0.1:${port}/healthz`, Date.now() + 25_000);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready' });
      const exited = new Promise<number | null>((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await expect(exited).resolves.toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses invalid configuration with a clear message and exit status 2', () => {
    const result = spawnSync(process.execPath, [SERVER], {
      env: { ...process.env, WINNOW_PORT: 'nope' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid configuration: WINNOW_PORT: expected a port number');
  });
});
