import {
  compilePolicies,
  evaluateInventory,
  type InventoryRepository,
  parseInventory,
  type PolicyDocument,
  type Scope,
} from '@winnow/engine';
import { providers, useApp } from './database';

const NOW = '2026-11-01T00:00:00Z';

/** Tags whose code-point order (`B` < `a`, `b-x` < `b_x`) is not a locale's (`a` < `B`, `b_x` < `b-x`). */
const TAGS = ['a', 'B', 'b_x', 'b-x', 'v1.0.0'];

const repository = (path: string): InventoryRepository => {
  const slash = path.indexOf('/');
  return {
    namespace: path.slice(0, slash),
    name: path.slice(slash + 1),
    tags: TAGS.map((name, i) => ({
      name,
      digest: `sha256:${String(i % 3).repeat(64)}`,
      pushedAt: `2026-0${i + 1}-15T08:00:00.000Z`,
      immutable: false,
      labels: [],
    })),
  };
};

/** Imported in this order: neither the engine's order, nor a locale's, nor by namespace then name. */
const PATHS = [
  'acme/web_api',
  'beta/app',
  'acme/web/api',
  'acme-x/z',
  'acme/web2',
  'acme/web',
  'acme/web.api',
  'acme/web-api',
];
const ENGINE_ORDER = [
  'acme-x/z',
  'acme/web',
  'acme/web-api',
  'acme/web.api',
  'acme/web/api',
  'acme/web2',
  'acme/web_api',
  'beta/app',
];
const REPOSITORIES = PATHS.map(repository);

const policy = (scope: Scope, rules: unknown[]): PolicyDocument =>
  ({ apiVersion: 'winnow/v1', kind: 'RetentionPolicy', scope, rules }) as PolicyDocument;
const POLICIES = [
  policy({ level: 'server' }, [
    { name: 'keep-newest', match: { newest: 2 }, then: 'keep' },
    { name: 'expire-old', match: { olderThan: '200d' }, then: 'delete' },
  ]),
  policy({ level: 'namespace', namespace: 'acme' }, [
    { name: 'drop-underscores', select: { tags: { glob: '*_*' } }, then: 'delete' },
  ]),
  policy({ level: 'repository', namespace: 'acme', repository: 'web/api' }, [
    { name: 'keep-capital-b', select: { tags: { glob: 'B' } }, then: 'keep' },
  ]),
];

const inScope = (scope: Scope | undefined, r: InventoryRepository): boolean =>
  scope === undefined ||
  scope.level === 'server' ||
  (r.namespace === scope.namespace && (scope.level === 'namespace' || r.name === scope.repository));

/** What `winnow evaluate` prints for the scope's repositories and the same policies. */
const evaluateText = (scope?: Scope): string =>
  JSON.stringify(
    evaluateInventory(
      {
        apiVersion: 'winnow/v1',
        kind: 'Inventory',
        repositories: REPOSITORIES.filter((r) => inScope(scope, r)),
      },
      compilePolicies(POLICIES),
      { now: new Date(NOW) },
    ),
  );

interface DecisionRecord {
  repository: string;
  tag: string | null;
  decision: string;
  stage: string;
}
interface Preview {
  now: string;
  summary: { repositories: number; tags: number; keep: number; delete: number };
  decisions: DecisionRecord[];
  nextCursor: string | null;
}

describe.each(providers)(
  'preview by scope on %s (a database that collates by locale)',
  (provider) => {
    const app = useApp(provider, { localeCollation: true });
    beforeAll(async () => {
      const imported = await app().inject({
        method: 'POST',
        url: '/api/v1/inventory/import',
        payload: { apiVersion: 'winnow/v1', kind: 'Inventory', repositories: REPOSITORIES },
      });
      expect(imported.json()).toEqual({ repositories: PATHS.length });
      for (const document of POLICIES) {
        const { scope } = document;
        const url =
          scope.level === 'server'
            ? '/api/v1/policies/server'
            : scope.level === 'namespace'
              ? `/api/v1/namespaces/${scope.namespace ?? ''}/policy`
              : `/api/v1/namespaces/${scope.namespace ?? ''}/repositories/${encodeURIComponent(scope.repository ?? '')}/policy`;
        const put = await app().inject({ method: 'PUT', url, payload: document });
        expect(put.statusCode === 201 ? '' : put.body).toBe('');
      }
    });

    const preview = async (body: object): Promise<Preview> => {
      const response = await app().inject({
        method: 'POST',
        url: '/api/v1/preview',
        payload: body,
      });
      expect(response.statusCode).toBe(200);
      return response.json<Preview>();
    };
    const allPages = async (body: object, limit: number): Promise<DecisionRecord[]> => {
      const records: DecisionRecord[] = [];
      let cursor: string | null = null;
      do {
        const page: Preview = await preview({ ...body, limit, ...(cursor ? { cursor } : {}) });
        expect(page.decisions.length).toBeLessThanOrEqual(limit);
        records.push(...page.decisions);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return records;
    };

    it.each<[string, Scope | undefined]>([
      ['the server', undefined],
      ['a namespace', { level: 'namespace', namespace: 'acme' }],
      ['a namespace that prefixes another', { level: 'namespace', namespace: 'acme-x' }],
      [
        'a repository whose name holds a "/"',
        { level: 'repository', namespace: 'acme', repository: 'web/api' },
      ],
      [
        'a repository whose name prefixes others',
        { level: 'repository', namespace: 'acme', repository: 'web' },
      ],
      ['a namespace with no repositories', { level: 'namespace', namespace: 'gamma' }],
    ])('previews %s exactly as `winnow evaluate` on its repositories', async (_, scope) => {
      const { nextCursor, ...report } = await preview({
        now: NOW,
        limit: 10_000,
        ...(scope ? { scope } : {}),
      });
      expect(nextCursor).toBeNull();
      expect(JSON.stringify(report)).toBe(evaluateText(scope));
    });

    it('lists repositories by path and tags by name, code point by code point', async () => {
      const { decisions } = await preview({ now: NOW, limit: 10_000 });
      expect([...new Set(decisions.map((d) => d.repository))]).toEqual(ENGINE_ORDER);
      expect(decisions.filter((d) => d.repository === 'acme/web').map((d) => d.tag)).toEqual([
        'B',
        'a',
        'b-x',
        'b_x',
        'v1.0.0',
      ]);
    });

    it('pages across repository boundaries; the pages add up to the whole, filtered or not', async () => {
      const whole = JSON.parse(evaluateText()) as { decisions: DecisionRecord[] };
      expect(await allPages({ now: NOW }, 3)).toEqual(whole.decisions);
      const deletes = whole.decisions.filter((d) => d.decision === 'delete');
      expect(deletes.length).toBeGreaterThan(4);
      expect(await allPages({ now: NOW, decision: 'delete' }, 4)).toEqual(deletes);
      const ruleRecords = (
        await allPages(
          { now: NOW, scope: { level: 'namespace', namespace: 'acme' }, stage: 'rule' },
          2,
        )
      ).map((d) => d.repository);
      expect([...new Set(ruleRecords)]).toEqual(ENGINE_ORDER.filter((p) => p.startsWith('acme/')));
    });

    it('keeps only the records of the repository filter; the summary still covers the scope', async () => {
      const scope = { level: 'namespace', namespace: 'acme' };
      const whole = await preview({ now: NOW, scope, limit: 10_000 });
      const filtered = await preview({ now: NOW, scope, repository: 'acme/web/api', limit: 2 });
      expect(filtered.summary).toEqual(whole.summary);
      expect(filtered.decisions).toEqual(
        whole.decisions.filter((d) => d.repository === 'acme/web/api').slice(0, 2),
      );
      expect(filtered.nextCursor).not.toBeNull();
      const outside = await preview({ now: NOW, scope, repository: 'beta/app' });
      expect(outside).toMatchObject({ summary: whole.summary, decisions: [], nextCursor: null });
    });
  },
);

describe.each(providers)('preview errors on %s', (provider) => {
  const app = useApp(provider);

  it("names a tag without a push time at its place in the scope's export, as `winnow evaluate` does", async () => {
    const broken: InventoryRepository = {
      ...repository('beta/old'),
      tags: [
        { name: 'x', digest: `sha256:${'1'.repeat(64)}`, immutable: false, labels: [] },
        ...repository('beta/old').tags,
      ],
    };
    const snapshot = {
      apiVersion: 'winnow/v1' as const,
      kind: 'Inventory' as const,
      repositories: [repository('beta/zz'), repository('acme/app'), broken],
    };
    const imported = await app().inject({
      method: 'POST',
      url: '/api/v1/inventory/import',
      payload: snapshot,
    });
    expect(imported.statusCode).toBe(200);
    const ranked = policy({ level: 'server' }, [
      { name: 'newest', match: { newest: 1 }, then: 'keep' },
    ]);
    const response = await app().inject({
      method: 'POST',
      url: '/api/v1/preview',
      payload: { now: NOW, scope: { level: 'namespace', namespace: 'beta' }, policies: [ranked] },
    });
    expect(response.statusCode).toBe(400);
    // The export of namespace beta is by path: beta/old is its first repository (imported
    // second), and x is its last tag.
    const expected = {
      pointer: '/repositories/0/tags/5/pushedAt',
      message:
        'is required: rule "newest" (server policy "server") orders or ages tag "x" by push time',
    };
    expect(response.json<{ error: { issues: unknown[] } }>().error.issues).toEqual([expected]);
    const exported = parseInventory(
      (await app().inject({ method: 'GET', url: '/api/v1/inventory/export' })).body,
    );
    let thrown: unknown;
    try {
      evaluateInventory(
        { ...exported, repositories: exported.repositories.filter((r) => r.namespace === 'beta') },
        compilePolicies([ranked]),
        { now: new Date(NOW) },
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ issues: [expected] });
  });
});
