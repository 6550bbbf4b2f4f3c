import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { testDatabase } from './database';

interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

let app: FastifyInstance;
let drop: () => Promise<void>;

beforeAll(async () => {
  const { database, drop: dropDatabase } = await testDatabase('sqlite');
  drop = dropDatabase;
  app = await buildApp({
    config: readConfig({ WINNOW_AUTH: 'off', WINNOW_RATE_LIMIT: '5' }),
    database,
    logger: false,
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await drop();
});

const get = (url: string, headers: Record<string, string> = {}, remoteAddress = '10.0.0.1') =>
  app.inject({ method: 'GET', url, headers, remoteAddress });

describe('rate limits', () => {
  it('answers 429 WINNOW_RATE_LIMITED with Retry-After past the limit, per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await get('/api/v1/namespaces')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await get('/api/v1/namespaces');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    const body = limited.json<ErrorBody>();
    expect(body.error.code).toBe('WINNOW_RATE_LIMITED');
    expect(body.error.message).toMatch(/more than 5 requests a minute/);
    expect(body.error.requestId).toBe(limited.headers['x-request-id']);
    // Another address has a budget of its own.
    expect((await get('/api/v1/namespaces', {}, '10.0.0.2')).statusCode).toBe(200);
  });

  it('counts a bearer token as its own client, whatever the address', async () => {
    const token = { authorization: 'Bearer fuzz-token-aaaaaaaaaaaaaaaa' };
    for (let i = 0; i < 5; i += 1) {
      expect((await get('/api/v1/namespaces', token, `10.1.0.${i}`)).statusCode).toBe(200);
    }
    expect((await get('/api/v1/namespaces', token, '10.1.0.99')).statusCode).toBe(429);
    const other = { authorization: 'Bearer fuzz-token-bbbbbbbbbbbbbbbb' };
    expect((await get('/api/v1/namespaces', other, '10.1.0.0')).statusCode).toBe(200);
  });

  it('never limits health, readiness and /metrics', async () => {
    for (let i = 0; i < 12; i += 1) {
      for (const url of ['/healthz', '/readyz', '/metrics']) {
        expect({ url, status: (await get(url, {}, '10.2.0.1')).statusCode }).toEqual({
          url,
          status: 200,
        });
      }
    }
  });

  it('reads WINNOW_RATE_LIMIT: a number of requests a minute, or off', () => {
    expect(readConfig({}).rateLimitPerMinute).toBe(1200);
    expect(readConfig({ WINNOW_RATE_LIMIT: 'off' }).rateLimitPerMinute).toBeUndefined();
    expect(() => readConfig({ WINNOW_RATE_LIMIT: '0' })).toThrow(/WINNOW_RATE_LIMIT/);
    expect(() => readConfig({ WINNOW_RATE_LIMIT: '10/s' })).toThrow(/WINNOW_RATE_LIMIT/);
  });
});

describe('body-size limits', () => {
  it('refuses a JSON body over 1 MiB with 413 naming the limit', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      remoteAddress: '10.3.0.1',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ padding: 'x'.repeat(1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    const body = response.json<ErrorBody>();
    expect(body.error.code).toBe('WINNOW_PAYLOAD_TOO_LARGE');
    expect(body.error.message).toBe('the body is larger than 1048576 bytes');
  });

  it('lets the inventory import stream past 1 MiB', async () => {
    const repositories = Array.from({ length: 40 }, (_, r) => ({
      namespace: 'big',
      name: `repo-${r}`,
      tags: Array.from({ length: 200 }, (_, t) => ({
        name: `v${t}-${'p'.repeat(100)}`,
        digest: `sha256:${(r * 1000 + t).toString(16).padStart(64, '0')}`,
        pushedAt: '2026-01-01T00:00:00Z',
      })),
    }));
    const payload = JSON.stringify({ apiVersion: 'winnow/v1', kind: 'Inventory', repositories });
    expect(payload.length).toBeGreaterThan(1024 * 1024);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/inventory/import',
      remoteAddress: '10.3.0.2',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect({ status: response.statusCode, body: response.json<unknown>() }).toEqual({
      status: 200,
      body: { repositories: 40 },
    });
  });
});
