/**
 * The Quay and Harbor importers (§6): the vendors' own documented examples, input errors that
 * name their field, and what the report says. The equivalence with each vendor's semantics is
 * in compat-equivalence.test.ts.
 */
import {
  compilePolicies,
  evaluateInventory,
  importHarborPolicy,
  importQuayPolicies,
  type InventoryTag,
  isExact,
  policyIssues,
  WinnowValidationError,
} from '../src';
import { pythonRegexToRe2 } from '../src/compat/python-regex';
import { ago, digestOf, NOW, repository } from './fixtures';

const issuesOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof WinnowValidationError)
      return error.issues.map((i) => `${i.pointer}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a validation error');
};

describe('Quay: the documented examples', () => {
  // https://github.com/quay/quay-docs/blob/master/modules/creating-policy-api-current-user.adoc
  // "Example output" of GET /api/v1/user/autoprunepolicy/
  const userPolicies = {
    policies: [
      { uuid: '8c03f995-ca6f-4928-b98d-d75ed8c14859', method: 'number_of_tags', value: 10 },
    ],
  };

  it('number_of_tags 10 keeps the 10 newest and deletes the rest', () => {
    const { document, report } = importQuayPolicies(userPolicies, { namespace: 'alice' });
    expect(policyIssues(document)).toEqual([]);
    expect(document.scope).toEqual({ level: 'namespace', namespace: 'alice' });
    expect(document.rules).toEqual([
      {
        name: 'quay-1-number-of-tags',
        description:
          'Quay autoprune policy 8c03f995-ca6f-4928-b98d-d75ed8c14859: number_of_tags 10',
        match: { newest: 10 },
        then: 'pass',
        else: 'delete',
      },
    ]);
    expect(isExact(report)).toBe(true);
    expect(report.map((e) => e.path)).toEqual(['/policies/0']);
  });

  // https://github.com/quay/quay-docs/blob/master/modules/creating-policy-api-other-user.adoc:
  // POST {"method": "number_of_tags","value": 2}, then an additional policy
  // {"method": "creation_date", "value": "7d", "tagPattern": "^v*", "tagPatternMatches": true},
  // as the repository's GET .../autoprunepolicy/ lists them.
  const repositoryPolicies = {
    policies: [
      { uuid: '7726f79c-cbc7-490e-98dd-becdc6fefce7', method: 'number_of_tags', value: 2 },
      {
        uuid: 'b3797bcd-de72-4b71-9b1e-726dabc971be',
        method: 'creation_date',
        value: '7d',
        tagPattern: '^v*',
        tagPatternMatches: true,
      },
    ],
  };

  it('puts the creation_date policy first and says "^v*" matches every tag', () => {
    const { document, report } = importQuayPolicies(repositoryPolicies, {
      namespace: 'alice',
      repository: 'app',
    });
    expect(document.scope).toEqual({ level: 'repository', namespace: 'alice', repository: 'app' });
    expect(document.rules?.map((r) => [r.name, r.match, r.then, r.else])).toEqual([
      ['quay-2-creation-date', { olderThan: '7d' }, 'delete', undefined],
      ['quay-1-number-of-tags', { newest: 2 }, 'pass', 'delete'],
    ]);
    expect(document.rules?.[0]?.select).toEqual({ tags: { regex: '^v*' } });
    expect(isExact(report)).toBe(true);
    expect(report.find((e) => e.path === '/policies/1')?.message).toMatch(
      /matches every tag \(a regular expression, not a glob\)/,
    );
    expect(report[0]?.message).toMatch(/creation_date policies come first/);
  });

  it('decides like Quay on the documented repository: 7d prune first, then keep 2', () => {
    const { document } = importQuayPolicies(repositoryPolicies, {
      namespace: 'alice',
      repository: 'app',
    });
    const tags: InventoryTag[] = [
      ['v1', 30],
      ['v2', 10],
      ['v3', 5],
      ['v4', 3],
      ['v5', 1],
    ].map(([name, days]) => ({
      name: String(name),
      digest: digestOf(String(name)),
      pushedAt: ago(Number(days)),
    }));
    const report = evaluateInventory(
      { apiVersion: 'winnow/v1', kind: 'Inventory', repositories: [repository('alice/app', tags)] },
      compilePolicies([document]),
      { now: NOW },
    );
    // Quay: creation_date deletes v1, v2 (older than 7d); of v3..v5 number_of_tags keeps v5, v4.
    expect(report.decisions.filter((d) => d.decision === 'delete').map((d) => d.tag)).toEqual([
      'v1',
      'v2',
      'v3',
    ]);
  });

  // https://docs.redhat.com/en/documentation/red_hat_quay/3.17/html/red_hat_quay_api_reference/policy
  // (updateOrganizationAutoPrunePolicy): a single policy, not a list.
  it('accepts a single policy object', () => {
    const { document } = importQuayPolicies(
      { method: 'creation_date', value: '4d', tagPattern: '^v*', tagPatternMatches: true },
      { namespace: 'acme' },
    );
    expect(document.rules?.[0]).toMatchObject({ match: { olderThan: '4d' }, then: 'delete' });
  });
});

describe('Quay: patterns, values and errors', () => {
  it('negates for tagPatternMatches false and normalises leading zeros', () => {
    const { document } = importQuayPolicies(
      [
        {
          method: 'creation_date',
          value: '02w',
          tagPattern: '^release-',
          tagPatternMatches: false,
        },
      ],
      { namespace: 'acme' },
    );
    expect(document.rules?.[0]).toMatchObject({
      select: { tags: { regex: '^release-', negate: true } },
      match: { olderThan: '2w' },
    });
  });

  it.each([
    ['(?=x)', /lookahead/],
    ['^(?<!a)b', /lookbehind/],
    ['(a)\\1', /backreference/],
    ['(?P<n>a)(?P=n)', /named backreference/],
    ['(?x) a b', /RE2 rejects it/],
  ])('drops a policy whose pattern %s cannot run on RE2', (pattern, reason) => {
    const { document, report } = importQuayPolicies(
      [
        { method: 'number_of_tags', value: 3, tagPattern: pattern },
        { method: 'number_of_tags', value: 5 },
      ],
      { namespace: 'acme' },
    );
    expect(document.rules?.map((r) => r.name)).toEqual(['quay-2-number-of-tags']);
    const dropped = report.filter((e) => e.severity === 'dropped');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]?.path).toBe('/0/tagPattern');
    expect(dropped[0]?.message).toMatch(reason);
  });

  it.each([
    ['rc\\Z', 'rc\\z'],
    ['^v{,2}1', '^v{0,2}1'],
    ['[(?=]x', '[(?=]x'], // inside a class, (?= is three characters
    ['a\\\\1', 'a\\\\1'], // an escaped backslash, then 1
  ])('rewrites %s as %s', (python, re2) => {
    const carried = pythonRegexToRe2(python);
    expect(carried).toMatchObject({ ok: true, source: re2 });
  });

  it.each([
    [{ method: 'keep_newest', value: 1 }, '/0/method', /number_of_tags or creation_date/],
    [{ method: 'number_of_tags', value: 0 }, '/0/value', /≥ 1/],
    [{ method: 'number_of_tags', value: '10' }, '/0/value', /whole number/],
    [{ method: 'creation_date', value: '3y' }, '/0/value', /s, m \(minutes\), h, d or w/],
    [{ method: 'creation_date', value: '0d' }, '/0/value', /positive age/],
    [
      { method: 'creation_date', value: '7d', tagPattern: 7 },
      '/0/tagPattern',
      /regular expression/,
    ],
    [
      { method: 'creation_date', value: '7d', tagPatternMatches: 'no' },
      '/0/tagPatternMatches',
      /true, false/,
    ],
  ])('rejects %j naming the field', (policy, pointer, message) => {
    const issues = issuesOf(() => importQuayPolicies([policy], { namespace: 'acme' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^${pointer}: `));
    expect(issues[0]).toMatch(message);
  });

  it('rejects what is no policy at all, and a bad scope', () => {
    expect(issuesOf(() => importQuayPolicies('x', { namespace: 'acme' }))[0]).toMatch(
      /autoprune policy/,
    );
    expect(issuesOf(() => importQuayPolicies([], { namespace: 'Acme!' }))[0]).toMatch(/scope/);
  });

  it('says that tagPatternMatches has no effect without tagPattern', () => {
    const { document, report } = importQuayPolicies(
      [{ method: 'number_of_tags', value: 4, tagPattern: null, tagPatternMatches: false }],
      { namespace: 'acme' },
    );
    expect(document.rules?.[0]?.select).toBeUndefined();
    expect(report).toContainEqual({
      path: '/0/tagPatternMatches',
      severity: 'exact',
      message: 'tagPatternMatches has no effect without tagPattern, in Quay as in Winnow',
    });
  });

  it('reports an unknown field as dropped', () => {
    const { report } = importQuayPolicies([{ method: 'number_of_tags', value: 1, owner: 'x' }], {
      namespace: 'acme',
    });
    expect(report).toContainEqual(
      expect.objectContaining({ path: '/0/owner', severity: 'dropped' }),
    );
  });
});

const rule = (
  template: string,
  params: Record<string, number>,
  tag = '**',
  repo = '**',
  extra: Record<string, unknown> = {},
) => ({
  disabled: false,
  action: 'retain',
  template,
  params,
  tag_selectors: [
    { kind: 'doublestar', decoration: 'matches', pattern: tag, extras: '{"untagged":false}' },
  ],
  scope_selectors: {
    repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: repo }],
  },
  ...extra,
});
const harbor = (...rules: unknown[]) => ({
  algorithm: 'or',
  rules,
  trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' } },
  scope: { level: 'project', ref: 1 },
});

describe('Harbor: the documented examples', () => {
  // https://goharbor.io/docs/2.12.0/working-with-projects/working-with-images/create-tag-retention-rules/
  // Example 1: repositories A to E; A has 100 images all pulled in the last week, B to E have 6
  // each, none pulled in the last month. Repositories **, tags **, "retain the 10 most recently
  // pulled": 34 retained, 90 deleted in A. Example 2: "pulled in the last 7 days": 100 retained.
  const project = ['a', 'b', 'c', 'd', 'e'].map((name) => {
    const count = name === 'a' ? 100 : 6;
    return repository(
      `library/${name}`,
      Array.from({ length: count }, (_, i) => ({
        name: `build-${i}`,
        digest: digestOf(`${name}-${i}`),
        pushedAt: ago(60 + i),
        lastPulledAt: name === 'a' ? ago(1 + (i % 6)) : ago(40 + i),
      })),
    );
  });
  const evaluate = (policy: unknown) => {
    const { document, report } = importHarborPolicy(policy, { namespace: 'library' });
    const result = evaluateInventory(
      { apiVersion: 'winnow/v1', kind: 'Inventory', repositories: project },
      compilePolicies([document]),
      { now: NOW },
    );
    const kept = result.decisions.filter((d) => d.decision === 'keep');
    return {
      report,
      kept: kept.length,
      keptIn: (r: string) => kept.filter((d) => d.repository === r).length,
    };
  };

  it('example 1: the 10 most recently pulled of each repository, 34 in all', () => {
    const { kept, keptIn, report } = evaluate(harbor(rule('latestPulledN', { latestPulledN: 10 })));
    expect(kept).toBe(34);
    expect(keptIn('library/a')).toBe(10);
    expect(report.find((e) => e.path === '/rules/0')?.severity).toBe('approximated');
  });

  it('example 2: pulled in the last 7 days, 100 retained', () => {
    const { kept, keptIn } = evaluate(
      harbor(rule('nDaysSinceLastPull', { nDaysSinceLastPull: 7 })),
    );
    expect(kept).toBe(100);
    expect(keptIn('library/b')).toBe(0);
  });
});

describe('Harbor: the shape of the document', () => {
  it('one anyOf keep rule, then a delete rule over the covered repositories', () => {
    const { document, report } = importHarborPolicy(
      harbor(
        rule('latestPushedK', { latestPushedK: 3 }, 'v*', 'web/**'),
        rule('nDaysSinceLastPush', { nDaysSinceLastPush: 7 }, '{latest,stable}', 'api'),
        rule('always', {}, '**', 'tools', { disabled: true }),
      ),
      { namespace: 'library' },
    );
    expect(policyIssues(document)).toEqual([]);
    expect(document.rules).toEqual([
      expect.objectContaining({
        name: 'harbor-retain',
        anyOf: [
          {
            select: { repositories: { glob: 'web/**' }, tags: { glob: 'v*' } },
            match: { newest: 3 },
          },
          {
            select: { repositories: { glob: 'api' }, tags: { glob: '{latest,stable}' } },
            match: { newerThan: '7d' },
          },
        ],
        then: 'keep',
      }),
      expect.objectContaining({
        name: 'harbor-delete-unretained',
        anyOf: [
          { select: { repositories: { glob: 'web/**' }, untagged: 'include' } },
          { select: { repositories: { glob: 'api' }, untagged: 'include' } },
        ],
        then: 'delete',
      }),
    ]);
    expect(report.map((e) => [e.path, e.severity])).toEqual([
      ['/rules/0', 'exact'],
      ['/rules/1', 'exact'],
      ['/rules/2', 'exact'],
      ['/trigger', 'dropped'],
    ]);
  });

  it('untagged extras: one branch for **, a separate untagged branch otherwise (approximated)', () => {
    const all = importHarborPolicy(
      harbor({
        ...rule('latestPushedK', { latestPushedK: 2 }),
        tag_selectors: [
          { kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '{"untagged":true}' },
        ],
      }),
      { namespace: 'library' },
    );
    expect(all.document.rules?.[0]).toMatchObject({
      select: { untagged: 'include' },
      match: { newest: 2 },
    });
    const some = importHarborPolicy(
      harbor({
        ...rule('latestPushedK', { latestPushedK: 2 }),
        tag_selectors: [
          {
            kind: 'doublestar',
            decoration: 'excludes',
            pattern: 'dev-*',
            extras: '{"untagged":true}',
          },
        ],
      }),
      { namespace: 'library' },
    );
    expect(some.document.rules?.[0]?.anyOf).toEqual([
      { select: { tags: { glob: 'dev-*', negate: true } }, match: { newest: 2 } },
      { select: { untagged: 'only' }, match: { newest: 2 } },
    ]);
    expect(some.report).toContainEqual(
      expect.objectContaining({
        path: '/rules/0/tag_selectors/0/extras',
        severity: 'approximated',
      }),
    );
  });

  it('reports an unknown rule field as dropped', () => {
    const { report } = importHarborPolicy(
      harbor(rule('always', {}, '**', '**', { labels: ['x'] })),
      {
        namespace: 'library',
      },
    );
    expect(report).toContainEqual(
      expect.objectContaining({ path: '/rules/0/labels', severity: 'dropped' }),
    );
  });

  it('every rule disabled: nothing is deleted', () => {
    const { document } = importHarborPolicy(
      harbor(rule('always', {}, '**', '**', { disabled: true })),
      { namespace: 'library' },
    );
    expect(document.rules).toEqual([]);
  });

  it.each([
    [{ algorithm: 'and', rules: [] }, '/algorithm', /"or"/],
    [harbor(rule('keepAll', {})), '/rules/0/template', /latestPushedK/],
    [harbor(rule('latestPushedK', {})), '/rules/0/params/latestPushedK', /whole number/],
    [
      harbor(rule('latestPushedK', { latestPushedK: 1.5 })),
      '/rules/0/params/latestPushedK',
      /whole number/,
    ],
    [
      harbor({
        ...rule('always', {}),
        tag_selectors: [{ kind: 'regex', decoration: 'matches', pattern: '.*' }],
      }),
      '/rules/0/tag_selectors/0/kind',
      /doublestar/,
    ],
    [
      harbor({
        ...rule('always', {}),
        tag_selectors: [{ kind: 'doublestar', decoration: 'withLabels', pattern: 'x' }],
      }),
      '/rules/0/tag_selectors/0/decoration',
      /matches or excludes/,
    ],
    [
      harbor({
        ...rule('always', {}),
        tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'a{b' }],
      }),
      '/rules/0/tag_selectors/0/pattern',
      /unclosed/,
    ],
    [
      harbor({
        ...rule('always', {}),
        tag_selectors: [
          { kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '{untagged' },
        ],
      }),
      '/rules/0/tag_selectors/0/extras',
      /JSON/,
    ],
    [
      harbor({ ...rule('always', {}), scope_selectors: {} }),
      '/rules/0/scope_selectors/repository',
      /exactly one selector/,
    ],
    [harbor({ ...rule('always', {}), action: 'delete' }), '/rules/0/action', /retain/],
  ])('rejects invalid input naming the field (%#)', (policy, pointer, message) => {
    const issues = issuesOf(() => importHarborPolicy(policy, { namespace: 'library' }));
    expect(issues[0]).toMatch(new RegExp(`^${pointer.replace(/[/]/g, '\\/')}: `));
    expect(issues[0]).toMatch(message);
  });
});
