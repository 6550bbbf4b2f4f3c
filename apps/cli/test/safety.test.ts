/**
 * The blast-radius guard (policy-language.md §4.7): with `--max-delete-ratio R`, a repository
 * where the run would delete more than R of its tags keeps everything, as stage `safety`.
 */
import {
  evaluateOk,
  inventory,
  namespacePolicy,
  NOW,
  type Report,
  repository,
  runCli,
  tag,
  TempDir,
} from './helpers';

const dir = new TempDir();
afterAll(() => {
  dir.remove();
});

const policy = dir.write(
  'newest.yaml',
  namespacePolicy(
    '  - name: keep-newest\n    match: { newest: 1 }\n    then: keep\n    else: delete\n',
  ),
);
// acme/app would lose 3 of 4 tags (75%), acme/lib 1 of 2 (50%: not more than half)
const inventoryFile = dir.writeJson(
  'inventory.json',
  inventory(
    repository('acme/app', [tag('a1', 1), tag('a2', 2), tag('a3', 3), tag('a4', 4)]),
    repository('acme/lib', [tag('l1', 1), tag('l2', 2)]),
  ),
);

const evaluate = (...extra: string[]): Report =>
  evaluateOk(['--policy', policy, '--inventory', inventoryFile, '--now', NOW, ...extra]).report;

const deleted = (report: Report): string[] =>
  report.decisions.filter((r) => r.decision === 'delete').map((r) => r.tag ?? r.digest);

it('is off unless asked for', () => {
  expect(deleted(evaluate())).toEqual(['a2', 'a3', 'a4', 'l2']);
});

describe('--max-delete-ratio 0.5', () => {
  let report: Report;
  beforeAll(() => {
    report = evaluate('--max-delete-ratio', '0.5');
  });

  it('keeps, as stage safety, what would be deleted in a repository losing more than half', () => {
    const app = report.decisions.filter((r) => r.repository === 'acme/app');
    expect(app.every((r) => r.decision === 'keep')).toBe(true);
    for (const name of ['a2', 'a3', 'a4']) {
      const record = app.find((r) => r.tag === name);
      expect(record).toMatchObject({ decision: 'keep', stage: 'safety' });
      expect(record?.reason).toMatch(/\S/);
    }
    expect(app.find((r) => r.tag === 'a1')).toMatchObject({ stage: 'rule', rule: 'keep-newest' });
  });

  it('still deletes in a repository that loses exactly half', () => {
    expect(deleted(report)).toEqual(['l2']);
    expect(report.summary).toEqual({ repositories: 2, tags: 6, keep: 5, delete: 1 });
  });
});

it('--max-delete-ratio 0 deletes nothing anywhere', () => {
  const report = evaluate('--max-delete-ratio', '0');
  expect(deleted(report)).toEqual([]);
  expect(report.decisions.filter((r) => r.stage === 'safety').map((r) => r.tag)).toEqual([
    'a2',
    'a3',
    'a4',
    'l2',
  ]);
});

it.each(['2', 'half'])('rejects --max-delete-ratio "%s" with exit 2', (value) => {
  const result = runCli([
    'evaluate',
    '--policy',
    policy,
    '--inventory',
    inventoryFile,
    '--now',
    NOW,
    '--max-delete-ratio',
    value,
  ]);
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain('--max-delete-ratio');
});
