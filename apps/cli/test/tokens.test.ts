/**
 * `winnow tokens` and the API token every command sends (--token, WINNOW_TOKEN), against a real
 * server process with authentication on.
 */
import { runCli } from './helpers';
import { startServer, type TestServer } from './server';

jest.setTimeout(120_000);

const ADMIN = 'cli-test-administrator-token-0123456789abcdef';
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ WINNOW_AUTH: 'on', WINNOW_ADMIN_TOKEN: ADMIN });
});
afterAll(() => {
  server.stop();
});

describe('winnow tokens', () => {
  it('is refused without a token, and sends --token or WINNOW_TOKEN', () => {
    const without = runCli(['registries', '--server', server.url]);
    expect(without.status).toBe(1);
    expect(without.stderr).toContain('401');
    expect(runCli(['registries', '--server', server.url, '--token', ADMIN]).status).toBe(0);
    expect(
      runCli(['registries', '--server', server.url], undefined, { WINNOW_TOKEN: ADMIN }).status,
    ).toBe(0);
  });

  it('creates a token shown once, lists it without its secret, and revokes it', () => {
    const env = { WINNOW_TOKEN: ADMIN };
    const created = runCli(
      [
        'tokens',
        'create',
        'reader',
        '--role',
        'viewer',
        '--server',
        server.url,
        '--format',
        'json',
      ],
      undefined,
      env,
    );
    expect(created.status).toBe(0);
    const { token, secret } = JSON.parse(created.stdout) as {
      token: { id: string };
      secret: string;
    };
    expect(secret).toMatch(new RegExp(`^wnw_${token.id}_`));
    // The viewer reads, and may not create tokens.
    expect(runCli(['registries', '--server', server.url, '--token', secret]).status).toBe(0);
    const denied = runCli(['tokens', 'list', '--server', server.url, '--token', secret]);
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain('403');
    const listed = runCli(['tokens', 'list', '--server', server.url], undefined, env);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`${token.id}\\s+reader\\s+viewer\\s+-\\s+\\S+\\s+active`),
    );
    expect(listed.stdout).not.toContain(secret);
    const revoked = runCli(['tokens', 'revoke', token.id, '--server', server.url], undefined, env);
    expect(revoked).toMatchObject({ status: 0, stdout: `token ${token.id} (reader) revoked\n` });
    expect(runCli(['registries', '--server', server.url, '--token', secret]).status).toBe(1);
  });

  it('asks for a NAME and a --role', () => {
    const result = runCli(['tokens', 'create', '--server', server.url], undefined, {
      WINNOW_TOKEN: ADMIN,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('tokens create: expected one NAME');
  });
});
