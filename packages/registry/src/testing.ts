/** Test support: a real CNCF distribution registry of its own, for this package's tests and the server's. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = '/usr/bin/docker-registry';

/** Installs the CNCF distribution registry (Debian `docker-registry`) when it is missing. */
function ensureRegistry(): void {
  if (existsSync(BINARY)) return;
  if (process.getuid?.() !== 0) {
    throw new Error('docker-registry is not installed: apt-get install docker-registry (as root)');
  }
  execFileSync('apt-get', ['update'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'docker-registry'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
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

export interface TestRegistry {
  readonly url: string;
  stop(): Promise<void>;
}

export interface TestRegistryOptions {
  /**
   * Where the registry POSTs its notification envelopes (pushes, pulls, deletes), with these
   * headers (e.g. `Authorization: Bearer <secret>`); retried every second until accepted.
   */
  readonly notifications?: { url: string; headers?: Readonly<Record<string, string>> };
  /** Listen on this loopback port (default: a free one), e.g. to start a stopped registry again. */
  readonly port?: number;
  /**
   * Keep the storage here (default: a temp dir removed by `stop`); a dir given is left in place,
   * so a registry started again on it has the same content.
   */
  readonly dataDir?: string;
}

/** The registry configuration's `notifications` section (YAML lines). */
function notificationLines(options: TestRegistryOptions): string[] {
  const endpoint = options.notifications;
  if (endpoint === undefined) return [];
  return [
    'notifications:',
    '  endpoints:',
    '    - name: test',
    `      url: ${endpoint.url}`,
    '      headers:',
    ...Object.entries(endpoint.headers ?? {}).map(
      ([name, value]) => `        ${name}: [${JSON.stringify(value)}]`,
    ),
    '      timeout: 1s',
    '      threshold: 5',
    '      backoff: 1s',
  ];
}

/**
 * A registry of its own on loopback, storage in a temp dir, deletes enabled, no auth (the
 * package's own config, not Debian's default one, which enables htpasswd and listens everywhere).
 */
export async function startRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  ensureRegistry();
  const dir = mkdtempSync(join(tmpdir(), 'winnow-registry-'));
  const data = options.dataDir ?? join(dir, 'data');
  const port = options.port ?? (await freePort());
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${data}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...notificationLines(options),
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

export {
  type Fault,
  type FaultMatch,
  type FaultProxy,
  type SeenRequest,
  startFaultProxy,
} from './fault-proxy';

export { collect, pushImage, pushIndex, pushReferrer, pushSignature } from './testing-images';
