/**
 * `winnow import-policy quay|harbor FILE`, run as a user runs it: the vendors' documented
 * examples (test/fixtures/import/README.md names the sources) give the reviewed documents in
 * `*.golden.yaml`; the report goes to stderr; --strict, --format json, stdin and the errors.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CLI, NOW, REPO_ROOT, runCli, stderrLines, TempDir } from './helpers';

const FIXTURES = 'apps/cli/test/fixtures/import';
const fixture = (name: string): string => `${FIXTURES}/${name}`;
const golden = (name: string): string =>
  fs.readFileSync(path.join(REPO_ROOT, FIXTURES, `${name}.golden.yaml`), 'utf8');

const dir = new TempDir();
afterAll(() => {
  dir.remove();
});

const CASES = [
  ['quay-user', ['quay', fixture('quay-user.json'), '--namespace', 'acme']],
  [
    'quay-repository',
    ['quay', fixture('quay-repository.json'), '--namespace', 'acme', '--repository', 'app'],
  ],
  ['harbor-example-1', ['harbor', fixture('harbor-example-1.json'), '--namespace', 'library']],
  ['harbor-rules', ['harbor', fixture('harbor-rules.json'), '--namespace', 'library']],
] as const;

describe('the documented examples give the reviewed documents', () => {
  it.each(CASES)('%s', (name, args) => {
    const result = runCli(['import-policy', ...args]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(golden(name));
    const lines = stderrLines(result);
    expect(lines[0]).toMatch(/^SEVERITY\s+SOURCE\s+WHAT BECAME OF IT$/);
    expect(lines.at(-1)).toMatch(/^\d+ exact, \d+ approximated, \d+ dropped$/);
  });

  it.each(CASES)('%s: --format json is the same document', (name, args) => {
    const result = runCli(['import-policy', ...args, '--format', 'json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(parse(golden(name)));
  });

  it('the imported documents validate and evaluate', () => {
    const files = CASES.map(([name]) => dir.write(`${name}.yaml`, golden(name)));
    for (const file of files) {
      const validate = runCli(['validate', file]);
      expect(validate.stderr).toBe('1 policy document valid\n');
      expect(validate.status).toBe(0);
    }
    const evaluate = runCli([
      'evaluate',
      '--policy',
      files[0] ?? '',
      '--inventory',
      'examples/quay/inventory.json',
      '--now',
      NOW,
    ]);
    expect(evaluate.status).toBe(0);
    const report = JSON.parse(evaluate.stdout) as {
      decisions: { rule: string | null; decision: string }[];
    };
    // 31 tags per repository, one immutable: 10 kept by count, 20 deleted, in each of two.
    expect(
      report.decisions.filter((d) => d.rule === 'quay-1-number-of-tags' && d.decision === 'delete'),
    ).toHaveLength(40);
  });
});

describe('the report and --strict', () => {
  it('lists what is approximated and dropped, and --strict exits 1 printing no document', () => {
    const args = [
      'import-policy',
      'harbor',
      fixture('harbor-example-1.json'),
      '--namespace',
      'library',
    ];
    const loose = runCli(args);
    expect(loose.status).toBe(0);
    expect(loose.stderr).toMatch(/^APPROXIMATED\s+\/rules\/0\s+latestPulledN 10/m);
    expect(loose.stderr).toMatch(/^DROPPED\s+\/trigger\s+/m);
    expect(loose.stderr).toMatch(/^0 exact, 1 approximated, 1 dropped$/m);
    const strict = runCli([...args, '--strict']);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(/--strict: not everything was carried over exactly/);
  });

  it('--strict passes when everything is exact', () => {
    const result = runCli([
      'import-policy',
      'quay',
      fixture('quay-repository.json'),
      '--namespace',
      'acme',
      '--strict',
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('kind: RetentionPolicy');
  });

  it('reads stdin for -', () => {
    const result = spawnSync(
      process.execPath,
      [CLI, 'import-policy', 'quay', '-', '--namespace', 'acme'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        input: '[{"method": "creation_date", "value": "30d"}]',
        timeout: 30_000,
      },
    );
    expect(result.status).toBe(0);
    expect(parse(result.stdout)).toMatchObject({
      rules: [{ match: { olderThan: '30d' }, then: 'delete' }],
    });
  });
});

describe('invalid input exits 2 and names the file and field', () => {
  it.each([
    ['malformed JSON', 'quay', '{"policies": [', /bad\.json: \(document\): expected JSON/],
    [
      'an unknown method',
      'quay',
      '[{"method": "by_size", "value": 1}]',
      /bad\.json: \/0\/method: expected number_of_tags or creation_date, got "by_size"/,
    ],
    [
      'a bad value',
      'quay',
      '{"policies": [{"method": "creation_date", "value": "1y"}]}',
      /bad\.json: \/policies\/0\/value: expected a positive age/,
    ],
    [
      'an unknown template',
      'harbor',
      '{"algorithm": "or", "rules": [{"template": "latestK", "params": {}}]}',
      /bad\.json: \/rules\/0\/template: expected one of/,
    ],
  ])('%s', (_what, vendor, text, message) => {
    const file = dir.write('bad.json', text);
    const result = runCli(['import-policy', vendor, file, '--namespace', 'acme']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ['no vendor', [], /expected quay or harbor/],
    ['an unknown vendor', ['ecr', 'x.json'], /expected quay or harbor, got "ecr"/],
    ['no file', ['quay'], /FILE is required/],
    ['no --namespace', ['quay', fixture('quay-user.json')], /--namespace NS is required/],
    [
      'a bad --format',
      ['quay', fixture('quay-user.json'), '--namespace', 'a', '--format', 'toml'],
      /--format: expected yaml or json/,
    ],
    [
      '--repository for harbor',
      ['harbor', fixture('harbor-rules.json'), '--namespace', 'a', '--repository', 'b'],
      /--repository is not supported/,
    ],
  ])('a usage mistake: %s', (_what, args, message) => {
    const result = runCli(['import-policy', ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Usage:');
  });

  it('a missing file exits 1', () => {
    const result = runCli(['import-policy', 'quay', 'no/such.json', '--namespace', 'acme']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot read no\/such\.json: no such file/);
  });
});

it('--help shows the usage with examples', () => {
  const result = runCli(['import-policy', '--help']);
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^Usage: winnow import-policy quay FILE/);
  expect(result.stdout).toContain('Examples:');
  expect(runCli(['help']).stdout).toMatch(/^ {2}import-policy +convert a Quay or Harbor /m);
});
