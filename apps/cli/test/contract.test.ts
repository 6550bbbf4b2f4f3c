/**
 * The JSON contract of `winnow evaluate` (inventory-format.md, "CLI contract"; policy-language.md
 * §5): the shape and order of the report, its summary, and the sort order of decision records.
 */
import {
  compareCodePoints,
  daysAgo,
  digestOf,
  evaluateOk,
  inventory,
  namespacePolicy,
  NOW,
  NOW_ISO,
  RECORD_KEYS,
  type Report,
  repository,
  runCli,
  SUMMARY_KEYS,
  tag,
  TempDir,
} from './helpers';

const dir = new TempDir();
afterAll(() => {
  dir.remove();
});

// Untagged manifests, listed in the file in descending digest order.
const untagged = ['u-one', 'u-two', 'u-three', 'u-four']
  .map((seed) => digestOf(seed))
  .sort()
  .reverse();

// Repositories whose path order differs from (namespace, name) order and from file order:
// '-' (0x2d) < '.' (0x2e) < '/' (0x2f), so acme-x/* < acme.io/* < acme/*, and acme/web-api < acme/web/api.
const snapshot = inventory(
  repository('acme/web/api', [tag('v9', 3), tag('v10', 2)]),
  repository(
    'acme/web',
    [
      tag('a', 10),
      tag('v9', 9),
      tag('B', 8),
      tag('_c', 7),
      tag('10', 6),
      tag('Z', 5),
      tag('v10', 4),
      tag('9', 3),
      // a manifest that carries a tag is not untagged: it must not get a record of its own
      tag('tagged', 2, { digest: digestOf('tagged') }),
    ],
    [
      ...untagged.map((digest, i) => ({ digest, pushedAt: daysAgo(20 + i) })),
      { digest: digestOf('tagged'), pushedAt: daysAgo(2) },
    ],
  ),
  repository('acme/empty', []),
  repository('acme/web-api', [tag('latest', 1), tag('old', 400)]),
  repository('acme.io/a', [tag('x', 1)]),
  repository('acme-x/a', [tag('y', 1)]),
);

const policy = `apiVersion: winnow/v1
kind: RetentionPolicy
scope: { level: server }
rules:
  - name: delete-untagged
    select: { untagged: only }
    then: delete
  - name: delete-ancient
    match: { olderThan: 365d }
    then: delete
  - name: keep-v
    select: { tags: { glob: 'v*' } }
    then: keep
`;

const policyFile = dir.write('policy.yaml', policy);
const inventoryFile = dir.writeJson('inventory.json', snapshot);

describe('winnow evaluate --format json', () => {
  let stdout = '';
  let stderr = '';
  let report: Report;

  beforeAll(() => {
    const run = evaluateOk(['--policy', policyFile, '--inventory', inventoryFile, '--now', NOW]);
    ({ stdout, stderr } = run.result);
    report = run.report;
  });

  it('prints exactly one JSON document, ending in a newline, and nothing on stderr', () => {
    expect(stdout.endsWith('}\n')).toBe(true);
    expect(stdout.endsWith('\n\n')).toBe(false);
    expect(() => JSON.parse(stdout) as unknown).not.toThrow();
    expect(stderr).toBe('');
  });

  it('has exactly the keys now, summary, decisions, in that order', () => {
    expect(Object.keys(report)).toEqual(['now', 'summary', 'decisions']);
    expect(Object.keys(report.summary)).toEqual([...SUMMARY_KEYS]);
  });

  it('echoes --now normalized to ISO 8601 with milliseconds', () => {
    expect(report.now).toBe(NOW_ISO);
  });

  it('gives every record exactly the nine fields of §5, in order', () => {
    expect(report.decisions.length).toBeGreaterThan(0);
    for (const record of report.decisions) expect(Object.keys(record)).toEqual([...RECORD_KEYS]);
  });

  it('counts repositories in the inventory, tags among records, and keep + delete = records', () => {
    const { summary, decisions } = report;
    expect(summary.repositories).toBe(snapshot.repositories.length); // the empty one counts
    const tagCount = snapshot.repositories.reduce((n, r) => n + r.tags.length, 0);
    expect(summary.tags).toBe(tagCount);
    expect(summary.tags).toBe(decisions.filter((r) => r.tag !== null).length);
    expect(summary.keep).toBe(decisions.filter((r) => r.decision === 'keep').length);
    expect(summary.delete).toBe(decisions.filter((r) => r.decision === 'delete').length);
    expect(summary.keep + summary.delete).toBe(decisions.length);
    // one record per tag and per selected untagged manifest, no more
    expect(decisions.length).toBe(tagCount + untagged.length);
  });

  it('sorts repositories by path in code-point order', () => {
    const order = [...new Set(report.decisions.map((r) => r.repository))];
    expect(order).toEqual(['acme-x/a', 'acme.io/a', 'acme/web', 'acme/web-api', 'acme/web/api']);
  });

  it('sorts tags by name in code-point order, untagged manifests last by digest', () => {
    const web = report.decisions.filter((r) => r.repository === 'acme/web');
    expect(web.map((r) => r.tag)).toEqual([
      '10',
      '9',
      'B',
      'Z',
      '_c',
      'a',
      'tagged',
      'v10',
      'v9',
      null,
      null,
      null,
      null,
    ]);
    const untaggedRecords = web.filter((r) => r.tag === null);
    expect(untaggedRecords.map((r) => r.digest)).toEqual([...untagged].sort(compareCodePoints));
    expect(
      untaggedRecords.every((r) => r.decision === 'delete' && r.rule === 'delete-untagged'),
    ).toBe(true);
    expect(report.decisions.filter((r) => r.digest === digestOf('tagged'))).toHaveLength(1);
    expect(report.decisions.map((r) => r.tag)).toContain('tagged');
  });

  it('fills the record fields: the deciding rule and policy, or null where no rule decided', () => {
    const old = report.decisions.find((r) => r.repository === 'acme/web-api' && r.tag === 'old');
    expect(old).toEqual({
      repository: 'acme/web-api',
      tag: 'old',
      digest: digestOf('old'),
      decision: 'delete',
      stage: 'rule',
      scope: 'server',
      policy: 'server',
      rule: 'delete-ancient',
      reason: expect.stringMatching(/\S/) as unknown,
    });
    const x = report.decisions.find((r) => r.repository === 'acme.io/a' && r.tag === 'x');
    expect(x).toMatchObject({ decision: 'keep', stage: 'default', scope: null, policy: null });
    expect(x?.rule).toBeNull();
  });
});

describe('--now', () => {
  it('defaults to the current time', () => {
    const before = Date.now();
    const { report } = evaluateOk(['--policy', policyFile, '--inventory', inventoryFile]);
    const after = Date.now();
    expect(report.now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const now = Date.parse(report.now);
    expect(now).toBeGreaterThanOrEqual(before - 1000);
    expect(now).toBeLessThanOrEqual(after + 1000);
  });

  it('accepts an offset and prints the same instant in UTC', () => {
    const { report } = evaluateOk([
      '--policy',
      policyFile,
      '--inventory',
      inventoryFile,
      '--now',
      '2026-11-01T02:00:00+02:00',
    ]);
    expect(report.now).toBe(NOW_ISO);
  });

  it.each([
    'yesterday',
    '2026-02-30T00:00:00Z', // no such day: must not roll over to March 2
    '2026-11-01T24:00:00Z', // nor to the next day
  ])('rejects --now %s with exit 2 and a message', (value) => {
    const result = runCli([
      'evaluate',
      '--policy',
      policyFile,
      '--inventory',
      inventoryFile,
      '--now',
      value,
    ]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--now');
    expect(result.stderr).toContain(`"${value}"`);
  });
});

describe('edge cases of the report', () => {
  it('prints an empty report for an inventory without repositories', () => {
    const file = dir.writeJson('empty.json', inventory());
    const { result } = evaluateOk(['--policy', policyFile, '--inventory', file, '--now', NOW]);
    expect(JSON.parse(result.stdout)).toEqual({
      now: NOW_ISO,
      summary: { repositories: 0, tags: 0, keep: 0, delete: 0 },
      decisions: [],
    });
  });

  it('writes a large report completely (several pipe buffers)', () => {
    const tags = Array.from({ length: 3000 }, (_, i) => tag(`build-${i}`, i % 700));
    const file = dir.writeJson('large.json', inventory(repository('acme/big', tags)));
    const small = dir.write(
      'newest.yaml',
      namespacePolicy(
        '  - name: keep-100\n    match: { newest: 100 }\n    then: keep\n    else: delete\n',
      ),
    );
    const { result, report } = evaluateOk(['--policy', small, '--inventory', file, '--now', NOW]);
    expect(result.stdout.length).toBeGreaterThan(512 * 1024);
    expect(report.decisions).toHaveLength(3000);
    expect(report.summary).toEqual({ repositories: 1, tags: 3000, keep: 100, delete: 2900 });
    const names = report.decisions.map((r) => r.tag ?? '');
    expect(names).toEqual([...names].sort(compareCodePoints));
  });
});
