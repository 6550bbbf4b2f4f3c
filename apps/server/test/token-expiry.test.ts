/**
 * A token past its `expiresAt` answers 401 like a revoked one; before it, it works. The API sets
 * `expiresAt` (in the future only); a token already expired is written through the store.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import { buildApp } from '../src/app';
import { ensureAdminToken } from '../src/auth/bootstrap';
import { hashToken, newToken } from '../src/auth/secrets';
import { readConfig } from '../src/config';
import { providers, testDatabase } from './database';

const ADMIN = 'admin-token-for-the-expiry-test-0123456789abcdef';
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe.each(providers)('token expiry on %s', (provider) => {
  let app: FastifyInstance;
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ database, drop } = await testDatabase(provider));
    const config = readConfig({ WINNOW_ADMIN_TOKEN: ADMIN });
    await ensureAdminToken(database, config.auth);
    app = await buildApp({ config, database, logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await drop();
  });

  const read = (secret: string) =>
    app.inject({
      method: 'GET',
      url: '/api/v1/namespaces',
      headers: { authorization: `Bearer ${secret}` },
    });
  const expectUnauthorized = async (secret: string): Promise<void> => {
    const response = await read(secret);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      error: { code: 'WINNOW_UNAUTHORIZED', message: 'the token is invalid, revoked or expired' },
    });
  };

  it('accepts a token until its expiresAt, and answers 401 from then on', async () => {
    const expiresAt = new Date(Date.now() + 1_500);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { name: 'short-lived', role: 'viewer', expiresAt: expiresAt.toISOString() },
    });
    expect(created.statusCode).toBe(201);
    const { secret, token } = created.json<{ secret: string; token: { expiresAt: string } }>();
    expect(token.expiresAt).toBe(expiresAt.toISOString());
    expect((await read(secret)).statusCode).toBe(200);
    await pause(expiresAt.getTime() - Date.now() + 50);
    await expectUnauthorized(secret);
  });

  it('answers 401 to a token whose expiresAt is in the past, 200 to one in the future', async () => {
    const stored = async (name: string, expiresAt: Date): Promise<string> => {
      const { id, token } = newToken();
      await database.apiTokens.create({
        id,
        name,
        role: 'viewer',
        namespaces: [],
        hash: hashToken(token),
        expiresAt,
      });
      return token;
    };
    await expectUnauthorized(await stored('expired', new Date(Date.now() - 60_000)));
    expect(
      (await read(await stored('unexpired', new Date(Date.now() + 3_600_000)))).statusCode,
    ).toBe(200);
  });

  it('refuses to create a token that is already expired, naming the field', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { name: 'born-dead', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { issues: [{ pointer: '/body/expiresAt', message: 'expected a time in the future' }] },
    });
  });
});
