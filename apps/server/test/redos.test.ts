/**
 * The policy routes with the ReDoS patterns of the engine's test: accepted ones are stored and
 * previewed quickly over the longest tag names an inventory allows; the ones RE2 refuses are a
 * 400 naming the field. The linear-time proof itself is packages/engine/test/redos.test.ts.
 */
import type { FastifyInstance } from 'fastify';
import { REDOS_PATTERNS, REFUSED_PATTERNS } from './redos-patterns';
import { buildFuzzApp, expectWellBehaved } from './fuzz/support';

let app: FastifyInstance;
let close: () => Promise<void>;

const longNames = ['a'.repeat(127), `${'a'.repeat(126)}!`, 'ab1-x.'.repeat(21).slice(0, 128)];

beforeAll(async () => {
  ({ app, close } = await buildFuzzApp());
  const imported = await app.inject({
    method: 'POST',
    url: '/api/v1/inventory/import',
    headers: { 'content-type': 'application/json' },
    payload: {
      apiVersion: 'winnow/v1',
      kind: 'Inventory',
      repositories: [
        {
          namespace: 'acme',
          name: 'app',
          tags: longNames.map((name, i) => ({
            name: name.replace(/!/g, '_'),
            digest: `sha256:${String(i).padStart(64, '0')}`,
            pushedAt: '2026-01-01T00:00:00Z',
          })),
        },
      ],
    },
  });
  expect(imported.statusCode).toBe(200);
});
afterAll(async () => {
  await close();
});

const policy = (regex: string) => ({
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'namespace', namespace: 'acme' },
  rules: [
    { name: 'select', select: { tags: { regex } }, then: 'keep' },
    { name: 'group', match: { perGroup: { regex: `(${regex})`, newest: 1 } }, then: 'keep' },
  ],
});

describe('ReDoS patterns through the policy routes', () => {
  it.each(REDOS_PATTERNS)('stores %s, and previews it within 2 s', async (regex) => {
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/namespaces/acme/policy',
      payload: policy(regex),
    });
    expect([200, 201]).toContain(put.statusCode);
    const started = performance.now();
    const preview = await app.inject({
      method: 'POST',
      url: '/api/v1/preview',
      payload: { scope: { level: 'namespace', namespace: 'acme' } },
    });
    expect(preview.statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each(REFUSED_PATTERNS)('refuses %s with a 400 naming the field', async (regex) => {
    const request = {
      method: 'PUT' as const,
      url: '/api/v1/namespaces/acme/policy',
      payload: policy(regex),
    };
    const response = await app.inject(request);
    expectWellBehaved(request, response);
    expect(response.statusCode).toBe(400);
    const pointers = response
      .json<{ error: { issues: { pointer: string }[] } }>()
      .error.issues.map((i) => i.pointer);
    expect(pointers).toContain('/rules/0/select/tags/regex');
  });
});
