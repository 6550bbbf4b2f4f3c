import { formatIssue, WinnowValidationError } from '@winnow/engine';
import { useToken } from './api';
import { type Command, EXIT_FAILURE, EXIT_INVALID, EXIT_OK, type Io } from './command';
import { deletionsCommand } from './deletions';
import { RemoteError, UsageError } from './errors';
import { evaluateCommand } from './evaluate';
import { exportCommand } from './export';
import { importCommand } from './import';
import { IMPORT_POLICY_USAGE, importPolicyCommand } from './import-policy';
import { previewCommand } from './preview';
import { registriesCommand } from './registries';
import { restoreCommand } from './restore';
import { runCommand } from './run';
import { runsCommand } from './runs';
import { schemaCommand } from './schema';
import { syncCommand } from './sync';
import { tokensCommand } from './tokens';
import { validateCommand } from './validate';

export { EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from './command';

/** Every command, by name: one entry each (its file holds its usage and what it does). */
export const COMMANDS: Readonly<Record<string, Command>> = {
  evaluate: evaluateCommand,
  validate: validateCommand,
  schema: schemaCommand,
  'import-policy': { usage: IMPORT_POLICY_USAGE, run: importPolicyCommand },
  import: importCommand,
  export: exportCommand,
  preview: previewCommand,
  run: runCommand,
  runs: runsCommand,
  restore: restoreCommand,
  registries: registriesCommand,
  sync: syncCommand,
  deletions: deletionsCommand,
  tokens: tokensCommand,
};

const USAGE = `Usage: winnow COMMAND [OPTIONS]

Offline:
  evaluate       evaluate policy files against an inventory snapshot, print every decision
  validate       check policy files
  schema         print the JSON Schema of policies or inventories
  import-policy  convert a Quay or Harbor retention policy into a Winnow document

Against a server (--server URL, else $WINNOW_URL, else http://127.0.0.1:8080):
  import         send an inventory snapshot, with the upload's progress
  export         print the server's inventory as a snapshot
  preview        what the stored policies would decide, changing nothing
  run            start a retention run and follow it to its end
  runs           list runs; \`runs show ID\`: one run, repository by repository
  restore        bring back tags a run expired (--list: which can be)
  registries     list the registry connections
  sync           sync a registry into the inventory and follow it
  deletions      what became of the digests deleted in registries
  tokens         create, list and revoke API tokens (administrators)

Every command against a server sends the API token of --token TOKEN, else $WINNOW_TOKEN
(docs/security.md).

  winnow help COMMAND   or   winnow COMMAND --help   one command's usage, with examples

Exit status: 0 success; 1 failure (a run or sync that ended partial or failed, a server that
cannot be reached, a 404); 2 invalid input or usage (also a server's 400); 130 when Ctrl-C
stops \`winnow run\` or \`winnow sync\` waiting (the server goes on).

Example:
  winnow evaluate --policy examples/ci/policy.yaml --inventory examples/ci/inventory.json --format table
`;

/** Takes the global `--token TOKEN` (or `--token=TOKEN`) out of the arguments; else WINNOW_TOKEN. */
function withoutToken(args: string[], env: NodeJS.ProcessEnv): string[] {
  let token = env.WINNOW_TOKEN;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--token' && i + 1 < args.length) token = args[++i];
    else if (arg.startsWith('--token=')) token = arg.slice('--token='.length);
    else rest.push(arg);
  }
  useToken(token);
  return rest;
}

const isHelp = (arg: string): boolean => arg === '--help' || arg === '-h';

function help(args: string[], io: Io): number {
  const [name, ...extra] = args;
  if (name === undefined) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const command = extra.length === 0 ? COMMANDS[name] : undefined;
  if (command === undefined) throw new UsageError(`help: unknown command "${args.join(' ')}"`);
  io.stdout.write(command.usage);
  return EXIT_OK;
}

/** What went wrong, on stderr, and the exit status it means. */
function report(error: unknown, usage: string, io: Io): number {
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
    io.stderr.write(`winnow: ${error.message}\n\n${usage}`);
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

/** Runs one command; never throws: every failure becomes a message on stderr and an exit status. */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [name, ...given] = argv;
  const rest = withoutToken(given, env);
  const command = name === undefined ? undefined : COMMANDS[name];
  try {
    if (name === 'help' || (name !== undefined && isHelp(name))) return help(rest, io);
    if (command === undefined)
      throw new UsageError(
        name === undefined ? 'a command is required' : `unknown command "${name}"`,
      );
    // Before any other check: `winnow run --bogus --help` still explains itself.
    if (rest.some(isHelp)) {
      io.stdout.write(command.usage);
      return EXIT_OK;
    }
    return await command.run(rest, io, env);
  } catch (error) {
    return report(error, command?.usage ?? USAGE, io);
  }
}
