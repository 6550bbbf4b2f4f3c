/**
 * Equivalence of the imported documents with the vendors' own semantics, on random inventories:
 * wherever the import report says "exact", evaluating the imported Winnow document deletes
 * exactly what Quay (or Harbor) would delete. The oracles below are written from the vendors'
 * code and docs, not from Winnow's engine:
 * - Quay (data/model/autoprune.py, quay/quay): creation_date policies delete tags whose age is
 *   strictly greater than the value; then each number_of_tags policy, in turn, deletes every
 *   live tag matching its pattern beyond the N newest by push time. Deletions add up.
 * - Harbor (src/pkg/retention): in each repository that some enabled rule's repository selector
 *   covers, every artifact that no covering rule retains is deleted.
 * Inventories keep one tag per digest and no immutable or accessory tags: those are decided by
 * Winnow's pipeline (digest protection, immutability, signatures), not by the import.
 * Equal push times are ordered by name: Quay leaves them to the database and Harbor to an
 * unstable sort, and the importer documents Winnow's order (pull time, then name).
 */
import fc from 'fast-check';
import {
  compilePolicies,
  evaluateInventory,
  importHarborPolicy,
  importQuayPolicies,
  type InventoryRepository,
  isExact,
} from '../src';
import { digestOf, NOW } from './fixtures';

const HOUR = 3_600_000;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: HOUR,
  d: 24 * HOUR,
  w: 7 * 24 * HOUR,
};
const at = (hoursAgo: number): string => new Date(NOW.getTime() - hoursAgo * HOUR).toISOString();

interface Tag {
  readonly name: string;
  readonly hoursAgo: number;
}

const tagsArb = fc.uniqueArray(
  fc.record({
    name: fc
      .tuple(
        fc.constantFrom('', 'v', 'V', 'dev-', 'feature-', 'release-'),
        fc.integer({ min: 0, max: 30 }),
        fc.constantFrom('', '', '-rc1', '-rc2'),
      )
      .map(([prefix, n, suffix]) => `${prefix}${n}${suffix}`),
    // Few distinct times, so that ties are frequent; whole days fall exactly on age limits.
    hoursAgo: fc.integer({ min: 0, max: 40 }).map((h) => h * 12),
  }),
  { selector: (t) => t.name, maxLength: 25 },
);

// ---- Quay --------------------------------------------------------------------------------------

/** Python patterns, each with a JavaScript regex that means the same on tag names (the oracle's). */
const PYTHON_PATTERNS: readonly (readonly [string, RegExp])[] = [
  ['^v', /^v/],
  ['v*', /v*/],
  ['^v*', /^v*/],
  ['rc', /rc/],
  ['-rc[0-9]$', /-rc[0-9]$/],
  ['^(dev|feature)-', /^(dev|feature)-/],
  ['[0-9]{2}', /[0-9]{2}/],
  ['^v{,1}1', /^v{0,1}1/],
  ['0\\Z', /0$/],
  ['^\\d+$', /^\d+$/],
  ['(?i)^v', /^[vV]/],
];

interface QuayPolicy {
  readonly method: 'number_of_tags' | 'creation_date';
  readonly value: number | string;
  readonly pattern?: readonly [string, RegExp];
  readonly matches?: boolean;
}

const quayPolicyArb: fc.Arbitrary<QuayPolicy> = fc.oneof(
  fc.record(
    {
      method: fc.constant('number_of_tags' as const),
      value: fc.integer({ min: 1, max: 8 }),
      pattern: fc.constantFrom(...PYTHON_PATTERNS),
      matches: fc.boolean(),
    },
    { requiredKeys: ['method', 'value'] },
  ),
  fc.record(
    {
      method: fc.constant('creation_date' as const),
      value: fc.oneof(
        fc.integer({ min: 1, max: 20 }).map((n) => `${n}d`),
        fc.integer({ min: 1, max: 3 }).map((n) => `${n}w`),
        fc.integer({ min: 1, max: 400 }).map((n) => `${n * 6}h`),
        fc.integer({ min: 1, max: 9000 }).map((n) => `${n * 60}m`),
      ),
      pattern: fc.constantFrom(...PYTHON_PATTERNS),
      matches: fc.boolean(),
    },
    { requiredKeys: ['method', 'value'] },
  ),
);

function quayDeletes(policies: readonly QuayPolicy[], tags: readonly Tag[]): string[] {
  const deleted = new Set<string>();
  const applies = (p: QuayPolicy, t: Tag): boolean =>
    p.pattern === undefined || p.pattern[1].test(t.name) === (p.matches !== false);
  for (const p of policies) {
    if (p.method !== 'creation_date') continue;
    const text = String(p.value);
    const limit = Number(text.slice(0, -1)) * (UNIT_MS[text.slice(-1)] ?? NaN);
    for (const t of tags) if (applies(p, t) && t.hoursAgo * HOUR > limit) deleted.add(t.name);
  }
  for (const p of policies) {
    if (p.method !== 'number_of_tags') continue;
    const live = tags
      .filter((t) => !deleted.has(t.name) && applies(p, t))
      .sort((a, b) => a.hoursAgo - b.hoursAgo || (a.name < b.name ? -1 : 1));
    for (const t of live.slice(Number(p.value))) deleted.add(t.name);
  }
  return [...deleted].sort();
}

const repositoryOf = (
  name: string,
  tags: readonly Tag[],
  untagged: readonly number[] = [],
): InventoryRepository => ({
  namespace: 'acme',
  name,
  tags: tags.map((t) => ({
    name: t.name,
    digest: digestOf(`${name}:${t.name}`),
    pushedAt: at(t.hoursAgo),
  })),
  manifests: untagged.map((hoursAgo, i) => ({
    digest: digestOf(`${name}@${i}`),
    pushedAt: at(hoursAgo),
  })),
});

const deletedBy = (
  document: Parameters<typeof compilePolicies>[0][number],
  repositories: InventoryRepository[],
): string[] =>
  evaluateInventory(
    { apiVersion: 'winnow/v1', kind: 'Inventory', repositories },
    compilePolicies([document]),
    { now: NOW },
  )
    .decisions.filter((d) => d.decision === 'delete')
    .map((d) => `${d.repository}:${d.tag ?? d.digest}`)
    .sort();

it('Quay: the imported document deletes exactly what Quay deletes', () => {
  fc.assert(
    fc.property(
      fc.array(quayPolicyArb, { maxLength: 5 }),
      tagsArb,
      fc.boolean(),
      (policies, tags, atRepository) => {
        const input = {
          policies: policies.map((p, i) => ({
            uuid: `p${i}`,
            method: p.method,
            value: p.value,
            ...(p.pattern ? { tagPattern: p.pattern[0], tagPatternMatches: p.matches } : {}),
          })),
        };
        const { document, report } = importQuayPolicies(
          input,
          atRepository ? { namespace: 'acme', repository: 'app' } : { namespace: 'acme' },
        );
        expect(isExact(report)).toBe(true); // every pattern of the table carries over
        const expected = quayDeletes(policies, tags).map((name) => `acme/app:${name}`);
        expect(deletedBy(document, [repositoryOf('app', tags)])).toEqual(expected);
      },
    ),
    { numRuns: 400 },
  );
});

// ---- Harbor ------------------------------------------------------------------------------------

/** Doublestar patterns with the oracle's own reading of them. */
const TAG_GLOBS: readonly (readonly [string, (name: string) => boolean])[] = [
  ['**', () => true],
  ['v*', (n) => n.startsWith('v')],
  ['*-rc*', (n) => n.includes('-rc')],
  ['{dev,feature}-*', (n) => n.startsWith('dev-') || n.startsWith('feature-')],
  ['v?', (n) => n.length === 2 && n.startsWith('v')],
  ['release-[0-9]', (n) => /^release-[0-9]$/.test(n)],
];
const REPOSITORY_GLOBS: readonly (readonly [string, (name: string) => boolean])[] = [
  ['**', () => true],
  ['web/**', (n) => n === 'web' || n.startsWith('web/')],
  ['api', (n) => n === 'api'],
  ['*', (n) => !n.includes('/')],
];
const REPOSITORIES = ['web', 'web/app', 'api', 'tools/x'];

interface HarborRule {
  readonly template: 'always' | 'nothing' | 'latestPushedK' | 'nDaysSinceLastPush';
  readonly n: number;
  readonly disabled: boolean;
  readonly tags: readonly [string, (name: string) => boolean];
  readonly excludes: boolean;
  readonly untagged: boolean;
  readonly repositories: readonly [string, (name: string) => boolean];
  readonly repoExcludes: boolean;
}

const harborRuleArb: fc.Arbitrary<HarborRule> = fc
  .record({
    template: fc.constantFrom('always', 'nothing', 'latestPushedK', 'nDaysSinceLastPush'),
    k: fc.integer({ min: 0, max: 6 }),
    days: fc.integer({ min: 1, max: 12 }),
    disabled: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    tags: fc.constantFrom(...TAG_GLOBS),
    excludes: fc.boolean(),
    untagged: fc.boolean(),
    repositories: fc.constantFrom(...REPOSITORY_GLOBS),
    repoExcludes: fc.boolean(),
  })
  .map((r) => ({
    ...r,
    n: r.template === 'nDaysSinceLastPush' ? r.days : r.k,
    // Untagged artifacts in a rule whose tag pattern is not "everything" are approximated.
    untagged: r.untagged && r.tags[0] === '**' && !r.excludes,
  }));

interface Artifact {
  readonly key: string;
  readonly tag: string | null;
  readonly hoursAgo: number;
}

function harborDeletes(
  rules: readonly HarborRule[],
  repository: string,
  artifacts: readonly Artifact[],
): string[] {
  const covering = rules.filter(
    (r) => !r.disabled && r.repositories[1](repository) !== r.repoExcludes,
  );
  if (covering.length === 0) return [];
  const retained = new Set<string>();
  for (const r of covering) {
    const selected = artifacts.filter((a) =>
      a.tag === null ? r.untagged : r.tags[1](a.tag) !== r.excludes,
    );
    let kept: readonly Artifact[] = [];
    if (r.template === 'always') kept = selected;
    else if (r.template === 'latestPushedK')
      kept = [...selected]
        .sort((a, b) => a.hoursAgo - b.hoursAgo || (a.key < b.key ? -1 : 1))
        .slice(0, r.n);
    else if (r.template === 'nDaysSinceLastPush')
      kept = selected.filter((a) => a.hoursAgo <= r.n * 24);
    for (const a of kept) retained.add(a.key);
  }
  return artifacts.filter((a) => !retained.has(a.key)).map((a) => a.key);
}

it('Harbor: the imported document deletes exactly what Harbor deletes', () => {
  fc.assert(
    fc.property(
      fc.array(harborRuleArb, { minLength: 1, maxLength: 4 }),
      fc.array(tagsArb, { minLength: 4, maxLength: 4 }),
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 3 }),
      (rules, tagSets, untaggedAges) => {
        const policy = {
          algorithm: 'or',
          rules: rules.map((r) => ({
            disabled: r.disabled,
            action: 'retain',
            template: r.template,
            params:
              r.template === 'always' || r.template === 'nothing' ? {} : { [r.template]: r.n },
            tag_selectors: [
              {
                kind: 'doublestar',
                decoration: r.excludes ? 'excludes' : 'matches',
                pattern: r.tags[0],
                extras: JSON.stringify({ untagged: r.untagged }),
              },
            ],
            scope_selectors: {
              repository: [
                {
                  kind: 'doublestar',
                  decoration: r.repoExcludes ? 'repoExcludes' : 'repoMatches',
                  pattern: r.repositories[0],
                },
              ],
            },
          })),
          scope: { level: 'project', ref: 1 },
        };
        const { document, report } = importHarborPolicy(policy, { namespace: 'acme' });
        expect(isExact(report)).toBe(true);
        // Untagged manifests on odd hours, tags on multiples of 12: no tie between the two kinds.
        const untaggedHours = [...new Set(untaggedAges)].map((h) => h * 12 + 1);
        const repositories = REPOSITORIES.map((name, i) =>
          repositoryOf(name, tagSets[i] ?? [], untaggedHours),
        );
        const expected = repositories
          .flatMap((repo) => {
            const artifacts: Artifact[] = [
              ...repo.tags.map((t, j) => ({
                key: `acme/${repo.name}:${t.name}`,
                tag: t.name,
                hoursAgo: (tagSets[REPOSITORIES.indexOf(repo.name)] ?? [])[j]?.hoursAgo ?? 0,
              })),
              ...(repo.manifests ?? []).map((m, j) => ({
                key: `acme/${repo.name}:${m.digest}`,
                tag: null,
                hoursAgo: untaggedHours[j] ?? 0,
              })),
            ];
            return harborDeletes(rules, repo.name, artifacts);
          })
          .sort();
        expect(deletedBy(document, repositories)).toEqual(expected);
      },
    ),
    { numRuns: 300 },
  );
});
