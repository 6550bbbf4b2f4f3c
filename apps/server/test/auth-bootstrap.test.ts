/**
 * The bootstrap administrator token of a real server process: generated and printed once at the
 * first start when WINNOW_ADMIN_TOKEN is unset, never printed again, never in the JSON log.
 */
import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
import { type ServerProcess, startServer } from './server-process';

jest.setTimeout(120_000);

const TOKEN = /wnw_bootstrap_[A-Za-z0-9_-]{43}/g;

describe('the generated administrator token', () => {
  let database: TestDatabase;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    database = await migratedDatabase('sqlite');
  });
  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    await database.drop();
  });

  const start = async () => {
    const server = await startServer(database.url, {
      WINNOW_ADMIN_TOKEN: '',
      WINNOW_LOG_LEVEL: 'info',
    });
    servers.push(server);
    return server;
  };
  const stop = async (server: ServerProcess) => {
    server.child.kill('SIGTERM');
    await server.exited;
  };
  const runs = (server: ServerProcess, token?: string) =>
    fetch(
      `${server.url}/api/v1/runs`,
      token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
    );

  it('is printed once, in a banner outside the log, and works across restarts', async () => {
    const first = await start();
    const printed = [...first.output().matchAll(TOKEN)].map((m) => m[0]);
    // The banner shows it twice (the token, and an `export WINNOW_TOKEN=` line): one token.
    expect(new Set(printed).size).toBe(1);
    const token = printed[0] ?? '';
    const logLines = first
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(token);
    expect((await runs(first)).status).toBe(401);
    expect((await runs(first, token)).status).toBe(200);
    await stop(first);

    const second = await start();
    expect(second.output()).not.toMatch(TOKEN);
    expect((await runs(second, token)).status).toBe(200);
    await stop(second);
  });
});
