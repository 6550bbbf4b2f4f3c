/**
 * Every operation of the OpenAPI document, fuzzed through its params, query and body at once:
 * never a 5xx, never internals in a body, every 4xx in the standard shape naming the field.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import fc from 'fast-check';
import { deepJsonText, fromSchema, hostileJson, hostileString, jsonText } from './arbitraries';
import { type Operation, operationsOf, routesOf } from './operations';
import {
  buildFuzzApp,
  checkTarget,
  CLIENT_HEADERS,
  encodeComponent,
  EVENTS_SECRET,
  expectWellBehaved,
  FUZZ_RUNS,
  FUZZ_TIMEOUT_MS,
  isTargetSelected,
} from './support';

let app: FastifyInstance;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ app, close } = await buildFuzzApp());
  // Something for the routes to find: a namespace, a repository with tags, a policy.
  const seeded = await app.inject({
    method: 'POST',
    url: '/api/v1/inventory/import',
    headers: { ...CLIENT_HEADERS, 'content-type': 'application/json' },
    payload: {
      apiVersion: 'winnow/v1',
      kind: 'Inventory',
      repositories: [
        {
          namespace: 'acme',
          name: 'web/api',
          tags: [
            { name: 'v1', digest: `sha256:${'a'.repeat(64)}`, pushedAt: '2026-01-01T00:00:00Z' },
          ],
        },
      ],
    },
  });
  expect(seeded.statusCode).toBe(200);
});
afterAll(async () => {
  await close();
});

/** Names that exist in the seeded data, so some cases reach past the lookups. */
const KNOWN: Readonly<Record<string, readonly string[]>> = {
  namespace: ['acme'],
  repository: ['web/api'],
  tag: ['v1'],
  id: ['1', '00000000-0000-0000-0000-000000000000'],
  name: ['acme'],
};

function paramValue(name: string, schema: Operation['pathParams'][number]['schema']) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(KNOWN[name] ?? ['x'])) },
    {
      weight: 4,
      arbitrary: fromSchema(schema).map((v) => (typeof v === 'string' ? v : jsonText(v))),
    },
    { weight: 2, arbitrary: hostileString },
  );
}

const queryValue = (schema: Operation['query'][number]['schema']) =>
  fc.oneof(
    fromSchema(schema).map((v) => (typeof v === 'string' ? v : jsonText(v))),
    hostileString,
  );

/** The body as sent: JSON of a schema-shaped or hostile value, broken JSON, YAML, another type. */
function bodyOf(operation: Operation): fc.Arbitrary<{ type?: string; payload?: string }> {
  const json = (value: unknown) => ({
    type: 'application/json',
    payload: jsonText(value),
  });
  const hostile = fc.oneof(
    { weight: 2, arbitrary: hostileJson.map(json) },
    {
      weight: 1,
      arbitrary: deepJsonText.map((payload) => ({ type: 'application/json', payload })),
    },
    {
      weight: 1,
      arbitrary: hostileString.map((payload) => ({ type: 'application/json', payload })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'application/yaml',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/octet-stream',
          ),
          hostileString,
        )
        .map(([type, payload]) => ({ type, payload })),
    },
  );
  if (operation.body === undefined)
    return fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: hostile });
  return fc.oneof(
    { weight: 6, arbitrary: fromSchema(operation.body).map(json) },
    { weight: 3, arbitrary: hostile },
  );
}

function requestOf(operation: Operation): fc.Arbitrary<InjectOptions> {
  const params = fc.tuple(...operation.pathParams.map((p) => paramValue(p.name, p.schema)));
  const query = fc.tuple(
    fc.tuple(...operation.query.map((q) => fc.option(queryValue(q.schema), { freq: 2 }))),
    fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('__proto__', 'constructor', 'limit', 'cursor'),
          fc.string({ maxLength: 8 }),
        ),
        hostileString,
      ),
      { maxLength: 2 },
    ),
  );
  const events = operation.path === '/api/v1/events/distribution';
  const authorization = events
    ? fc.oneof(
        { weight: 8, arbitrary: fc.constant(`Bearer ${EVENTS_SECRET}`) },
        { weight: 1, arbitrary: hostileString.map((s) => `Bearer ${s}`) },
      )
    : fc.constant(undefined);
  return fc
    .tuple(params, query, bodyOf(operation), authorization)
    .map(([values, [known, extra], body, auth]) => {
      let url = operation.path;
      operation.pathParams.forEach((p, i) => {
        url = url.replace(`{${p.name}}`, encodeComponent(values[i] ?? ''));
      });
      const pairs: [string, string][] = [];
      operation.query.forEach((q, i) => {
        const value = known[i];
        if (value !== null && value !== undefined) pairs.push([q.name, value]);
      });
      pairs.push(...extra);
      if (pairs.length > 0)
        url += `?${pairs.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join('&')}`;
      const headers: Record<string, string> = { ...CLIENT_HEADERS };
      if (auth !== undefined) headers.authorization = auth;
      if (body.type !== undefined) headers['content-type'] = body.type;
      return {
        method: operation.method,
        url,
        headers,
        ...(body.payload !== undefined && { payload: body.payload }),
      };
    });
}

describe('fuzzing every operation of the OpenAPI document', () => {
  it('has a target for every route the app serves, and every route in the document', () => {
    const targets = operationsOf(app)
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    const routes = routesOf(app).sort();
    expect(routes.length).toBeGreaterThan(40);
    expect(targets).toEqual(routes);
  });

  it(
    `keeps the properties for ${FUZZ_RUNS} cases per operation`,
    async () => {
      const failures: string[] = [];
      const selected = operationsOf(app).filter((o) => isTargetSelected(`${o.method} ${o.path}`));
      for (const operation of selected) {
        const failure = await checkTarget(
          `${operation.method} ${operation.path}`,
          fc.asyncProperty(requestOf(operation), async (request) => {
            expectWellBehaved(request, await app.inject(request));
          }),
        );
        if (failure !== undefined) failures.push(failure);
      }
      expect(failures).toEqual([]);
    },
    FUZZ_TIMEOUT_MS,
  );
});
