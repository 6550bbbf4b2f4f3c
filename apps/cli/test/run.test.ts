/**
 * `winnow run`, `winnow runs`, `winnow runs show` and `winnow restore` against real server
 * processes (SQLite in a temp dir), one of them serving a real CNCF distribution registry.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DistributionClient } from '@winnow/registry';
import { pushImage, startRegistry, type TestRegistry } from '@winnow/registry/testing';
import {
  CLI,
  PLAIN_ENV,
  REPO_ROOT,
  runCli,
  startCli,
  stderrLines,
  TempDir,
  until,
} from './helpers';
import { freePort, startServer, type TestServer } from './server';

jest.setTimeout(120_000);

interface Run {
  id: number;
  status: string;
  dryRun: boolean;
  trigger: string;
  counts: Record<string, number>;
  tasks: Record<string, number>;
}

const dir = new TempDir();
let registry: TestRegistry;
/** A worker that runs and deletes in the registry at once. */
let server: TestServer;
/** No worker: its runs stay queued. */
let idle: TestServer;

const keepNewest = (level: 'namespace', namespace: string) => ({
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level, namespace },
  rules: [{ name: 'newest', match: { newest: 1 }, then: 'keep', else: 'delete' }],
});

beforeAll(async () => {
  registry = await startRegistry();
  const client = new DistributionClient({ url: registry.url });
  for (const [i, tag] of ['v1', 'v2', 'v3'].entries())
    await pushImage(client, 'hub/app', {
      tag,
      label: `hub/app:${tag}`,
      created: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    });
  [server, idle] = await Promise.all([
    startServer({ WINNOW_WORKER_INTERVAL: '100ms' }),
    startServer({ WINNOW_WORKER_ENABLED: 'false' }),
  ]);
  // acme: the CI example (restorable expiries) and a repository whose tag has no push time,
  // which a rule ordering by push time cannot evaluate: its task fails.
  const inventory = JSON.parse(
    readFileSync(resolve(REPO_ROOT, 'examples/ci/inventory.json'), 'utf8'),
  ) as { repositories: unknown[] };
  inventory.repositories.push({
    namespace: 'acme',
    name: 'broken',
    tags: [{ name: 'a', digest: `sha256:${'a'.repeat(64)}` }],
  });
  expect(
    runCli(['import', dir.writeJson('inventory.json', inventory), '--server', server.url]).status,
  ).toBe(0);
  await server.request('PUT', '/api/v1/namespaces/acme/policy', {
    ...keepNewest('namespace', 'acme'),
    rules: [{ name: 'ancient', match: { olderThan: '400d' }, then: 'delete' }],
  });
  const put = await fetch(`${server.url}/api/v1/namespaces/acme/repositories/web%2Fapi/policy`, {
    method: 'PUT',
    headers: { 'content-type': 'application/yaml' },
    body: readFileSync(resolve(REPO_ROOT, 'examples/ci/policy.yaml'), 'utf8'),
  });
  expect(put.status).toBe(201);
  await server.request('POST', '/api/v1/namespaces', { name: 'hub' });
  await server.request('POST', '/api/v1/registries', {
    name: 'local',
    url: registry.url,
    namespaces: ['hub'],
    deleteImmediately: true,
  });
  expect(runCli(['sync', 'local', '--server', server.url]).status).toBe(0);
  await server.request('PUT', '/api/v1/namespaces/hub/policy', keepNewest('namespace', 'hub'));
  await idle.request('POST', '/api/v1/namespaces', { name: 'acme' });
  await idle.request('POST', '/api/v1/namespaces/acme/repositories', { name: 'app' });
}, 120_000);

afterAll(async () => {
  server.stop();
  idle.stop();
  await registry.stop();
  dir.remove();
});

describe('winnow run', () => {
  it('follows a dry run to its end, progress on stderr, summary on stdout (exit 0)', async () => {
    const result = runCli([
      'run',
      '--namespace',
      'acme',
      '--repository',
      'web/api',
      '--dry-run',
      '--server',
      server.url,
    ]);
    const run = await server.request<Run>('GET', '/api/v1/runs/1');
    expect(run).toMatchObject({ status: 'succeeded', dryRun: true });
    expect(result.stderr).toMatch(/^run 1 queued \(1 repository\)$/m);
    expect(result.stderr).toContain(
      `run 1 succeeded: repositories 1/1 [##########] 100% · would expire ${run.counts.dryRun} · kept ${run.counts.kept}\n`,
    );
    expect(result.stderr).not.toContain('\r');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^run 1 of repository acme\/web\/api \(dry run\): succeeded in \d+\.\ds$/,
    );
    expect(lines[1]).toBe(
      `  repositories 1 of 1 (0 failed, 0 cancelled) · records ${run.counts.evaluated} · kept ${run.counts.kept} · would expire ${run.counts.dryRun} · blocked repositories 0`,
    );
    expect(run.counts.dryRun).toBeGreaterThan(0);
    expect(result.status).toBe(0);
  });

  it('exits 1 for a run that ended partial, with the repositories that failed', async () => {
    const result = runCli(['run', '--namespace', 'acme', '--server', server.url]);
    const run = await server.request<Run>('GET', '/api/v1/runs/2');
    expect(run.status).toBe('partial');
    expect(result.stdout).toMatch(/^run 2 of namespace acme: partial in /);
    expect(result.stdout).toContain(`  repositories 2 of 2 (1 failed, 0 cancelled)`);
    expect(result.stdout).toContain('  repositories that failed:\n');
    expect(result.stdout).toMatch(
      /^ {4}REPOSITORY +STATUS +RECORDS +KEPT +EXPIRED +BLOCKED +LEFT +ERROR$/m,
    );
    expect(result.stdout).toMatch(/^ {4}acme\/broken +failed +0 +0 +0 +0 +0 +WINNOW_\w+: \S/m);
    expect(result.stdout).toContain(
      'registry deletions so far: 0 deleted, 0 absent, 0 skipped, 0 failed',
    );
    expect(result.status).toBe(1);
  });

  it('prints the finished run as JSON on stdout, nothing else there', async () => {
    const result = runCli([
      'run',
      '--namespace',
      'hub',
      '--server',
      server.url,
      '--format',
      'json',
    ]);
    expect(result.status).toBe(0);
    const run = JSON.parse(result.stdout) as Run;
    expect(run).toMatchObject({ id: 3, status: 'succeeded', dryRun: false, trigger: 'cli' });
    expect(run.counts.expired).toBe(2);
    expect(run).toEqual(await server.request<Run>('GET', '/api/v1/runs/3'));
  });

  it('returns at once with --no-wait', () => {
    const result = runCli(['run', '--namespace', 'acme', '--no-wait', '--server', idle.url]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('run 1 queued (1 repository)\n');
    expect(result.stdout).toBe(
      'run 1 of namespace acme: queued\n  repositories 0 of 1 (0 failed, 0 cancelled) · records 0 · kept 0 · expired 0 · blocked repositories 0\n',
    );
  });

  it('stops waiting on Ctrl-C (exit 130) and says the run goes on', async () => {
    const cli = startCli(['run', '--namespace', 'acme', '--server', idle.url]);
    await cli.until('run 2 queued: waiting for a worker\n');
    cli.child.kill('SIGINT');
    const [code] = await cli.exited;
    expect(code).toBe(130);
    expect(cli.stderr()).toContain(
      'winnow: stopped waiting; run 2 goes on in the server (`winnow runs show 2` shows it)\n',
    );
    expect((await idle.request<Run>('GET', '/api/v1/runs/2')).status).toBe('queued');
  });

  it('exits 2 with the field for a scope the server refuses', () => {
    const result = runCli(['run', '--namespace', 'Not_A_Name', '--server', server.url]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('/body/scope/namespace');
  });
});

describe('winnow runs', () => {
  it('lists the runs, newest first, as a table', () => {
    const result = runCli(['runs', '--server', server.url]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ID +STATUS +SCOPE +MODE +TRIGGER +REPOSITORIES +EXPIRED +FAILED +CREATED \(UTC\) +TOOK$/,
    );
    expect(lines.slice(1).map((line) => line.split(/ {2,}/).slice(0, 8))).toEqual([
      ['3', 'succeeded', 'namespace hub', 'apply', 'cli', '1', '2', '0'],
      ['2', 'partial', 'namespace acme', 'apply', 'cli', '2', expect.stringMatching(/^\d+$/), '1'],
      [
        '1',
        'succeeded',
        'repository acme/web/api',
        'dry-run',
        'cli',
        '1',
        expect.stringMatching(/^\d+$/),
        '0',
      ],
    ]);
  });

  it('filters by status and limits, as JSON', () => {
    const result = runCli([
      'runs',
      '--status',
      'succeeded',
      '--limit',
      '1',
      '--format',
      'json',
      '--server',
      server.url,
    ]);
    expect(result.status).toBe(0);
    const { runs } = JSON.parse(result.stdout) as { runs: Run[] };
    expect(runs.map((r) => r.id)).toEqual([3]);
  });

  it('shows one run with each repository, and its registry deletions', async () => {
    await until(
      'the registry deletions of run 3',
      () => server.request<{ deletions: unknown[] }>('GET', '/api/v1/runs/3/registry-deletions'),
      (page) => page.deletions.length === 2,
    );
    const result = runCli(['runs', 'show', '3', '--server', server.url]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      '  registry deletions so far: 2 deleted, 0 absent, 0 skipped, 0 failed (winnow deletions --run 3)\n',
    );
    expect(result.stdout).toMatch(
      /^REPOSITORY +STATUS +RECORDS +KEPT +EXPIRED +BLOCKED +LEFT +ERROR\nhub\/app +done +3 +1 +2 +0 +0$/m,
    );
  });

  it('shows a run as JSON: the run and every repository', async () => {
    const result = runCli(['runs', 'show', '2', '--format', 'json', '--server', server.url]);
    expect(result.status).toBe(0);
    const shown = JSON.parse(result.stdout) as {
      run: Run;
      repositories: { repository: string; status: string }[];
    };
    expect(shown.run).toEqual(await server.request<Run>('GET', '/api/v1/runs/2'));
    expect(shown.repositories.map((t) => [t.repository, t.status]).sort()).toEqual([
      ['acme/broken', 'failed'],
      ['acme/web/api', 'done'],
    ]);
  });

  it('exits 1 with the server’s message for an unknown run', () => {
    const result = runCli(['runs', 'show', '999', '--server', server.url]);
    expect(result.status).toBe(1);
    expect(stderrLines(result)).toEqual(['winnow: runs show: 404 no run 999']);
  });
});

describe('winnow restore', () => {
  let expired: { name: string; expiredByRun: number }[];

  beforeAll(async () => {
    ({ tags: expired } = await server.request<{ tags: typeof expired }>(
      'GET',
      '/api/v1/namespaces/acme/repositories/web%2Fapi/tags?expired=true',
    ));
  });

  it('lists the expired tags of a repository', () => {
    expect(expired.length).toBeGreaterThan(1);
    const result = runCli(['restore', '--list', 'acme/web/api', '--server', server.url]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TAG +DIGEST +EXPIRED \(UTC\) +RUN +RESTORABLE UNTIL \(UTC\)$/);
    expect(lines.slice(1).map((line) => line.split(/ {2,}/)[0])).toEqual(
      expired.map((t) => t.name),
    );
    expect(lines[1]).toMatch(
      /^\S+ +sha256:[0-9a-f]{12} +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +2 +\d{4}-/,
    );
  });

  it('restores tags, going on after one that cannot be (exit 1)', async () => {
    const [first, second] = expired;
    const result = runCli([
      'restore',
      `acme/web/api:${first?.name}`,
      'acme/web/api:no-such-tag',
      `acme/web/api:${second?.name}`,
      '--server',
      server.url,
    ]);
    expect(result.stdout).toMatch(
      new RegExp(
        `^restored acme/web/api:${first?.name} \\(sha256:[0-9a-f]{64}\\)\nrestored acme/web/api:${second?.name} `,
      ),
    );
    expect(stderrLines(result)).toEqual([
      expect.stringMatching(/^winnow: restore acme\/web\/api:no-such-tag: 404 /),
    ]);
    expect(result.status).toBe(1);
    const live = await server.request<{ tags: { name: string }[] }>(
      'GET',
      '/api/v1/namespaces/acme/repositories/web%2Fapi/tags',
    );
    expect(live.tags.map((t) => t.name)).toEqual(
      expect.arrayContaining([first?.name, second?.name]),
    );
  });

  it('exits 1 for a tag that is live', () => {
    const result = runCli(['restore', 'acme/web/api:latest', '--server', server.url]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^winnow: restore acme\/web\/api:latest: 409 /);
  });
});

describe('exit 2 for a usage mistake', () => {
  it.each([
    ['run --repository without --namespace', ['run', '--repository', 'web/api'], '--namespace'],
    ['run with an argument', ['run', 'acme'], 'acme'],
    ['run with a bad --format', ['run', '--format', 'yaml'], '--format'],
    ['runs show without an ID', ['runs', 'show'], 'ID'],
    ['runs show with a bad ID', ['runs', 'show', 'last'], 'ID'],
    ['runs with an unknown action', ['runs', 'delete', '1'], 'delete'],
    ['runs with a --limit out of range', ['runs', '--limit', '1001'], '--limit'],
    ['restore without a tag', ['restore', 'acme/web/api'], 'NAMESPACE/REPOSITORY:TAG'],
    ['restore --list with a tag', ['restore', '--list', 'acme/web/api:v1'], 'NAMESPACE/REPOSITORY'],
    ['restore with nothing', ['restore'], 'NAMESPACE/REPOSITORY:TAG'],
  ])('%s', (_what, args, mentioned) => {
    const result = runCli([...args, '--server', 'http://127.0.0.1:1']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const [first] = result.stderr.split('\n');
    expect(first).toMatch(/^winnow: /);
    expect(first).toContain(mentioned);
    expect(result.stderr).toContain(`Usage: winnow ${args[0] ?? ''}`);
  });

  it('a --status the server does not know is its 400', () => {
    const result = runCli(['runs', '--status', 'done', '--server', server.url]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('/querystring/status');
  });
});

it('exits 1 when no server answers', async () => {
  const port = await freePort();
  for (const args of [['run'], ['runs'], ['runs', 'show', '1'], ['restore', 'a/b:c']]) {
    const result = runCli([...args, '--server', `http://127.0.0.1:${port}`]);
    expect(result.status).toBe(1);
    expect(stderrLines(result)).toEqual([
      `winnow: cannot reach the server at http://127.0.0.1:${port}: ECONNREFUSED`,
    ]);
  }
});

describe('on a terminal (a pseudo-terminal made by script(1))', () => {
  /** `winnow ARGS` with stdout and stderr on one terminal; what it wrote there. */
  function onTerminal(
    args: readonly string[],
    env: Record<string, string> = {},
    columns = 200,
  ): string {
    const command = `stty cols ${columns}; ${[process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ')}`;
    const result = spawnSync('script', ['-qfec', command, '/dev/null'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...PLAIN_ENV, ...env },
    });
    return result.stdout;
  }

  it('redraws the progress in place and colours the status', () => {
    const written = onTerminal(['run', '--namespace', 'hub', '--dry-run', '--server', server.url]);
    expect(written).toMatch(
      // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
      /\r(waiting for a worker|repositories \d\/1 \[[#.]{10}\] \d+%[^\r]*)\x1b\[K/,
    );
    // The progress line is cleared before the summary is printed.
    expect(written).toMatch(
      // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
      /\r\x1b\[Krun \d+ of namespace hub \(dry run\): \x1b\[32msucceeded\x1b\[0m in /,
    );
  });

  it('never colours with NO_COLOR set', () => {
    const written = onTerminal(['runs', '--limit', '1', '--server', server.url], { NO_COLOR: '1' });
    expect(written).toMatch(/^ID +STATUS/m);
    expect(written).not.toContain('\x1b[');
  });

  it('cuts a table to the terminal’s width', () => {
    const written = onTerminal(
      ['runs', 'show', '2', '--server', server.url],
      { NO_COLOR: '1' },
      80,
    );
    const rows = written.split(/\r?\n/).filter((line) => /^acme\/broken /.test(line));
    expect(rows).toEqual([expect.stringMatching(/^acme\/broken +failed +.*WINNOW_\S*…$/)]);
    expect(rows[0]?.length).toBeLessThanOrEqual(80);
    // The same in a pipe is not cut.
    const piped = runCli(['runs', 'show', '2', '--server', server.url]);
    expect(piped.stdout).toMatch(/^acme\/broken +failed +0 +0 +0 +0 +0 +WINNOW_\w+: .{20,}$/m);
  });
});

it('colours a pipe with FORCE_COLOR=1, and never the JSON', () => {
  const table = runCli(['runs', '--limit', '1', '--server', server.url], REPO_ROOT, {
    FORCE_COLOR: '1',
  });
  // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
  expect(table.stdout).toMatch(/^\d+ +\x1b\[32msucceeded\x1b\[0m +namespace hub /m);
  const json = runCli(
    ['runs', '--limit', '1', '--format', 'json', '--server', server.url],
    REPO_ROOT,
    {
      FORCE_COLOR: '1',
    },
  );
  expect(json.stdout).not.toContain('\x1b[');
});
