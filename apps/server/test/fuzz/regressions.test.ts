/** Bugs the fuzz suite found, each kept as a plain case. */
import type { FastifyInstance } from 'fastify';
import { buildFuzzApp, EVENTS_SECRET, expectWellBehaved } from './support';

let app: FastifyInstance;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await buildFuzzApp());
});
afterAll(async () => {
  await close();
});

interface ErrorBody {
  error: { code: string; issues?: { pointer: string; message: string }[] };
}

async function expectIssue(
  request: {
    method: 'GET' | 'POST' | 'DELETE' | 'PUT';
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  },
  pointer: string,
): Promise<void> {
  const response = await app.inject(request);
  expectWellBehaved(request, response);
  expect(response.statusCode).toBe(400);
  const body = response.json<ErrorBody>();
  expect(body.error.code).toBe('WINNOW_VALIDATION_FAILED');
  expect(body.error.issues?.map((i) => i.pointer)).toEqual([pointer]);
}

describe('regressions found by fuzzing', () => {
  it('an id of "1e400" (Ajv coerces it to Infinity and skips maximum) is a 400, not a 500', async () => {
    await expectIssue({ method: 'POST', url: '/api/v1/runs/1e400/cancel' }, '/params/id');
    await expectIssue({ method: 'GET', url: '/api/v1/notifications/Infinity' }, '/params/id');
    await expectIssue({ method: 'GET', url: '/api/v1/audit?after=1e400' }, '/querystring/after');
  });

  it('an id past the 32-bit ids of the database is a 400, not a 500', async () => {
    await expectIssue(
      { method: 'GET', url: '/api/v1/notifications/9223372036854776000' },
      '/params/id',
    );
    await expectIssue({ method: 'DELETE', url: '/api/v1/notifications/2147483648' }, '/params/id');
    await expectIssue(
      { method: 'GET', url: '/api/v1/registries/acme/syncs/2147483648' },
      '/params/id',
    );
  });

  it('a path parameter over the router limit gets the standard error body', async () => {
    await expectIssue({ method: 'GET', url: `/api/v1/runs/${'a'.repeat(2000)}` }, '/url');
  });

  it('accepts a 255-character repository name in the path (Fastify cut parameters at 100)', async () => {
    const name = `r${'a'.repeat(254)}`;
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/namespaces/acme/repositories/${name}`,
    });
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorBody>().error.code).toBe('WINNOW_NOT_FOUND');
  });

  it('an empty, broken or prototype-poisoning JSON body names /body', async () => {
    const json = { 'content-type': 'application/json' };
    await expectIssue(
      { method: 'POST', url: '/api/v1/namespaces', headers: json, payload: '' },
      '/body',
    );
    await expectIssue(
      { method: 'POST', url: '/api/v1/namespaces', headers: json, payload: '{"name":' },
      '/body',
    );
    await expectIssue(
      {
        method: 'POST',
        url: '/api/v1/namespaces',
        headers: json,
        payload: '{"__proto__":{"x":1}}',
      },
      '/body',
    );
  });

  it('a registry event whose timestamp names no instant (month 13) is a 400 naming it', async () => {
    const event = {
      id: 'e1',
      timestamp: '2026-13-01T00:00:00Z',
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 400,
        length: 400,
        digest: `sha256:${'3'.padStart(64, '0')}`,
        repository: 'acme/web',
        url: 'http://registry/v2/acme/web/manifests/x',
        tag: 'v2',
      },
      request: { id: 'r1', addr: '127.0.0.1:1', host: 'registry', method: 'PUT', useragent: 'x' },
      actor: {},
      source: { addr: 'registry:5000', instanceID: 'i1' },
    };
    await expectIssue(
      {
        method: 'POST',
        url: '/api/v1/events/distribution',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${EVENTS_SECRET}` },
        payload: JSON.stringify({ events: [event] }),
      },
      '/body/events/0/timestamp',
    );
  });

  it('a YAML policy with a collection as a key writes nothing to the process (no emitWarning)', async () => {
    // The yaml library reaches the warning through require('process'), which Jest gives the test's
    // own process object: a spy here sees it (a 'warning' listener would not).
    const emitWarning = jest.spyOn(process, 'emitWarning');
    try {
      const request = {
        method: 'PUT' as const,
        url: '/api/v1/namespaces/acme/policy',
        headers: { 'content-type': 'application/yaml' },
        payload: 'apiVersion: winnow/v1\nkind: Policy\n? [a, b]\n: 1\n',
      };
      const response = await app.inject(request);
      expectWellBehaved(request, response);
      expect(response.statusCode).toBe(400);
      expect(emitWarning).not.toHaveBeenCalled();
    } finally {
      emitWarning.mockRestore();
    }
  });
});
