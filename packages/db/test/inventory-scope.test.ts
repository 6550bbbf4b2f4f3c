import type { InventoryRepository, RepositoryInput } from '@winnow/engine';

import { collect, inventory } from './fixtures';
import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

const repository = (path: string, tags = ['a', 'b']): InventoryRepository => {
  const slash = path.indexOf('/');
  return {
    namespace: path.slice(0, slash),
    name: path.slice(slash + 1),
    tags: tags.map((name, i) => ({
      name,
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
      pushedAt: `2026-10-${String(i + 1).padStart(2, '0')}T12:00:00.000Z`,
      immutable: false,
      labels: [],
    })),
  };
};

/**
 * Created in this order. In code-point order `-` (0x2d) < `.` < `/` < `2` < `_` (0x5f), so
 * `acme-x/z` comes before every `acme/...` path although `acme` < `acme-x`; a locale collation
 * puts `_` first and ignores none of it the same way.
 */
const CREATED = [
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

const pathOf = (input: RepositoryInput): string =>
  `${input.repository.namespace}/${input.repository.name}`;

describe.each(providers)('inventory reads by scope on %s', (provider) => {
  const db = useDatabase(provider, { localeCollation: true });
  const stored = CREATED.map((path) => repository(path));
  beforeEach(async () => {
    await db().inventory.importRepositories(stored);
  });

  it('exports a namespace, or one repository whose name holds a "/", in path order', async () => {
    const acme = ENGINE_ORDER.filter((p) => p.startsWith('acme/')).map((p) => repository(p));
    expect(
      await collect(
        db().inventory.exportRepositories({ scope: { namespace: 'acme' }, batchSize: 2 }),
      ),
    ).toEqual(acme);
    expect(
      await collect(
        db().inventory.exportRepositories({ scope: { namespace: 'acme', name: 'web/api' } }),
      ),
    ).toEqual([repository('acme/web/api')]);
    expect(
      await collect(
        db().inventory.exportRepositories({ scope: { namespace: 'acme', name: 'web' } }),
      ),
    ).toEqual([repository('acme/web')]);
    expect(
      await collect(db().inventory.exportRepositories({ scope: { namespace: 'acm' } })),
    ).toEqual([]);
  });

  it("streams evaluation inputs in the engine's order, not the database's or creation order", async () => {
    const inputs = await collect(db().inventory.evaluationInputs());
    expect(inputs.map(pathOf)).toEqual(ENGINE_ORDER);
    // The fixture can tell: the database's own order of names is another one where it collates
    // by locale (PostgreSQL here), and creation order differs on both.
    const names = (await db().repositories.list('acme')).map((r) => r.name);
    const codePointNames = ENGINE_ORDER.filter((p) => p.startsWith('acme/')).map((p) => p.slice(5));
    if (provider === 'postgresql') expect(names).not.toEqual(codePointNames);
    else expect(names).toEqual(codePointNames);
    expect(CREATED).not.toEqual(ENGINE_ORDER);
  });

  it('points each input at its place in the export of the same scope', async () => {
    for (const scope of [
      undefined,
      { namespace: 'acme' },
      { namespace: 'acme', name: 'web/api' },
    ]) {
      const exported = await collect(db().inventory.exportRepositories({ scope }));
      const inputs = await collect(db().inventory.evaluationInputs({ scope }));
      expect(inputs).toHaveLength(exported.length);
      for (const input of inputs) {
        const index = Number(/^\/repositories\/(\d+)$/.exec(input.pointer)?.[1]);
        expect(exported[index]).toEqual(input.repository);
      }
    }
  });

  it('reads a namespace or one repository in the same order, whatever the batch limits', async () => {
    const acme = ENGINE_ORDER.filter((p) => p.startsWith('acme/'));
    for (const limits of [{}, { batchSize: 1 }, { batchSize: 3 }, { batchTags: 3 }]) {
      const scoped = await collect(
        db().inventory.evaluationInputs({ ...limits, scope: { namespace: 'acme' } }),
      );
      expect(scoped.map(pathOf)).toEqual(acme);
      expect(scoped.map((i) => i.repository)).toEqual(
        acme.map((path) => stored.find((r) => `${r.namespace}/${r.name}` === path)),
      );
    }
    const one = await collect(
      db().inventory.evaluationInputs({ scope: { namespace: 'acme', name: 'web/api' } }),
    );
    expect(one).toEqual([{ repository: repository('acme/web/api'), pointer: '/repositories/0' }]);
    expect(
      await collect(db().inventory.evaluationInputs({ scope: { namespace: 'beta', name: 'web' } })),
    ).toEqual([]);
  });

  it('reads a repository larger than the tag budget alone, and its tags whole', async () => {
    const big = repository(
      'beta/big',
      Array.from({ length: 25 }, (_, i) => `t${String(i).padStart(2, '0')}`),
    );
    await db().inventory.importRepositories([big]);
    const beta = await collect(
      db().inventory.evaluationInputs({ batchTags: 10, scope: { namespace: 'beta' } }),
    );
    expect(beta.map((i) => i.repository)).toEqual([repository('beta/app'), big]);
  });

  it('reads exactly what Prisma reads, for rows the import and the tag store wrote', async () => {
    const times = [
      '2026-10-01T12:00:00.000Z',
      '2026-10-01T12:00:00.250Z',
      '2026-10-01T12:00:00.007Z',
    ];
    await db().inventory.importRepositories(inventory(6));
    for (const [i, time] of times.entries()) {
      await db().tags.put(
        { namespace: 'acme', name: 'web/api' },
        {
          name: `pushed-${i}`,
          digest: `sha256:${String(i).repeat(64)}`,
          pushedAt: time,
          lastPulledAt: times[(i + 1) % times.length],
          immutable: i === 1,
          labels: i === 2 ? ['z', 'a'] : [],
        },
      );
    }
    const exported = await collect(db().inventory.exportRepositories({ batchSize: 4 }));
    expect(exported.length).toBe(stored.length + 6);
    const webApi = exported.find((r) => r.namespace === 'acme' && r.name === 'web/api');
    expect(webApi?.tags.map((t) => [t.name, t.pushedAt, t.lastPulledAt])).toEqual([
      ['a', '2026-10-01T12:00:00.000Z', undefined],
      ['b', '2026-10-02T12:00:00.000Z', undefined],
      ['pushed-0', times[0], times[1]],
      ['pushed-1', times[1], times[2]],
      ['pushed-2', times[2], times[0]],
    ]);
    for (const repository of exported) {
      expect(await db().repositories.get(repository)).toEqual(repository);
    }
  });

  it('lists tags by name and manifests by digest, code point by code point, whatever the collation', async () => {
    const digests = ['f', 'a', '0'].map((c) => `sha256:${c.repeat(64)}`);
    await db().inventory.importRepositories([
      {
        ...repository('beta/mixed', ['b_x', 'a', 'B', 'b-x', 'A1']),
        manifests: digests.map((digest) => ({ digest })),
      },
    ]);
    const scope = { namespace: 'beta', name: 'mixed' };
    const [read] = await collect(db().inventory.exportRepositories({ scope }));
    expect(read?.tags.map((t) => t.name)).toEqual(['A1', 'B', 'a', 'b-x', 'b_x']);
    expect(read?.manifests?.map((m) => m.digest)).toEqual([...digests].sort());
  });
});
