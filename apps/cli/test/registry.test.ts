/**
 * `winnow registries`, `sync` and `deletions` against real server processes (SQLite in a temp
 * dir) and a real CNCF distribution registry holding a few images.
 */
import { createHash } from 'node:crypto';
import { DistributionClient, MediaType } from '@winnow/registry';
import { startRegistry, type TestRegistry } from '@winnow/registry/testing';
import { runCli, startCli, stderrLines, until } from './helpers';
import { freePort, startServer, type TestServer } from './server';

jest.setTimeout(120_000);

const SECRET = 'not-for-your-eyes-0123';
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();

/** A one-layer OCI image created on `created`, tagged `tag` (as the server's fixtures push). */
async function pushImage(client: DistributionClient, path: string, tag: string, created: string) {
  const config = json({ architecture: 'amd64', os: 'linux', created, config: { Labels: { tag } } });
  const layer = Buffer.from(`layer of ${path}:${tag}`);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: await client.pushBlob(path, config),
      size: config.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: await client.pushBlob(path, layer),
        size: layer.length,
      },
    ],
  });
  return client.putManifest(path, tag, MediaType.ociManifest, manifest);
}

interface Sync {
  id: number;
  status: string;
  progress: Record<string, number>;
  errors?: { repository: string; code: string; message: string }[];
}

let registry: TestRegistry;
/** A server whose worker syncs and deletes. */
let server: TestServer;
/** A server without a worker: its syncs stay queued. */
let idle: TestServer;

beforeAll(async () => {
  registry = await startRegistry();
  const client = new DistributionClient({ url: registry.url });
  // acme/app: three images a day apart; acme/lib: one.
  for (const [i, tag] of ['v1', 'v2', 'v3'].entries())
    await pushImage(client, 'acme/app', tag, day(i));
  await pushImage(client, 'acme/lib', 'v1', day(0));
  const secretKey = createHash('sha256').update('winnow cli tests').digest('hex');
  [server, idle] = await Promise.all([
    startServer({ WINNOW_WORKER_INTERVAL: '100ms', WINNOW_SECRET_KEY: secretKey }),
    startServer({ WINNOW_WORKER_ENABLED: 'false' }),
  ]);
  for (const [target, namespace, name] of [
    [server, 'acme', 'local'],
    [idle, 'acme', 'idle'],
  ] as const) {
    await target.request('POST', '/api/v1/namespaces', { name: namespace });
    await target.request('POST', '/api/v1/registries', {
      name,
      url: registry.url,
      namespaces: [namespace],
      deleteImmediately: true,
    });
  }
  await server.request('POST', '/api/v1/namespaces', { name: 'other' });
  await server.request('POST', '/api/v1/registries', {
    name: 'down',
    url: `http://127.0.0.1:${await freePort()}`,
    namespaces: ['other'],
    auth: { kind: 'basic', username: 'ci-bot', secret: SECRET },
    timeoutMs: 1000,
  });
}, 120_000);

afterAll(async () => {
  server.stop();
  idle.stop();
  await registry.stop();
});

describe('winnow registries', () => {
  it('lists the connections as JSON, never with a secret', () => {
    const result = runCli(['registries', '--server', server.url, '--format', 'json']);
    expect(result.status).toBe(0);
    const { registries } = JSON.parse(result.stdout) as {
      registries: { name: string; auth: object; namespaces: string[] }[];
    };
    expect(registries.map((r) => r.name)).toEqual(['down', 'local']);
    expect(registries[0]).toMatchObject({
      namespaces: ['other'],
      auth: { kind: 'basic', username: 'ci-bot', hasSecret: true },
    });
    expect(registries[1]).toMatchObject({ url: registry.url, auth: { hasSecret: false } });
    expect(result.stdout).not.toContain(SECRET);
  });

  it('lists them as a table', () => {
    const result = runCli(['registries', '--server', server.url]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME +KIND +URL +NAMESPACES +AUTH +SECRET$/);
    expect(lines[1]).toMatch(/^down +distribution +http:\S+ +other +basic \(ci-bot\) +yes$/);
    expect(lines[2]).toMatch(/^local +distribution +http:\S+ +acme +anonymous +no$/);
    expect(result.stdout).not.toContain(SECRET);
  });
});

describe('winnow sync', () => {
  it('waits for the sync, with progress lines on stderr, and summarizes it (exit 0)', () => {
    const result = runCli(['sync', 'local', '--server', server.url]);
    expect(result.stderr).toMatch(/^sync 1 of local queued$/m);
    expect(result.stderr).toMatch(/^sync 1 (queued|running): /m);
    expect(result.stderr).toContain(
      'sync 1 succeeded: repositories 2/2 [##########] 100% · tags 4 · fetched 4 · unchanged 0\n',
    );
    expect(result.stderr).not.toContain('\r');
    expect(result.stdout).toMatch(/^sync 1 of local: succeeded in \d+\.\ds\n/);
    expect(result.stdout).toContain(
      '  repositories 2 of 2 (0 failed) · tags 4 · manifests fetched 4, unchanged 0\n',
    );
    expect(result.status).toBe(0);
  });

  it('prints the finished sync as JSON: a second one fetches nothing again', () => {
    const result = runCli(['sync', 'local', '--server', server.url, '--format', 'json']);
    expect(result.status).toBe(0);
    const sync = JSON.parse(result.stdout) as Sync;
    expect(sync).toMatchObject({
      id: 2,
      status: 'succeeded',
      progress: { repositoriesDone: 2, tags: 4, manifestsFetched: 0, manifestsUnchanged: 4 },
    });
  });

  it('exits 1 for a sync that failed, naming what could not be read', () => {
    const result = runCli(['sync', 'down', '--server', server.url]);
    expect(result.stdout).toMatch(/^sync 3 of down: failed/);
    expect(result.stdout).toMatch(/^ {4}\(catalog\) {2}WINNOW_\w+ {2}\S/m);
    expect(result.status).toBe(1);
  });

  it('returns at once with --no-wait, and follows the sync already queued', () => {
    const first = runCli(['sync', 'idle', '--server', idle.url, '--no-wait']);
    expect(first.status).toBe(0);
    expect(first.stderr).toBe('sync 1 of idle queued\n');
    expect(first.stdout).toMatch(/^sync 1 of idle: queued\n/);
    const again = runCli(['sync', 'idle', '--server', idle.url, '--no-wait', '--format', 'json']);
    expect(again.status).toBe(0);
    expect(again.stderr).toBe('sync 1 of idle was already queued: following it\n');
    expect(JSON.parse(again.stdout)).toMatchObject({ id: 1, status: 'queued' });
  });

  it('stops waiting on Ctrl-C and says the sync goes on', async () => {
    const cli = startCli(['sync', 'idle', '--server', idle.url]);
    await cli.until('sync 1 queued: waiting for a worker\n');
    cli.child.kill('SIGINT');
    const [code] = await cli.exited;
    expect(code).toBe(130);
    expect(cli.stderr()).toContain(
      'winnow: stopped waiting; sync 1 goes on in the server (run `winnow sync idle` again to follow it)\n',
    );
    const sync = await idle.request<Sync>('GET', '/api/v1/registries/idle/syncs/1');
    expect(sync.status).toBe('queued');
  });

  it('exits 1 with the server’s message for an unknown registry', () => {
    const result = runCli(['sync', 'nope', '--server', server.url]);
    expect(result.status).toBe(1);
    expect(stderrLines(result)).toEqual(['winnow: sync: 404 no registry "nope"']);
  });

  it('exits 1 when no server answers', async () => {
    const port = await freePort();
    const result = runCli(['sync', 'local', '--server', `http://127.0.0.1:${port}`]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cannot reach the server at http://127.0.0.1:${port}`);
  });
});

describe('winnow deletions', () => {
  let runId: number;

  beforeAll(async () => {
    // Keep the newest image of each repository: v1 and v2 of acme/app go.
    await server.request('PUT', '/api/v1/policies/server', {
      apiVersion: 'winnow/v1',
      kind: 'RetentionPolicy',
      scope: { level: 'server' },
      rules: [{ name: 'newest', match: { newest: 1 }, then: 'keep', else: 'delete' }],
    });
    runId = (
      await server.request<{ id: number }>('POST', '/api/v1/runs', { scope: { level: 'server' } })
    ).id;
    await until(
      'the deletions',
      () =>
        server.request<{ deletions: unknown[] }>('GET', `/api/v1/runs/${runId}/registry-deletions`),
      (page) => page.deletions.length === 2,
    );
  });

  it('prints a run’s outcomes as JSON, following every page', () => {
    const result = runCli([
      'deletions',
      '--run',
      String(runId),
      '--server',
      server.url,
      '--format',
      'json',
      '--limit',
      '1',
    ]);
    expect(result.status).toBe(0);
    const { deletions } = JSON.parse(result.stdout) as {
      deletions: { repository: string; tags: string[]; outcome: string; runId: number }[];
    };
    expect(deletions.map((d) => [d.repository, d.tags, d.outcome, d.runId])).toEqual([
      ['acme/app', ['v2'], 'deleted', runId],
      ['acme/app', ['v1'], 'deleted', runId],
    ]);
  });

  it('prints a registry’s outcomes as a table', () => {
    const result = runCli(['deletions', '--registry', 'local', '--server', server.url]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^OUTCOME +RUN +REPOSITORY +DIGEST +TAGS +MESSAGE$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^deleted +${runId} +acme/app +sha256:[0-9a-f]{12} +v2$`)),
      expect.stringMatching(new RegExp(`^deleted +${runId} +acme/app +sha256:[0-9a-f]{12} +v1$`)),
    ]);
  });

  it('exits 1 with the server’s message for an unknown run or registry', () => {
    const run = runCli(['deletions', '--run', '999', '--server', server.url]);
    expect(run.status).toBe(1);
    expect(stderrLines(run)).toEqual(['winnow: deletions: 404 no run 999']);
    const named = runCli(['deletions', '--registry', 'nope', '--server', server.url]);
    expect(named.status).toBe(1);
    expect(stderrLines(named)).toEqual(['winnow: deletions: 404 no registry "nope"']);
  });
});

describe('exit 2 for a usage mistake', () => {
  it.each([
    ['sync without a registry', ['sync'], 'REGISTRY'],
    ['sync with two registries', ['sync', 'a', 'b'], 'REGISTRY'],
    ['an unknown option', ['sync', 'local', '--bogus'], '--bogus'],
    ['a bad --format', ['sync', 'local', '--format', 'xml'], '--format'],
    ['a bad --format for registries', ['registries', '--format', 'yaml'], '--format'],
    ['deletions without --run or --registry', ['deletions'], '--run'],
    ['deletions with both', ['deletions', '--run', '1', '--registry', 'local'], '--registry'],
    ['a run that is not a number', ['deletions', '--run', 'last'], '--run'],
    ['a --limit out of range', ['deletions', '--registry', 'local', '--limit', '0'], '--limit'],
  ])('%s', (_what, args, mentioned) => {
    const result = runCli([...args, '--server', 'http://127.0.0.1:1']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const [first] = result.stderr.split('\n');
    expect(first).toMatch(/^winnow: /);
    expect(first).toContain(mentioned);
  });

  it('a bad registry name is the server’s 400', () => {
    const result = runCli(['sync', 'Not_A_Name', '--server', server.url]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('/params/name');
  });

  it.each(['registries', 'sync', 'deletions'])(
    '%s --help prints its usage and an example',
    (command) => {
      const result = runCli([command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: winnow ${command}`));
      expect(result.stdout).toMatch(/\nExamples?:\n {2}winnow /);
    },
  );
});
