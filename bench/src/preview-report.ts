import { type MachineFacts, writeReport } from './report';

export interface Latency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

export interface DatabasePreview {
  readonly importMs: number;
  readonly preview: Latency;
  /** Preview latency / the engine's, at p50 and at p99 (1 = no cost beyond the evaluation). */
  readonly ratioP50: number;
  readonly ratioP99: number;
  readonly targetMet: boolean;
}

export interface PreviewResult {
  readonly date: string;
  readonly machine: MachineFacts;
  readonly workload: Readonly<Record<string, number>>;
  /** The baseline: the engine evaluating the repository in memory, in the bench's process. */
  readonly engine: Latency;
  readonly databases: Record<string, DatabasePreview>;
  readonly targetP99Ms: number;
}

const ms = (value: number): string => value.toFixed(1);

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((row) => row.map((cell, c) => cell.padStart(widths[c] ?? 0)).join('  '))
    .join('\n');
}

/** The compact human summary printed at the end of a run. */
export function formatPreview(result: PreviewResult): string {
  const header = ['run', 'p50 ms', 'p99 ms', 'max ms', 'mean ms', 'x engine p50', 'x engine p99'];
  const { engine } = result;
  const rows = [
    ['engine (in memory)', ms(engine.p50Ms), ms(engine.p99Ms), ms(engine.maxMs), ms(engine.meanMs)],
    ...Object.entries(result.databases).map(([name, d]) => [
      `preview on ${name}`,
      ms(d.preview.p50Ms),
      ms(d.preview.p99Ms),
      ms(d.preview.maxMs),
      ms(d.preview.meanMs),
      d.ratioP50.toFixed(2),
      d.ratioP99.toFixed(2),
    ]),
  ];
  const verdicts = Object.entries(result.databases).map(
    ([name, d]) =>
      `target p99 ≤ ${result.targetP99Ms} ms on ${name}: ${ms(d.preview.p99Ms)} ms — ${d.targetMet ? 'met' : 'MISSED'}`,
  );
  return [table([header, ...rows]), '', ...verdicts].join('\n');
}

export function writePreview(result: PreviewResult, file: string): void {
  writeReport(file, result);
}
