/**
 * `winnow evaluate --format table`: the report for people. It must show the same decisions as the
 * JSON report: each repository, a KEEP/DELETE row per record with its stage and reason, a summary.
 */
import { type CliResult, evaluateExample, NOW, NOW_ISO, type Report, runCli } from './helpers';

const POLICY = 'examples/quay/policy.yaml';
const INVENTORY = 'examples/quay/inventory.json';

describe('winnow evaluate --format table', () => {
  let table: CliResult;
  let report: Report;
  let lines: string[];

  beforeAll(() => {
    table = runCli([
      'evaluate',
      '--policy',
      POLICY,
      '--inventory',
      INVENTORY,
      '--now',
      NOW,
      '--format',
      'table',
    ]);
    lines = table.stdout.split('\n');
    report = evaluateExample(POLICY, INVENTORY).report;
  });

  it('exits 0 and says when it evaluated', () => {
    expect(table.status).toBe(0);
    expect(table.stderr).toBe('');
    expect(table.stdout).toContain(NOW_ISO);
  });

  it('names each repository of the report', () => {
    const repositories = [...new Set(report.decisions.map((r) => r.repository))];
    expect(repositories).toEqual(['acme/frontend', 'acme/worker']);
    for (const repository of repositories) {
      expect(lines.some((line) => line.startsWith(repository))).toBe(true);
    }
  });

  it('prints one row per record with the decision, tag, stage and reason', () => {
    const rows = lines.filter((line) => /^\s+(KEEP|DELETE)\s/.test(line));
    expect(rows).toHaveLength(report.decisions.length);
    expect(rows.some((row) => row.trimStart().startsWith('KEEP'))).toBe(true);
    expect(rows.some((row) => row.trimStart().startsWith('DELETE'))).toBe(true);
    // rows follow the report's order, so row i shows record i
    report.decisions.forEach((record, i) => {
      const row = rows[i] ?? '';
      const cells = row.trim().split(/\s{2,}/);
      expect(cells[0]).toBe(record.decision.toUpperCase());
      expect(cells[1]).toBe(record.tag);
      expect(cells[2]).toBe(record.stage);
      expect(row.endsWith(record.reason)).toBe(true);
    });
  });

  it('shows the stable tags as kept by stage immutable', () => {
    const stable = lines.filter((line) => /\sstable\s/.test(line));
    expect(stable).toHaveLength(2);
    for (const row of stable) expect(row).toMatch(/^\s+KEEP\s+stable\s+immutable\s/);
  });

  it('ends with a Summary line whose counts match the JSON report', () => {
    const { repositories, tags, keep, delete: deleted } = report.summary;
    const summary = lines.filter((line) => line.startsWith('Summary:'));
    expect(summary).toEqual([
      `Summary: ${repositories} repositories, ${tags} tags; ${keep} keep, ${deleted} delete`,
    ]);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toBe(summary[0]);
  });

  it('rejects an unknown format with exit 2', () => {
    const result = runCli([
      'evaluate',
      '--policy',
      POLICY,
      '--inventory',
      INVENTORY,
      '--now',
      NOW,
      '--format',
      'xml',
    ]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--format');
    expect(result.stderr).toContain('xml');
  });
});
