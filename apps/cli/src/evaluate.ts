import { parseArgs } from 'node:util';
import {
  compilePolicies,
  evaluateInventory,
  type EvaluationReport,
  loadPolicyTexts,
  parseInventory,
  parseTime,
  WinnowValidationError,
} from '@winnow/engine';
import { tableWidth } from './columns';
import { type Command, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { readText } from './files';
import { OutputWriter } from './output';
import { renderTable } from './table';

const USAGE = `Usage: winnow evaluate --policy FILE [--policy FILE ...] --inventory FILE
                       [--now 2026-01-01T00:00:00Z] [--format json|table]
                       [--max-delete-ratio 0.9]

Evaluates the policies of every --policy file against an inventory snapshot, offline, and prints
every decision: JSON (the default) or a table per repository. The same inputs and --now always
print the same bytes. --max-delete-ratio R turns on the blast-radius guard: nothing is deleted in
a repository where more than R of its tags would be.

Examples:
  winnow evaluate --policy examples/ci/policy.yaml --inventory examples/ci/inventory.json \\
                  --now 2026-11-01T00:00:00Z --format table
  winnow evaluate --policy server.yaml --policy acme.yaml --inventory export.json | jq .summary
`;

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const ms = parseTime(value);
  if (Number.isNaN(ms))
    throw new UsageError(
      `--now: expected an RFC 3339 time such as 2026-01-01T00:00:00Z, got "${value}"`,
    );
  return new Date(ms);
}

function parseRatio(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ratio = Number(value);
  if (value.trim() === '' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new UsageError(`--max-delete-ratio: expected a number from 0 to 1, got "${value}"`);
  }
  return ratio;
}

async function run(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      policy: { type: 'string', multiple: true },
      inventory: { type: 'string' },
      now: { type: 'string' },
      format: { type: 'string', default: 'json' },
      'max-delete-ratio': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const policyFiles = values.policy ?? [];
  if (policyFiles.length === 0)
    throw new UsageError('evaluate: at least one --policy FILE is required');
  if (values.inventory === undefined)
    throw new UsageError('evaluate: --inventory FILE is required');
  if (values.format !== 'json' && values.format !== 'table') {
    throw new UsageError(`--format: expected json or table, got "${values.format}"`);
  }
  const now = parseNow(values.now);
  const maxDeleteRatio = parseRatio(values['max-delete-ratio']);
  const texts = await Promise.all(
    policyFiles.map(async (file) => ({ file, text: await readText(file) })),
  );
  const policies = compilePolicies(loadPolicyTexts(texts).map((loaded) => loaded.policy));
  const inventory = parseInventory(await readText(values.inventory), values.inventory);
  const inventoryFile = values.inventory;
  let report: EvaluationReport;
  try {
    report = evaluateInventory(
      inventory,
      policies,
      maxDeleteRatio === undefined ? { now } : { now, maxDeleteRatio },
    );
  } catch (error) {
    // The engine's evaluation-time issues (a tag without pushedAt) point into the inventory but
    // cannot know its file name; the contract says the message names the file.
    if (!(error instanceof WinnowValidationError)) throw error;
    throw new WinnowValidationError(
      error.code,
      error.issues.map((issue) => ({ ...issue, file: issue.file ?? inventoryFile })),
    );
  }
  const out = new OutputWriter(io.stdout);
  if (values.format === 'table') {
    for (const line of renderTable(report, tableWidth(io.stdout))) await out.write(line);
  } else {
    await out.write(
      `{"now":${JSON.stringify(report.now)},"summary":${JSON.stringify(report.summary)},"decisions":[`,
    );
    let first = true;
    for (const record of report.decisions) {
      await out.write(first ? JSON.stringify(record) : `,${JSON.stringify(record)}`);
      first = false;
    }
    await out.write(']}\n');
  }
  await out.flush();
  return EXIT_OK;
}

export const evaluateCommand: Command = { usage: USAGE, run };
