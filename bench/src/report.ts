import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { Timing } from './measure';
import type { VariantName } from './variants';
import type { Agreement } from './verify';

export interface VariantResult extends Timing {
  readonly decisions: number;
  readonly decisionsPerSecondBest: number;
  readonly decisionsPerSecondMedian: number;
  /** Throughput relative to the plain loop: plain time / this variant's time (1 for the plain loop). */
  readonly ratioToPlainBest: number;
  readonly ratioToPlainMedian: number;
  /**
   * Median over rounds of the plain loop's time in that round / this variant's time in that
   * round; null for a variant not run in the same rounds. On a shared machine this pairing
   * cancels load that comes and goes between rounds.
   */
  readonly ratioToPlainPerRound: number | null;
}

export interface Target {
  readonly target: number;
  readonly measured: number;
  readonly met: boolean;
}

export interface BenchResult {
  readonly date: string;
  readonly machine: MachineFacts;
  readonly workload: Readonly<Record<string, unknown>>;
  readonly setup: Readonly<Record<string, number>>;
  readonly verification: Agreement;
  readonly variants: Readonly<Record<VariantName, VariantResult>>;
  readonly memory: Readonly<Record<string, number | boolean>>;
  /** Judged on the engine's streaming variant, median of the rounds. */
  readonly targets: { readonly decisionsPerSecond: Target; readonly ratioToPlain: Target };
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);
const millions = (perSecond: number): string => `${fixed(perSecond / 1e6, 2)} M/s`;

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((row) => row.map((cell, c) => cell.padStart(widths[c] ?? 0)).join('  '))
    .join('\n');
}

/** The compact human summary printed at the end of a run. */
export function formatResult(result: BenchResult): string {
  const header = [
    'variant',
    'best ms',
    'median ms',
    'best',
    'median',
    'ratio best',
    'ratio median',
    'ratio per round',
  ];
  const rows = Object.entries(result.variants).map(([name, v]) => [
    name,
    fixed(v.bestMs, 0),
    fixed(v.medianMs, 0),
    millions(v.decisionsPerSecondBest),
    millions(v.decisionsPerSecondMedian),
    fixed(v.ratioToPlainBest, 2),
    fixed(v.ratioToPlainMedian, 2),
    v.ratioToPlainPerRound === null ? '-' : fixed(v.ratioToPlainPerRound, 2),
  ]);
  const { decisionsPerSecond: speed, ratioToPlain: ratio } = result.targets;
  const verdict = (t: Target): string => (t.met ? 'met' : 'MISSED');
  const memory = Object.entries(result.memory)
    .map(
      ([key, value]) => `  ${key}: ${typeof value === 'number' ? fixed(value, 1) : String(value)}`,
    )
    .join('\n');
  return [
    table([header, ...rows]),
    '',
    'memory (MiB):',
    memory,
    '',
    `target ≥ ${millions(speed.target)}: ${millions(speed.measured)} — ${verdict(speed)}`,
    `target ≥ ${fixed(ratio.target, 2)} × plain loop: ${fixed(ratio.measured, 2)} — ${verdict(ratio)}`,
  ].join('\n');
}

export function writeResult(result: BenchResult, file: string): void {
  writeReport(file, result);
}

/** Each fact a report may record of the machine it ran on, under the name reports give it. */
const MACHINE_FACTS = {
  cpus: () => cpus().length,
  cpuModel: () => cpus()[0]?.model ?? 'unknown',
  cpu: () => cpus()[0]?.model.trim(),
  totalMemoryGiB: () => Math.round(totalmem() / 2 ** 30),
  memoryMiB: () => Math.round(totalmem() / 2 ** 20),
  node: () => process.version,
  platform: () => `${process.platform}-${process.arch}`,
  flags: () => process.execArgv.join(' '),
} satisfies Record<string, () => string | number | undefined>;

export type MachineFact = keyof typeof MACHINE_FACTS;
export type MachineFacts = Readonly<Partial<Record<MachineFact, string | number>>>;

/**
 * The machine's `facts`, in that order (each report keeps the facts it has always recorded, so
 * its results stay comparable with older ones); a fact this machine cannot tell is left out.
 */
export function machineFacts(facts: readonly MachineFact[]): MachineFacts {
  const found: Partial<Record<MachineFact, string | number>> = {};
  for (const fact of facts) {
    const value = MACHINE_FACTS[fact]();
    if (value !== undefined) found[fact] = value;
  }
  return found;
}

/**
 * Writes a benchmark's results to `file` (its directory created) as indented JSON, with a final
 * newline unless `finalNewline` is false (reports written without one stay so).
 */
export function writeReport(file: string, report: unknown, { finalNewline = true } = {}): void {
  mkdirSync(dirname(file), { recursive: true });
  const text = JSON.stringify(report, null, 2);
  writeFileSync(file, finalNewline ? `${text}\n` : text);
}
