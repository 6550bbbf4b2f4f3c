import { parseArgs } from 'node:util';
import { callJson, serverOf } from './api';
import { painterFor } from './colour';
import { tableWidth } from './columns';
import { type Command, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { follow } from './follow';
import { formatOf } from './options';
import {
  isRunFinished,
  type RegistryDeletionCounts,
  RegistryDeletionTally,
  runFrame,
  type RunJson,
  runSummary,
  taskTable,
  tasksOf,
} from './run-view';
import { scopeOf } from './scope';

const USAGE = `Usage: winnow run [--namespace NS [--repository NAME]] [--dry-run] [--no-wait]
                  [--server URL] [--format table|json]

Starts a retention run of the server's stored policies: the whole server, a namespace, or one
repository. It expires (restorably) what they decide to delete; --dry-run expires nothing. Then
it follows the run, with its progress on stderr (repositories done of total, tags expired, and
the deletions made in registries so far), and prints a summary when it ends, with the
repositories that failed: exit 0 if it succeeded, 1 if it ended partial, failed or cancelled.
--no-wait prints the queued run and returns at once. Ctrl-C stops waiting (exit 130); the run
goes on in the server.

Examples:
  winnow run --namespace acme --dry-run
  winnow run --namespace acme --repository web/api
  winnow run --no-wait --format json | jq .id
`;

/** `winnow run`: starts a run, follows it, summarizes it. */
async function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      namespace: { type: 'string' },
      repository: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'no-wait': { type: 'boolean' },
      format: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0)
    throw new UsageError(`run: unexpected "${positionals[0]}" (name a scope with --namespace)`);
  const format = formatOf(values.format);
  const scope = scopeOf(values.namespace, values.repository, 'run');
  const server = serverOf(values.server, env);
  const posted = await callJson<RunJson>(
    server,
    '/api/v1/runs',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scope, dryRun: values['dry-run'] === true }),
    },
    'run',
  );
  let current = posted.body;
  const location = posted.response.headers.get('location') ?? `/api/v1/runs/${current.id}`;
  io.stderr.write(
    `run ${current.id} ${isRunFinished(current) ? current.status : 'queued'} (${current.counts.repositories} repositor${current.counts.repositories === 1 ? 'y' : 'ies'})\n`,
  );

  const tally = new RegistryDeletionTally(server, current.id);
  let deletions: RegistryDeletionCounts | undefined;
  if (values['no-wait'] !== true && !isRunFinished(current)) {
    let polls = 0;
    const followed = await follow(
      current,
      async () => {
        const next = (await callJson<RunJson>(server, location, {}, 'run')).body;
        // Registry deletions come after a repository is applied: read them every 4th time.
        if (!next.dryRun && (polls++ % 4 === 0 || isRunFinished(next)))
          deletions = await tally.refresh();
        return next;
      },
      isRunFinished,
      (value) => runFrame(value, deletions),
      io,
    );
    current = followed.value;
    if (followed.interrupted) {
      io.stderr.write(
        `winnow: stopped waiting; run ${current.id} goes on in the server (\`winnow runs show ${current.id}\` shows it)\n`,
      );
      return EXIT_INTERRUPTED;
    }
  }
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(current)}\n`);
  } else {
    const paint = painterFor(io.stdout, env);
    if (!current.dryRun && isRunFinished(current)) deletions = await tally.refresh();
    const lines = runSummary(current, paint, current.dryRun ? undefined : deletions);
    if (current.tasks.failed > 0) {
      lines.push('  repositories that failed:');
      const failed = await tasksOf(server, current.id, 'failed');
      const width = tableWidth(io.stdout);
      lines.push(
        ...taskTable(current, failed, paint, width === undefined ? undefined : width - 4).map(
          (line) => `    ${line}`,
        ),
      );
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  if (!isRunFinished(current)) return EXIT_OK;
  return current.status === 'succeeded' ? EXIT_OK : EXIT_FAILURE;
}

export const runCommand: Command = { usage: USAGE, run };
