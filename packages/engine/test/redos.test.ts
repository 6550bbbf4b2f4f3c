/**
 * Every tag pattern the engine accepts runs in linear time (§ patterns: RE2 semantics). Known
 * ReDoS patterns — catastrophic on a backtracking engine such as JavaScript's RegExp, where
 * `(a+)+$` on 30 `a`s and a `!` already takes seconds and every extra character doubles it — are
 * compiled into policies and evaluated against tag names of 50,000 and 500,000 characters.
 *
 * Two checks, so the test is about complexity and not only a stopwatch:
 * - a generous ceiling (2 s per 100,000 characters; a backtracking engine would need longer than
 *   the age of the universe on these inputs);
 * - scaling: 10× the input may cost at most 30× the time (linear is 10×; quadratic would be
 *   100×, exponential unbounded). Each time is the best of three runs, and the small one has a
 *   10 ms floor (the pipeline's own work on 500,000-character names is a few tens of ms), so
 *   timer resolution and a garbage collection pause cannot make it fail.
 * Patterns RE2 refuses (backreferences, lookaround) are refused at validation with the field's
 * pointer; the server's routes answer 400 for them (apps/server/test/redos.test.ts).
 */
import {
  compilePolicies,
  evaluateInventory,
  importHarborPolicy,
  importQuayPolicies,
  type InventoryTag,
  type PolicyDocument,
  policyIssues,
} from '../src';
import { NOW, repository } from './fixtures';
import { REDOS_PATTERNS, REFUSED_PATTERNS } from './redos-patterns';

/** An input that makes each classic pattern backtrack: a long run that fails at its end. */
const evil = (length: number): string => `${'a'.repeat(length - 1)}!`;
const mixed = (length: number): string =>
  `${'ab1 x.'.repeat(Math.ceil(length / 6)).slice(0, length - 1)}!`;

const tags = (length: number): InventoryTag[] =>
  [evil(length), mixed(length)].map((name, i) => ({
    name: `${name.slice(0, -1)}${i}`.slice(0, length),
    digest: `sha256:${String(i).padStart(64, '0')}`,
    pushedAt: '2026-01-01T00:00:00Z',
    lastPulledAt: null,
  }));

function policyWith(pattern: string): PolicyDocument {
  return {
    apiVersion: 'winnow/v1',
    kind: 'RetentionPolicy',
    scope: { level: 'repository', namespace: 'acme', repository: 'app' },
    rules: [
      { name: 'select', select: { tags: { regex: pattern } }, then: 'keep' },
      {
        name: 'group',
        match: { perGroup: { regex: `(${pattern})`, newest: 1 } },
        then: 'keep',
        else: 'pass',
      },
    ],
  };
}

function evaluationMs(document: PolicyDocument, length: number): number {
  const compiled = compilePolicies([document]);
  const inventory = {
    apiVersion: 'winnow/v1' as const,
    kind: 'Inventory' as const,
    repositories: [repository('acme/app', tags(length))],
  };
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const report = evaluateInventory(inventory, compiled, { now: NOW });
    best = Math.min(best, performance.now() - started);
    expect(report.summary.tags).toBe(2);
  }
  return best;
}

/**
 * 50,000 characters, not fewer: re2js runs an input on its bit-state backtracker (bounded: it
 * never visits a state twice, so still linear) while length × program size ≤ 262,144, and on
 * the NFA past that; a growth measured across the switch would mix two constant factors. Every
 * program here has more than 6 instructions, so both sizes run on the NFA.
 */
const SMALL = 50_000;
/** 2 s per 100,000 characters of each of the two tags. */
const CEILING_MS = 2000 * ((SMALL * 10) / 100_000);
const MAX_GROWTH = 30;
const FLOOR_MS = 10;

function expectLinear(document: PolicyDocument, label: string): void {
  const small = evaluationMs(document, SMALL);
  const large = evaluationMs(document, SMALL * 10);
  expect({ label, large: large < CEILING_MS }).toEqual({ label, large: true });
  const growth = large / Math.max(small, FLOOR_MS);
  expect({ label, growth: growth < MAX_GROWTH, small, large }).toEqual({
    label,
    growth: true,
    small,
    large,
  });
}

describe('ReDoS: tag patterns run in linear time', () => {
  it.each(REDOS_PATTERNS)('accepts %s and evaluates 500,000-character tags linearly', (pattern) => {
    expect(policyIssues(policyWith(pattern))).toEqual([]);
    expectLinear(policyWith(pattern), pattern);
  });

  it.each(REFUSED_PATTERNS)('refuses %s at validation, naming the field', (pattern) => {
    const pointers = policyIssues(policyWith(pattern)).map((i) => i.pointer);
    expect(pointers).toContain('/rules/0/select/tags/regex');
    expect(pointers).toContain('/rules/1/match/perGroup/regex');
  });

  it('runs globs (translated to RE2) linearly too: *a*a*a*a*b and nested braces', () => {
    for (const glob of ['*a*a*a*a*a*a*a*b', '{a,aa}{a,aa}{a,aa}{a,aa}*!', '**/**/**/*a*a*b']) {
      const document = {
        ...policyWith('x'),
        rules: [{ name: 'glob', select: { tags: { glob } }, then: 'keep' }],
      } as PolicyDocument;
      expect(policyIssues(document)).toEqual([]);
      expectLinear(document, glob);
    }
  });
});

describe('ReDoS: the Quay and Harbor importers', () => {
  it.each(REDOS_PATTERNS)('Quay tagPattern %s: carried to RE2 and linear', (pattern) => {
    const { document } = importQuayPolicies(
      {
        policies: [
          { method: 'number_of_tags', value: 1, tagPattern: pattern, tagPatternMatches: true },
        ],
      },
      { namespace: 'acme', repository: 'app' },
    );
    expect(policyIssues(document)).toEqual([]);
    expect(JSON.stringify(document.rules)).toContain(JSON.stringify(pattern).slice(1, -1));
    expectLinear(document, pattern);
  });

  it.each(REFUSED_PATTERNS.filter((p) => !p.includes('(?P')))(
    'Quay tagPattern %s: not imported, and the report says why',
    (pattern) => {
      const { report } = importQuayPolicies(
        { policies: [{ method: 'number_of_tags', value: 1, tagPattern: pattern }] },
        { namespace: 'acme', repository: 'app' },
      );
      expect(report).toContainEqual(
        expect.objectContaining({ path: '/policies/0/tagPattern', severity: 'dropped' }),
      );
    },
  );

  it('Harbor doublestar selectors built to backtrack are linear', () => {
    for (const pattern of ['*a*a*a*a*a*a*a*b', '{a,aa}{a,aa}{a,aa}{a,aa}*!', '**a**a**a**b']) {
      const { document } = importHarborPolicy(
        {
          algorithm: 'or',
          rules: [
            {
              disabled: false,
              action: 'retain',
              template: 'latestPushedK',
              params: { latestPushedK: 1 },
              tag_selectors: [
                {
                  kind: 'doublestar',
                  decoration: 'matches',
                  pattern,
                  extras: '{"untagged":false}',
                },
              ],
              scope_selectors: {
                repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }],
              },
            },
          ],
          trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' } },
          scope: { level: 'project', ref: 1 },
        },
        { namespace: 'acme' },
      );
      expect(policyIssues(document)).toEqual([]);
      expectLinear(document, pattern);
    }
  });
});
