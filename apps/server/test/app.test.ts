import type { FastifyInstance } from 'fastify';
import { ruleKindCatalogue } from '@winnow/engine';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { testDatabase } from './database';

let app: FastifyInstance;
let drop: () => Promise<void>;

beforeAll(async () => {
  const { database, drop: dropDatabase } = await testDatabase('sqlite');
  drop = dropDatabase;
  app = await buildApp({ config: readConfig({ WINNOW_AUTH: 'off' }), database, logger: false });
  // Routes that exist only in this test, to drive the error handler (open to all: see auth).
  const config = { access: { action: 'public' as const } };
  app.get('/test/boom', { config }, () => {
    throw new Error('secret internal detail at /srv/winnow/db.ts:42');
  });
  app.get(
    '/test/limit',
    {
      config,
      schema: {
        querystring: { type: 'object', properties: { limit: { type: 'integer', maximum: 1000 } } },
      },
    },
    () => ({ ok: true }),
  );
  app.post('/test/echo', { config, bodyLimit: 64 }, (request) => request.body);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await drop();
});

describe('the API skeleton', () => {
  it('answers /healthz', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('lists the rule kinds exactly as the engine registry has them', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/rule-kinds' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(JSON.parse(JSON.stringify(ruleKindCatalogue())));
  });

  it('publishes OpenAPI 3 with every route and Swagger UI at /docs', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(spec.openapi).toBe('3.0.3');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/api/v1/rule-kinds']),
    );
    expect(Object.keys(spec.paths)).not.toContain('/openapi.json');
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('answers unknown routes with a 404 error body', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/nothing?x=1',
      headers: { 'x-request-id': 'req-123' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: {
        code: 'WINNOW_NOT_FOUND',
        message: 'no route GET /api/v1/nothing',
        requestId: 'req-123',
      },
    });
  });

  it('names the field and what was expected on a validation failure', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/limit?limit=5000' });
    expect(response.statusCode).toBe(400);
    const body = response.json<{
      error: { code: string; issues: { pointer: string; message: string }[] };
    }>();
    expect(body.error.code).toBe('WINNOW_VALIDATION_FAILED');
    expect(body.error.issues).toHaveLength(1);
    expect(body.error.issues[0]?.pointer).toBe('/querystring/limit');
    expect(body.error.issues[0]?.message).toBe('expected a number ≤ 1000');
  });

  it('never returns a stack trace or an internal message on a 500', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/secret|\/srv|at |stack/);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('WINNOW_INTERNAL');
  });

  it('maps body limits, bad JSON and unsupported media types to 4xx error bodies', async () => {
    const big = await app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { data: 'x'.repeat(100) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json<{ error: { code: string } }>().error.code).toBe('WINNOW_PAYLOAD_TOO_LARGE');
    const media = await app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: 'a=1',
      headers: { 'content-type': 'application/x-thing' },
    });
    expect(media.statusCode).toBe(415);
    const json = await app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: '{"a":',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json<{ error: { code: string } }>().error.code).toBe('WINNOW_VALIDATION_FAILED');
  });
});
