import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The minimal part of packages/registry/test/support/registry.ts (test files are not part of the
// package's exports), with a notification endpoint.
const BINARY = '/usr/bin/docker-registry';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface TestRegistry {
  readonly url: string;
  stop(): Promise<void>;
}

/** Where the registry sends its notification envelopes, and the headers it sends with them. */
export interface NotificationEndpoint {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A CNCF distribution registry (Debian `docker-registry`) on loopback: storage in a temp dir,
 * deletes enabled, no auth, notifications to `endpoint` (retried every second until accepted).
 */
export async function startRegistry(endpoint: NotificationEndpoint): Promise<TestRegistry> {
  if (!existsSync(BINARY)) {
    throw new Error('docker-registry is not installed: apt-get install docker-registry');
  }
  const dir = mkdtempSync(join(tmpdir(), 'winnow-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      'notifications:',
      '  endpoints:',
      '    - name: winnow',
      `      url: ${endpoint.url}`,
      '      headers:',
      ...Object.entries(endpoint.headers).map(
        ([name, value]) => `        ${name}: [${JSON.stringify(value)}]`,
      ),
      '      timeout: 1s',
      '      threshold: 5',
      '      backoff: 1s',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(BINARY, ['serve', config], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/v2/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error('the registry did not start');
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
