import {
  ago,
  decisionsByTag,
  evaluate,
  inventory,
  recordOf,
  repository,
  repositoryPolicy,
  shuffled,
  tag,
} from './fixtures';
import type { InventoryTag } from '../src';

/** Tags kept/deleted by a single `then: keep, else: delete` rule with `match`. */
function run(
  match: string,
  tags: readonly InventoryTag[],
  seed = 1,
  select = '',
): Record<string, string> {
  const policy = repositoryPolicy(`  - name: under-test
${select ? `    select: ${select}\n` : ''}    match: ${match}
    then: keep
    else: delete
`);
  return decisionsByTag(evaluate(policy, inventory(repository('acme/app', shuffled(tags, seed)))));
}

const kept = (byTag: Record<string, string>): string[] =>
  Object.entries(byTag)
    .filter(([, d]) => d === 'keep')
    .map(([t]) => t)
    .sort();

describe.each([1, 7, 42])('conditions (input shuffled with seed %i)', (seed) => {
  const tags = [tag('a', 1), tag('b', 2), tag('c', 3), tag('d', 10), tag('e', 40)];

  it('newest: N keeps the N most recent by push time', () => {
    expect(kept(run('{ newest: 2 }', tags, seed))).toEqual(['a', 'b']);
  });

  it('newest breaks push-time ties by pull time, then by name (a counts as newer than b)', () => {
    const tied = [
      tag('x', 5, { lastPulledAt: ago(1) }),
      tag('b', 5),
      tag('a', 5),
      tag('c', 5, { lastPulledAt: ago(6) }), // pulled before it was pushed: counts the earlier time
    ];
    expect(kept(run('{ newest: 1 }', tied, seed))).toEqual(['x']);
    expect(kept(run('{ newest: 2 }', tied, seed))).toEqual(['a', 'x']);
    expect(kept(run('{ newest: 3 }', tied, seed))).toEqual(['a', 'b', 'x']);
  });

  it('olderThan is strict and newerThan is inclusive at the boundary', () => {
    const edge = [tag('exactly-10d', 10), tag('older', 10.0001), tag('newer', 9.9999)];
    expect(kept(run('{ olderThan: 10d }', edge, seed))).toEqual(['older']);
    expect(kept(run('{ newerThan: 10d }', edge, seed))).toEqual(['exactly-10d', 'newer']);
  });

  it('ages accept every unit; m is minutes and y is 365 days', () => {
    const t = [
      tag('two-hours', 2 / 24),
      tag('ninety-minutes', 1.5 / 24),
      tag('year-and-day', 366),
      tag('364-days', 364),
    ];
    expect(kept(run('{ olderThan: 100m }', t, seed))).toEqual([
      '364-days',
      'two-hours',
      'year-and-day',
    ]);
    expect(kept(run('{ olderThan: 1y }', t, seed))).toEqual(['year-and-day']);
    // 364 days is exactly 52 weeks: not strictly older.
    expect(kept(run('{ olderThan: 52w }', t, seed))).toEqual(['year-and-day']);
    expect(kept(run('{ olderThan: 51w }', t, seed))).toEqual(['364-days', 'year-and-day']);
    expect(kept(run('{ newerThan: 7200s }', t, seed))).toEqual(['ninety-minutes', 'two-hours']);
    expect(kept(run('{ newerThan: 2h }', t, seed))).toEqual(['ninety-minutes', 'two-hours']);
  });

  it('pulled and active count a never-pulled tag by its push time (a fresh image is not old)', () => {
    const t = [
      tag('fresh-never-pulled', 1),
      tag('old-never-pulled', 50),
      tag('old-pulled-recently', 50, { lastPulledAt: ago(2) }),
      tag('old-pulled-long-ago', 50, { lastPulledAt: ago(45) }),
    ];
    expect(kept(run('{ newerThan: 7d, by: pulled }', t, seed))).toEqual([
      'fresh-never-pulled',
      'old-pulled-recently',
    ]);
    expect(kept(run('{ newerThan: 7d, by: active }', t, seed))).toEqual([
      'fresh-never-pulled',
      'old-pulled-recently',
    ]);
    expect(kept(run('{ newest: 2, by: pulled }', t, seed))).toEqual([
      'fresh-never-pulled',
      'old-pulled-recently',
    ]);
  });

  it('by: natural orders names numerically', () => {
    const t = [tag('build-9', 1), tag('build-10', 30), tag('build-100', 60), tag('build-11', 2)];
    expect(kept(run('{ newest: 2, by: natural }', t, seed))).toEqual(['build-100', 'build-11']);
  });

  it('by: semver orders by version; tags that are no version come last', () => {
    const t = [
      tag('v1.10.0', 30),
      tag('v1.9.0', 1),
      tag('2.0.0-rc.1', 2),
      tag('latest', 0),
      tag('v1.10.0-beta', 3),
    ];
    expect(kept(run('{ newest: 2, by: semver }', t, seed))).toEqual(['2.0.0-rc.1', 'v1.10.0']);
    expect(kept(run('{ newest: 5, by: semver }', t, seed))).toContain('latest');
  });

  it('perGroup keeps the N newest per capture-group value; non-matching tags are non-hits', () => {
    const t = [
      tag('main-1', 1),
      tag('main-2', 2),
      tag('main-3', 3),
      tag('dev-1', 5),
      tag('dev-2', 6),
      tag('dev-3', 4),
      tag('release', 0),
    ];
    expect(kept(run("{ perGroup: { regex: '^([a-z]+)-[0-9]+$', newest: 2 } }", t, seed))).toEqual([
      'dev-1',
      'dev-3',
      'main-1',
      'main-2',
    ]);
  });

  it('perGroup puts tags whose capture group did not take part in the group ""', () => {
    const t = [tag('main-1', 1), tag('main-2', 2), tag('dev-1', 3), tag('dev-2', 4)];
    // `dev-*` match without group 1: they share the group "" and only the newest of them is a hit.
    expect(kept(run("{ perGroup: { regex: '^(?:(main)|dev)-', newest: 1 } }", t, seed))).toEqual([
      'dev-1',
      'main-1',
    ]);
  });

  it('semver newestPerMajor and newestPerMinor keep the N highest versions per line', () => {
    const t = [
      tag('v1.0.0', 9),
      tag('v1.1.0', 8),
      tag('v1.1.1', 7),
      tag('v2.0.0', 6),
      tag('v2.1.0', 5),
      tag('v2.1.1', 4),
      tag('v3.0.0-rc.1', 3),
      tag('nightly', 1),
      tag('1.1', 1),
    ];
    expect(kept(run('{ semver: { newestPerMajor: 1 } }', t, seed))).toEqual([
      'v1.1.1',
      'v2.1.1',
      'v3.0.0-rc.1',
    ]);
    expect(kept(run('{ semver: { newestPerMinor: 1 } }', t, seed))).toEqual([
      'v1.0.0',
      'v1.1.1',
      'v2.0.0',
      'v2.1.1',
      'v3.0.0-rc.1',
    ]);
    // by: pushed within each major: the most recently pushed
    expect(kept(run('{ semver: { newestPerMajor: 1 }, by: pushed }', t, seed))).toEqual([
      'v1.1.1',
      'v2.1.1',
      'v3.0.0-rc.1',
    ]);
  });

  it('semver range uses node-semver syntax and excludes prereleases', () => {
    const t = [
      tag('v1.1.0', 5),
      tag('v1.2.0', 4),
      tag('1.9.9', 3),
      tag('v2.0.0', 2),
      tag('v1.5.0-rc.1', 1),
      tag('main', 1),
    ];
    expect(kept(run("{ semver: { range: '>=1.2 <2' } }", t, seed))).toEqual(['1.9.9', 'v1.2.0']);
  });

  it('labels condition: all, any and none', () => {
    const t = [
      tag('p', 1, { labels: ['prod'] }),
      tag('pw', 1, { labels: ['prod', 'wip'] }),
      tag('s', 1, { labels: ['staging'] }),
      tag('n', 1),
    ];
    expect(kept(run('{ labels: { all: [prod], none: [wip] } }', t, seed))).toEqual(['p']);
    expect(kept(run('{ labels: { any: [prod, staging] } }', t, seed))).toEqual(['p', 'pw', 's']);
  });

  it('a rule without match makes every selected tag a hit', () => {
    const byTag = run('{ newest: 100 }', tags, seed, "{ tags: { glob: '[ab]' } }");
    expect(byTag).toMatchObject({ a: 'keep', b: 'keep', c: 'keep' });
  });
});

describe('reasons', () => {
  it('say what the condition found, for a person', () => {
    const tags = [tag('a', 1), tag('old', 41.5)];
    const report = evaluate(
      repositoryPolicy(`  - name: expire
    match: { olderThan: 30d }
    then: delete
`),
      inventory(repository('acme/app', tags)),
    );
    expect(recordOf(report, 'old')).toMatchObject({
      decision: 'delete',
      stage: 'rule',
      scope: 'repository',
      policy: 'acme/app',
      rule: 'expire',
      reason: 'older than 30d by pushed (age 41d 12h)',
    });
    expect(recordOf(report, 'a')).toMatchObject({
      decision: 'keep',
      stage: 'default',
      scope: null,
      policy: null,
      rule: null,
    });
  });

  it('newest gives the rank', () => {
    const report = evaluate(
      repositoryPolicy(`  - name: keep-two
    match: { newest: 2 }
    then: keep
    else: delete
`),
      inventory(repository('acme/app', [tag('a', 1), tag('b', 2), tag('c', 3)])),
    );
    expect(recordOf(report, 'b').reason).toBe('one of the 2 newest by pushed (#2)');
    expect(recordOf(report, 'c').reason).toBe('not one of the 2 newest by pushed (#3)');
  });
});
