import type { EvaluationReport, TagDecision } from '@winnow/engine';
import { truncate } from './columns';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Long names (cosign `sha256-<64 hex>.sig` tags) are shortened in the middle. */
const shorten = (name: string): string =>
  name.length <= 40 ? name : `${name.slice(0, 28)}…${name.slice(-8)}`;

function ruleOf(record: TagDecision): string {
  if (record.rule === null) return '-';
  return `${record.policy ?? ''}:${record.rule}`;
}

/**
 * The decision table for people: per repository, each tag with its decision, stage, rule and
 * reason. With `maxWidth` (a terminal's), a row is cut there (its reason ends in `…`).
 */
export function* renderTable(report: EvaluationReport, maxWidth?: number): Generator<string> {
  const byRepository = new Map<string, TagDecision[]>();
  for (const record of report.decisions) {
    const list = byRepository.get(record.repository);
    if (list) list.push(record);
    else byRepository.set(record.repository, [record]);
  }
  yield `Evaluated at ${report.now}\n`;
  for (const [repository, records] of byRepository) {
    const kept = records.filter((r) => r.decision === 'keep').length;
    yield `\n${repository}  (${plural(records.length, 'record')}: ${kept} keep, ${records.length - kept} delete)\n`;
    const rows = records.map((r) => [
      r.decision.toUpperCase(),
      shorten(r.tag ?? r.digest),
      r.stage,
      ruleOf(r),
      r.reason,
    ]);
    const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
    for (const row of rows) {
      const line = `  ${row.map((cell, c) => (c < 4 ? cell.padEnd(widths[c] ?? 0) : cell)).join('  ')}`;
      yield `${maxWidth === undefined ? line : truncate(line, maxWidth)}\n`;
    }
  }
  const s = report.summary;
  yield `\nSummary: ${plural(s.repositories, 'repository').replace('repositorys', 'repositories')}, ${plural(s.tags, 'tag')}; ${s.keep} keep, ${s.delete} delete\n`;
}
