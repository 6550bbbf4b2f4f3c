import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  buildInventorySchema,
  buildPolicySchema,
  compilePolicies,
  evaluateInventory,
  type EvaluationReport,
  formatIssue,
  loadPolicyTexts,
  parseTime,
  parseInventory,
  WinnowValidationError,
} from '@winnow/engine';
import { RemoteError, UsageError } from './errors';
import { OutputWriter } from './output';
import { deletionsCommand } from './deletions';
import { registriesCommand } from './registries';
import { exportCommand, importCommand, previewCommand } from './remote';
import { syncCommand } from './sync';
import { renderTable } from './table';

/** Exit statuses of the contract: 0 success, 1 anything else, 2 invalid input. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;

const USAGE = `Usage:
  winnow evaluate --policy FILE [--policy FILE ...] --inventory FILE
                  [--now 2026-01-01T00:00:00Z] [--format json|table] [--max-delete-ratio 0.9]
  winnow validate FILE [FILE ...]
  winnow schema policy|inventory
  winnow import FILE [--server URL]           send an inventory snapshot to a server
  winnow export [--server URL]                print the server's inventory snapshot
  winnow preview [--server URL] [--now T] [--namespace NS [--repository NAME]]
                 [--decision keep|delete] [--stage STAGE] [--format table|json]
  winnow registries [--server URL] [--format table|json]
                                              list the server's registry connections
  winnow sync REGISTRY [--server URL] [--no-wait] [--format table|json]
                                              sync a registry now and show its progress
  winnow deletions (--run ID | --registry NAME) [--server URL] [--format table|json] [--limit N]
                                              what became of the digests deleted in registries
  winnow import-policy quay|harbor FILE --namespace NS   convert a Quay or Harbor policy
  winnow help
  winnow COMMAND --help                       one command's usage, with an example

The server is --server, else $WINNOW_URL, else http://127.0.0.1:8080.

Exit status: 0 success, 2 invalid input or usage, 1 anything else (a sync that ended partial or
failed, a server that cannot be reached); 130 when Ctrl-C stops \`winnow sync\` waiting.
`;

interface Io {
  readonly stdout: NodeJS.WritableStream & import('node:stream').Writable;
  readonly stderr: NodeJS.WritableStream;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // EISDIR comes without a path: name the file as the user gave it in every case.
    if (error instanceof Error && 'code' in error) Object.assign(error, { path });
    throw error;
  }
}

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

async function evaluate(args: string[], io: Io): Promise<number> {
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
    for (const line of renderTable(report)) await out.write(line);
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

async function validate(files: string[], io: Io): Promise<number> {
  if (files.length === 0) throw new UsageError('validate: at least one FILE is required');
  const texts = await Promise.all(
    files.map(async (file) => ({ file, text: await readText(file) })),
  );
  const loaded = loadPolicyTexts(texts);
  io.stderr.write(`${loaded.length} policy document${loaded.length === 1 ? '' : 's'} valid\n`);
  return EXIT_OK;
}

function schema(args: string[], io: Io): number {
  const which = args[0];
  if (which !== 'policy' && which !== 'inventory')
    throw new UsageError('schema: expected policy or inventory');
  io.stdout.write(
    `${JSON.stringify(which === 'policy' ? buildPolicySchema() : buildInventorySchema(), null, 2)}\n`,
  );
  return EXIT_OK;
}

/** Runs one command; never throws: every failure becomes a message on stderr and an exit status. */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'evaluate':
        return await evaluate(rest, io);
      case 'validate':
        return await validate(rest, io);
      case 'import':
        return await importCommand(rest, io.stderr, process.env);
      case 'export':
        return await exportCommand(rest, io.stdout, process.env);
      case 'preview':
        return await previewCommand(rest, io.stdout, process.env);
      case 'registries':
        return await registriesCommand(rest, io.stdout, process.env);
      case 'sync':
        return await syncCommand(rest, io, process.env);
      case 'deletions':
        return await deletionsCommand(rest, io.stdout, process.env);
      case 'import-policy':
        return await (await import('./import-policy.js')).importPolicyCommand(rest, io);
      case 'schema':
        return schema(rest, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(
          command === undefined ? 'a command is required' : `unknown command "${command}"`,
        );
    }
  } catch (error) {
    if (error instanceof RemoteError) {
      for (const line of error.lines) io.stderr.write(`winnow: ${line}\n`);
      return error.exitCode;
    }
    if (error instanceof WinnowValidationError) {
      for (const issue of error.issues) io.stderr.write(`winnow: ${formatIssue(issue)}\n`);
      return EXIT_INVALID;
    }
    if (
      error instanceof UsageError ||
      (error instanceof TypeError &&
        'code' in error &&
        String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.stderr.write(`winnow: ${error.message}\n\n${USAGE}`);
      return EXIT_INVALID;
    }
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      const path = (error as NodeJS.ErrnoException).path ?? '';
      io.stderr.write(
        `winnow: cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'is a directory'}\n`,
      );
      return EXIT_FAILURE;
    }
    io.stderr.write(
      `winnow: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILURE;
  }
}
