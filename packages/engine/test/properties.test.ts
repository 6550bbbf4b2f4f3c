import fc from 'fast-check';
import {
  compareRepositoryPaths,
  compilePolicies,
  evaluateInventory,
  type Inventory,
  type InventoryManifest,
  type InventoryRepository,
  type InventoryTag,
  type PolicyDocument,
  repositoryPath,
  type Rule,
  type Scope,
  validatePolicies,
} from '../src';
import { ago, digestOf, NOW, shuffled } from './fixtures';

const DIGESTS = Array.from({ length: 8 }, (_, i) => digestOf(`d${i}`));
const cosign = (digest: string, kind: string): string => `sha256-${digest.slice(7)}.${kind}`;

const tagArb = fc.record({
  name: fc.stringMatching(/^[a-e][a-e0-9-]{0,3}$/),
  digest: fc.constantFrom(...DIGESTS),
  days: fc.integer({ min: 0, max: 60 }),
  pulledDays: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
  immutable: fc.boolean().map((b) => b && Math.random() < 0.3),
  labels: fc.subarray(['prod', 'wip']),
});

const repositoryArb = fc
  .record({
    name: fc.constantFrom('app', 'web/api', 'tools'),
    namespace: fc.constantFrom('acme', 'beta'),
    tags: fc.uniqueArray(tagArb, { selector: (t) => t.name, maxLength: 14 }),
    indexes: fc.array(
      fc.record({
        digest: fc.constantFrom(...DIGESTS),
        children: fc.subarray(DIGESTS, { maxLength: 3 }),
      }),
      { maxLength: 2 },
    ),
    signed: fc.subarray(DIGESTS, { maxLength: 3 }),
  })
  .map(({ name, namespace, tags, indexes, signed }): InventoryRepository => {
    const manifests = new Map<string, InventoryManifest>();
    for (const index of indexes) {
      const children = index.children.filter((c) => c !== index.digest);
      if (!manifests.has(index.digest))
        manifests.set(index.digest, { digest: index.digest, children, pushedAt: ago(30) });
    }
    const inventoryTags: InventoryTag[] = tags.map((t) => ({
      name: t.name,
      digest: t.digest,
      pushedAt: ago(t.days),
      lastPulledAt: t.pulledDays === null ? null : ago(t.pulledDays),
      immutable: t.immutable,
      labels: t.labels,
    }));
    signed.forEach((digest, i) => {
      inventoryTags.push({
        name: cosign(digest, i % 2 === 0 ? 'sig' : 'att'),
        digest: digestOf(`sig-${digest}`),
        pushedAt: ago(0),
      });
    });
    return { namespace, name, tags: inventoryTags, manifests: [...manifests.values()] };
  });

const inventoryArb = fc
  .uniqueArray(repositoryArb, {
    selector: (r) => `${r.namespace}/${r.name}`,
    minLength: 1,
    maxLength: 3,
  })
  .map((repositories): Inventory => ({ apiVersion: 'winnow/v1', kind: 'Inventory', repositories }));

const actionArb = fc.constantFrom<'keep' | 'delete' | 'pass'>('keep', 'delete', 'pass');
const ruleArb = fc
  .record({
    select: fc.constantFrom(
      undefined,
      { tags: { glob: '[ab]*' } },
      { tags: { regex: '^c', negate: true } },
      { labels: { none: ['wip'] } },
    ),
    match: fc.constantFrom(
      undefined,
      { newest: 2 },
      { newest: 1, by: 'pulled' },
      { olderThan: '20d' },
      { newerThan: '10d', by: 'active' },
      { perGroup: { regex: '^([a-e])', newest: 1 } },
      { newest: 3, by: 'natural' },
    ),
    then: actionArb,
    else: actionArb,
  })
  .map((r) => r);

type RuleDraft = typeof ruleArb extends fc.Arbitrary<infer R> ? R : never;
const rulesArb = fc.array(ruleArb, { minLength: 1, maxLength: 4 });

const documentOf = (scope: Scope, rules: readonly RuleDraft[]): PolicyDocument => ({
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope,
  rules: rules.map((r, i): Rule => ({
    name: `r${i}`,
    ...(r.select ? { select: r.select } : {}),
    ...(r.match ? { match: r.match } : {}),
    then: r.then,
    else: r.else,
  })),
});

const policiesArb = rulesArb.map((rules) => [documentOf({ level: 'server' }, rules)]);

/** Policies at all three scopes, so repositories of one inventory run different chains. */
const scopedPoliciesArb = fc
  .tuple(rulesArb, rulesArb, rulesArb)
  .map(([server, namespace, repository]) => [
    documentOf({ level: 'server' }, server),
    documentOf({ level: 'namespace', namespace: 'acme' }, namespace),
    documentOf({ level: 'repository', namespace: 'acme', repository: 'web/api' }, repository),
  ]);

function run(snapshot: Inventory, documents: PolicyDocument[], maxDeleteRatio?: number) {
  const policies = compilePolicies(
    validatePolicies(documents.map((value) => ({ value }))).map((l) => l.policy),
  );
  return evaluateInventory(
    snapshot,
    policies,
    maxDeleteRatio === undefined ? { now: NOW } : { now: NOW, maxDeleteRatio },
  );
}

const withoutAccessories = (snapshot: Inventory): Inventory => ({
  ...snapshot,
  repositories: snapshot.repositories.map((r) => ({
    ...r,
    tags: r.tags.filter((t) => !/^sha256-[0-9a-f]{64}\./.test(t.name)),
  })),
});

const reorder = (snapshot: Inventory, seed: number): Inventory => ({
  ...snapshot,
  repositories: shuffled(snapshot.repositories, seed).map((r) => ({
    ...r,
    tags: shuffled(r.tags, seed + 1),
    manifests: shuffled(r.manifests ?? [], seed + 2),
  })),
});

const RUNS = { numRuns: 300 };

describe('invariants', () => {
  it('an immutable tag is never deleted', () => {
    fc.assert(
      fc.property(inventoryArb, policiesArb, (snapshot, documents) => {
        const immutable = new Set(
          snapshot.repositories.flatMap((r) =>
            r.tags.filter((t) => t.immutable).map((t) => `${r.namespace}/${r.name}:${t.name}`),
          ),
        );
        for (const d of run(snapshot, documents).decisions) {
          if (immutable.has(`${d.repository}:${d.tag ?? ''}`)) expect(d.decision).toBe('keep');
        }
      }),
      RUNS,
    );
  });

  it('a digest with a kept tag loses none of its tags, and a platform of a kept index is kept', () => {
    fc.assert(
      fc.property(
        inventoryArb,
        policiesArb,
        fc.constantFrom(undefined, 0.5),
        (snapshot, documents, ratio) => {
          const report = run(snapshot, documents, ratio);
          for (const repository of snapshot.repositories) {
            const path = `${repository.namespace}/${repository.name}`;
            const records = report.decisions.filter((d) => d.repository === path && d.tag !== null);
            const keptDigests = new Set(
              records.filter((d) => d.decision === 'keep').map((d) => d.digest),
            );
            for (const d of records) if (keptDigests.has(d.digest)) expect(d.decision).toBe('keep');
            for (const index of repository.manifests ?? []) {
              const indexTagged = records.some((d) => d.digest === index.digest);
              if (!keptDigests.has(index.digest) && indexTagged) continue;
              for (const d of records)
                if (index.children?.includes(d.digest)) expect(d.decision).toBe('keep');
            }
          }
        },
      ),
      RUNS,
    );
  });

  it('the same input and now give byte-identical output whatever the input order', () => {
    fc.assert(
      fc.property(
        inventoryArb,
        policiesArb,
        fc.integer({ min: 1, max: 1_000_000 }),
        (snapshot, documents, seed) => {
          expect(JSON.stringify(run(reorder(snapshot, seed), documents))).toBe(
            JSON.stringify(run(snapshot, documents)),
          );
        },
      ),
      RUNS,
    );
  });

  it('each repository evaluated on its own, in path order, gives the records and summary of the whole', () => {
    fc.assert(
      fc.property(inventoryArb, scopedPoliciesArb, (snapshot, documents) => {
        const whole = run(snapshot, documents);
        const parts = [...snapshot.repositories]
          .sort((a, b) => compareRepositoryPaths(repositoryPath(a), repositoryPath(b)))
          .map((repository) => run({ ...snapshot, repositories: [repository] }, documents));
        expect(JSON.stringify(parts.flatMap((p) => p.decisions))).toBe(
          JSON.stringify(whole.decisions),
        );
        const summary = { repositories: 0, tags: 0, keep: 0, delete: 0 };
        for (const part of parts) {
          for (const key of ['repositories', 'tags', 'keep', 'delete'] as const)
            summary[key] += part.summary[key];
        }
        expect(summary).toEqual(whole.summary);
      }),
      RUNS,
    );
  });

  it('accessories never count toward newest (nor any rule): adding them changes no other decision', () => {
    fc.assert(
      fc.property(inventoryArb, policiesArb, (snapshot, documents) => {
        const isAccessory = (tag: string | null): boolean =>
          tag !== null && /^sha256-[0-9a-f]{64}\./.test(tag);
        const withAll = run(snapshot, documents).decisions.filter((d) => !isAccessory(d.tag));
        const without = run(withoutAccessories(snapshot), documents).decisions;
        expect(withAll).toEqual(without);
      }),
      RUNS,
    );
  });
});
