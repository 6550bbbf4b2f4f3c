/**
 * `winnow import`, `export` and `preview` against a real server process (SQLite in a temp dir).
 */
/* eslint-disable no-control-regex -- the last test reads a terminal's escape codes */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CLI,
  inventory,
  NOW,
  PLAIN_ENV,
  REPO_ROOT,
  repository,
  runCli,
  stderrLines,
  tag,
  TempDir,
} from './helpers';
import { freePort, startServer, type TestServer } from './server';

const CI_INVENTORY = 'examples/ci/inventory.json';
const CI_POLICY = 'examples/ci/policy.yaml';
jest.setTimeout(120_000);

let server: TestServer;
let url: string;
const dir = new TempDir();

beforeAll(async () => {
  server = await startServer();
  url = server.url;
});
afterAll(() => {
  server.stop();
  dir.remove();
});

describe('winnow against a server', () => {
  it('imports a snapshot, and previews exactly what `winnow evaluate` prints', async () => {
    const imported = runCli(['import', CI_INVENTORY, '--server', url]);
    expect(imported.status).toBe(0);
    expect(imported.stderr).toBe(`imported 1 repository from ${CI_INVENTORY}\n`);
    const put = await fetch(`${url}/api/v1/namespaces/acme/repositories/web%2Fapi/policy`, {
      method: 'PUT',
      headers: { 'content-type': 'application/yaml' },
      body: readFileSync(resolve(REPO_ROOT, CI_POLICY), 'utf8'),
    });
    expect(put.status).toBe(201);
    const preview = runCli(['preview', '--server', url, '--now', NOW, '--format', 'json']);
    const evaluate = runCli([
      'evaluate',
      '--policy',
      CI_POLICY,
      '--inventory',
      CI_INVENTORY,
      '--now',
      NOW,
    ]);
    expect(preview.status).toBe(0);
    expect(preview.stdout).toBe(evaluate.stdout);
  });

  it('prints the preview as a table, filtered', () => {
    const table = runCli([
      'preview',
      '--server',
      url,
      '--now',
      NOW,
      '--decision',
      'delete',
      '--namespace',
      'acme',
    ]);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('acme/web/api');
    expect(table.stdout).toMatch(/^ {2}DELETE /m);
    expect(table.stdout).not.toMatch(/^ {2}KEEP /m);
  });

  it('exports a snapshot that evaluates like the one imported', () => {
    const exported = runCli(['export', '--server', url]);
    expect(exported.status).toBe(0);
    const file = dir.write('exported.json', exported.stdout);
    const again = runCli(['evaluate', '--policy', CI_POLICY, '--inventory', file, '--now', NOW]);
    const original = runCli([
      'evaluate',
      '--policy',
      CI_POLICY,
      '--inventory',
      CI_INVENTORY,
      '--now',
      NOW,
    ]);
    expect(again.stdout).toBe(original.stdout);
  });

  it('reports the server’s validation errors with their pointers (exit 2)', () => {
    const bad = dir.writeJson('bad.json', {
      apiVersion: 'winnow/v1',
      kind: 'Inventory',
      repositories: [{ namespace: 'acme', name: 'x', tags: [{ name: 'a', digest: 'nope' }] }],
    });
    const result = runCli(['import', bad, '--server', url]);
    expect(result.status).toBe(2);
    expect(stderrLines(result)).toEqual([
      `winnow: ${bad}: /repositories/0/tags/0/digest: expected a digest such as sha256:<64 hex>`,
    ]);
    const preview = runCli(['preview', '--server', url, '--now', 'soon']);
    expect(preview.status).toBe(2);
    expect(preview.stderr).toContain('/body/now');
  });

  it('says clearly when no server answers (exit 1)', async () => {
    const port = await freePort();
    const result = runCli(['preview', '--server', `http://127.0.0.1:${port}`]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `cannot reach the server at http://127.0.0.1:${port}: ECONNREFUSED`,
    );
  });

  it('shows the upload of a large snapshot on a terminal, then what it imported', () => {
    const repositories = Array.from({ length: 1500 }, (_, r) =>
      repository(
        `bulk/repo-${r}`,
        Array.from({ length: 8 }, (_, t) => tag(`build-${r}-${t}`, t)),
      ),
    );
    const file = dir.writeJson('bulk.json', inventory(...repositories));
    const command = [process.execPath, CLI, 'import', file, '--server', url]
      .map((a) => `'${a}'`)
      .join(' ');
    // script(1) gives the command a pseudo-terminal: stderr is a TTY.
    const result = spawnSync('script', ['-qfec', command, '/dev/null'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: PLAIN_ENV,
    });
    const frames = result.stdout.split('\r').filter((frame) => frame !== '');
    expect(frames[0]).toMatch(/^\[\.{10}\] 0% · 0 B of \d+\.\d MiB\x1b\[K$/);
    expect(frames.some((f) => /^\[#+\.*\] [1-9]\d?% · \d+\.\d MiB of /.test(f))).toBe(true);
    expect(frames).toContainEqual(
      expect.stringMatching(/^\d+\.\d MiB sent; the server stores the last repositories\x1b\[K$/),
    );
    expect(result.stdout).toMatch(/\r\x1b\[Kimported 1500 repositories from /);
  });
});
