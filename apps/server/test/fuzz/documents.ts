/** Valid documents (a policy, an inventory snapshot, a registry notification) and their mutants. */
import fc from 'fast-check';
import { hostileJson, hostileNumber, hostileString, jsonText } from './arbitraries';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

export const validPolicy = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'namespace', namespace: 'acme' },
  rules: [
    { name: 'keep-releases', select: { tags: { regex: '^v[0-9]+\\.[0-9]+$' } }, then: 'keep' },
    { name: 'keep-latest', select: { tags: { glob: 'latest' } }, then: 'keep' },
    {
      name: 'per-branch',
      select: { tags: { regex: '^.+-[0-9a-f]{7}$' } },
      match: { perGroup: { regex: '^(.+)-[0-9a-f]{7}$', newest: 10 } },
      then: 'keep',
      else: 'delete',
    },
    {
      name: 'old',
      select: { untagged: 'only' },
      match: { olderThan: '7d' },
      then: 'delete',
    },
  ],
};

export const validInventory = {
  apiVersion: 'winnow/v1',
  kind: 'Inventory',
  repositories: [
    {
      namespace: 'acme',
      name: 'web/api',
      tags: [
        { name: 'v1.0', digest: digest(1), pushedAt: '2026-01-01T00:00:00Z' },
        {
          name: 'main-abcdef1',
          digest: digest(2),
          pushedAt: '2026-02-01T00:00:00Z',
          lastPulledAt: '2026-03-01T00:00:00Z',
        },
      ],
    },
  ],
};

export const validEnvelope = {
  events: [
    {
      id: 'e1',
      timestamp: '2026-01-01T00:00:00Z',
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 400,
        length: 400,
        digest: digest(3),
        repository: 'acme/web',
        url: `http://registry/v2/acme/web/manifests/${digest(3)}`,
        tag: 'v2',
      },
      request: {
        id: 'r1',
        addr: '127.0.0.1:1',
        host: 'registry',
        method: 'PUT',
        useragent: 'fuzz',
      },
      actor: {},
      source: { addr: 'registry:5000', instanceID: 'i1' },
    },
  ],
};

/** Values that stress the places documents feed: patterns (ReDoS, RE2-refused), ages, times. */
const domainValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '(a+)+$',
    '(a|aa)+$',
    '(\\w+)\\1',
    '(?=a)b',
    '(?<!a)b',
    '[',
    '*',
    '**/***',
    '{a,b',
    '\\',
    '9999999999999d',
    '0d',
    '-1d',
    '1y',
    '2026-13-01T00:00:00Z',
    '+275760-09-13T00:00:00.001Z',
    'delete',
    'keep',
    'repository',
    'server',
  ),
  hostileString,
  hostileNumber,
  hostileJson,
);

interface Mutation {
  readonly steps: readonly number[];
  readonly action: 'replace' | 'delete' | 'add';
  readonly key: string;
  readonly value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  steps: fc.array(fc.nat(), { maxLength: 6 }),
  action: fc.constantFrom('replace', 'replace', 'delete', 'add'),
  key: fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra'),
    fc.string({ maxLength: 6 }),
  ),
  value: domainValue,
});

function own(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Walks `steps` into a deep copy of `document` and changes what it lands on. */
function mutate(document: unknown, mutations: readonly Mutation[]): unknown {
  const root = { value: structuredClone<unknown>(document) };
  for (const m of mutations) {
    let parent: Record<string, unknown> | unknown[] = root;
    let key: string | number = 'value';
    for (const step of m.steps) {
      const here = parent[key as string];
      if (typeof here !== 'object' || here === null) break;
      const keys: (string | number)[] = Array.isArray(here)
        ? here.map((_, i) => i)
        : Object.keys(here);
      if (keys.length === 0) break;
      parent = here as Record<string, unknown>;
      key = keys[step % keys.length] ?? 0;
    }
    const target = parent;
    if (m.action === 'replace') own(target, String(key), m.value);
    else if (m.action === 'delete') Reflect.deleteProperty(target, key);
    else {
      const here = target[key as string];
      if (Array.isArray(here)) here.push(m.value);
      else if (typeof here === 'object' && here !== null) own(here, m.key, m.value);
      else own(target, String(key), m.value);
    }
  }
  return root.value;
}

/** The document with 0–4 mutations: the unchanged one too, so the happy path runs as well. */
export const mutantOf = (document: unknown): fc.Arbitrary<unknown> =>
  fc.array(mutation, { maxLength: 4 }).map((mutations) => mutate(document, mutations));

/** As text: JSON of a mutant, truncated JSON, or arbitrary text (YAML for the policy parser). */
export const mutantText = (document: unknown): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: mutantOf(document).map((v) => jsonText(v)) },
    {
      weight: 1,
      arbitrary: fc.tuple(mutantOf(document), fc.nat()).map(([v, cut]) => {
        const text = jsonText(v);
        return text.slice(0, cut % (text.length + 1));
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        // YAML alias expansion ("billion laughs"), tags, duplicate keys, a second document.
        'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
        '!!js/function "function(){}"',
        'apiVersion: winnow/v1\napiVersion: winnow/v1\n',
        '---\n---\n---\n',
        '%YAML 9.9\n---\na: 1',
        '? [a, b]\n: c',
        'a: !!binary AAAA',
        '<<: {__proto__: {polluted: true}}',
      ),
    },
    { weight: 1, arbitrary: hostileString },
  );
