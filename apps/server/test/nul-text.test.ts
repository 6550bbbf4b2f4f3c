/**
 * Text holding a NUL character (U+0000), which PostgreSQL cannot store in `text` or `jsonb`: every
 * field that could reach the database answers 400 naming it, on both databases, never a 500.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { providers, testDatabase } from './database';

const SECRET = 'events-secret-0123456789';
const NUL = 'a\u0000b';
const MESSAGE = 'expected text without NUL characters (U+0000)';

const registryEvent = (id: string, tag = 'v1') => ({
  id,
  timestamp: '2026-12-03T19:00:00Z',
  action: 'push',
  target: {
    repository: 'acme/web',
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 400,
    length: 400,
    digest: `sha256:${'1'.repeat(64)}`,
    url: 'http://registry/v2/acme/web/manifests/x',
    tag,
  },
  request: { id: 'r1', addr: '127.0.0.1:1', host: 'registry', method: 'PUT', useragent: 'test' },
  actor: {},
  source: { addr: 'registry:5000', instanceID: 'i1' },
});
const policy = (description: string) => ({
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [{ name: 'old', description, match: { olderThan: '30d' }, then: 'delete' }],
});
const inventory = (label: string) => ({
  apiVersion: 'winnow/v1',
  kind: 'Inventory',
  repositories: [
    {
      namespace: 'acme',
      name: 'web',
      tags: [
        {
          name: 'v1',
          digest: `sha256:${'2'.repeat(64)}`,
          pushedAt: '2026-12-01T00:00:00Z',
          lastPulledAt: null,
          labels: [label],
        },
      ],
    },
  ],
});

interface Case {
  readonly what: string;
  readonly method: 'POST' | 'PUT' | 'GET';
  readonly url: string;
  readonly payload?: unknown;
  readonly yaml?: boolean;
  readonly pointer: string;
}

const CASES: Case[] = [
  {
    what: 'a registry event id',
    method: 'POST',
    url: '/api/v1/events/distribution',
    payload: { events: [registryEvent(NUL)] },
    pointer: '/body/events/0/id',
  },
  {
    what: 'a registry event tag',
    method: 'POST',
    url: '/api/v1/events/distribution',
    payload: { events: [registryEvent('e1', NUL)] },
    pointer: '/body/events/0/target/tag',
  },
  {
    what: 'a policy rule description (JSON)',
    method: 'PUT',
    url: '/api/v1/policies/server',
    payload: policy(NUL),
    pointer: '/body/rules/0/description',
  },
  {
    what: 'a policy rule description (YAML, a "\\0" escape)',
    method: 'PUT',
    url: '/api/v1/policies/server',
    payload: [
      'apiVersion: winnow/v1',
      'kind: RetentionPolicy',
      'scope: { level: server }',
      'rules:',
      '  - name: old',
      '    description: "a\\0b"',
      '    match: { olderThan: 30d }',
      '    then: delete',
    ].join('\n'),
    yaml: true,
    pointer: '/rules/0/description',
  },
  {
    what: 'a preview scope',
    method: 'POST',
    url: '/api/v1/preview',
    payload: { scope: { level: 'namespace', namespace: NUL } },
    pointer: '/body/scope/namespace',
  },
  {
    what: 'a tag label of an imported inventory',
    method: 'POST',
    url: '/api/v1/inventory/import',
    payload: inventory(NUL),
    pointer: '/repositories/0/tags/0/labels/0',
  },
  {
    what: 'a token name',
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { name: NUL, role: 'viewer' },
    pointer: '/body/name',
  },
  {
    what: 'a notification endpoint name',
    method: 'POST',
    url: '/api/v1/notifications',
    payload: { name: NUL, url: 'http://127.0.0.1:1/hook', format: 'slack' },
    pointer: '/body/name',
  },
  {
    what: 'a namespace name',
    method: 'POST',
    url: '/api/v1/namespaces',
    payload: { name: NUL },
    pointer: '/body/name',
  },
  {
    what: 'an audit query',
    method: 'GET',
    url: '/api/v1/audit?target=a%00b',
    pointer: '/querystring/target',
  },
];

describe.each(providers)('text with a NUL character on %s', (provider) => {
  let app: FastifyInstance;
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ database, drop } = await testDatabase(provider));
    const config = readConfig({ WINNOW_AUTH: 'off', WINNOW_EVENTS_SECRET: SECRET });
    app = await buildApp({ config, database, logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await drop();
  });

  it.each(CASES)('answers 400 naming $what', async ({ method, url, payload, yaml, pointer }) => {
    const response = await app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${SECRET}`,
        ...(payload !== undefined && {
          'content-type': yaml === true ? 'application/yaml' : 'application/json',
        }),
      },
      ...(payload !== undefined && {
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      }),
    });
    expect(response.statusCode).toBe(400);
    const issues = response.json<{ error: { issues?: { pointer: string; message: string }[] } }>()
      .error.issues;
    expect(issues?.[0]?.pointer).toBe(pointer);
  });

  it('names the NUL with its own message, and stores nothing of the event', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/events/distribution',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ events: [registryEvent('fine'), registryEvent(NUL)] }),
    });
    expect(response.json()).toMatchObject({
      error: { issues: [{ pointer: '/body/events/1/id', message: MESSAGE }] },
    });
    // The same envelope without the NUL is accepted whole: nothing of the refused one was kept.
    const accepted = await app.inject({
      method: 'POST',
      url: '/api/v1/events/distribution',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ events: [registryEvent('fine'), registryEvent('fine-2')] }),
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ accepted: 2, duplicates: 0 });
  });
});
