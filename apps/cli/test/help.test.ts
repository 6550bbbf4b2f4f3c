/**
 * Every command of the table in main.ts: `--help` prints its usage with at least one example,
 * a usage mistake is exit 2 with that usage, and a command that talks to a server exits 1 with a
 * clear message (never a stack) when nothing answers or something else than Winnow does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { runCli, stderrLines } from './helpers';
import { freePort } from './server';

// The table only (a plain object of usage texts and functions); the commands run as a user runs them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { COMMANDS } = require(resolve(__dirname, '../dist/main.js')) as {
  COMMANDS: Record<string, { usage: string }>;
};
const NAMES = Object.keys(COMMANDS);

/** Arguments that are valid for each command that asks a server (`--server` is added). */
const REMOTE: Record<string, readonly string[]> = {
  import: ['examples/ci/inventory.json'],
  export: [],
  preview: ['--namespace', 'acme'],
  run: ['--namespace', 'acme'],
  runs: [],
  restore: ['acme/web/api:v1'],
  registries: [],
  sync: ['hub'],
  deletions: ['--run', '1'],
  tokens: ['list'],
};
const OFFLINE = ['evaluate', 'validate', 'schema', 'import-policy'];

it('knows whether each command asks a server (a new command must be added here)', () => {
  expect([...NAMES].sort()).toEqual([...OFFLINE, ...Object.keys(REMOTE)].sort());
});

describe.each(NAMES)('winnow %s', (name) => {
  it('--help prints its usage with at least one example (exit 0)', () => {
    const result = runCli([name, '--help']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^Usage: winnow ${name}\\b`));
    // An example block whose lines include a run of this command (after a curl, say).
    expect(result.stdout).toMatch(
      new RegExp(`\\nExamples?:\\n(?: {2}.*\\n)*? {2}winnow ${name}\\b`),
    );
    expect(runCli([name, '-h']).stdout).toBe(result.stdout);
    expect(runCli(['help', name]).stdout).toBe(result.stdout);
  });

  it('is listed by winnow help', () => {
    expect(runCli(['help']).stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
  });

  it('exits 2 for an unknown option, with its usage', () => {
    const result = runCli([name, '--bogus']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^winnow: .*--bogus/);
    expect(result.stderr).toContain(`\n\nUsage: winnow ${name}`);
  });
});

describe('a server that does not answer, or is not Winnow (exit 1)', () => {
  let port: number;
  let other: ChildProcess;
  let otherUrl: string;

  beforeAll(async () => {
    port = await freePort();
    // Another kind of web server, in its own process (runCli blocks this one while it waits).
    const otherPort = await freePort();
    otherUrl = `http://127.0.0.1:${otherPort}`;
    other = spawn(process.execPath, [
      '-e',
      `require('node:http').createServer((q, r) => r.writeHead(404, {'content-type': 'text/html'}).end('<h1>Not Found</h1>')).listen(${otherPort}, '127.0.0.1')`,
    ]);
    for (let ready = false; !ready;) {
      ready = await fetch(otherUrl).then(
        () => true,
        () =>
          new Promise<boolean>((done) => {
            setTimeout(() => {
              done(false);
            }, 50);
          }),
      );
    }
  });
  afterAll(() => {
    other.kill();
  });

  it.each(Object.entries(REMOTE))('%s', (name, args) => {
    const down = runCli([name, ...args, '--server', `http://127.0.0.1:${port}`]);
    expect(down.status).toBe(1);
    expect(stderrLines(down)).toEqual([
      `winnow: cannot reach the server at http://127.0.0.1:${port}: ECONNREFUSED`,
    ]);
    const wrong = runCli([name, ...args, '--server', otherUrl]);
    expect(wrong.status).toBe(1);
    expect(stderrLines(wrong)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^winnow: .*: 404 Not Found from ${otherUrl}/api/v1/\\S+ \\(is ${otherUrl} a Winnow server\\?\\)$`,
        ),
      ),
    ]);
  });

  it('a --server that is not a URL is a usage mistake (exit 2)', () => {
    const result = runCli(['runs', '--server', 'winnow.internal:8080']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^winnow: --server: expected an http\(s\) URL/);
  });
});

it('exits 2 for `winnow help` of an unknown command', () => {
  const result = runCli(['help', 'prune']);
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/^winnow: help: unknown command "prune"/);
});
