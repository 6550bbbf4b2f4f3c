import { parseArgs } from 'node:util';
import { callJson, serverOf } from './api';
import { painterFor } from './colour';
import { formatColumns, tableWidth } from './columns';
import { type Command, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { formatOf, wholeNumber } from './options';
import {
  expiredOf,
  isRunFinished,
  RegistryDeletionTally,
  type RunJson,
  runSummary,
  taskTable,
  tasksOf,
} from './run-view';
import { describeScope } from './scope';
import { took } from './sync';

const USAGE = `Usage: winnow runs [--status STATUS] [--trigger api|schedule|cli] [--limit N]
                   [--server URL] [--format table|json]
       winnow runs show ID [--server URL] [--format table|json]

Lists the server's retention runs, newest first (--limit N, 1 to 1000, default 20): id, status,
scope, apply or dry run, trigger, repositories, tags expired, failed repositories, when it was
created and how long it took. STATUS is queued, running, succeeded, partial, failed or
cancelled. \`runs show ID\` prints one run with its counts, its registry deletions so far, and
what became of each of its repositories.

Examples:
  winnow runs --status partial
  winnow runs show 42
  winnow runs show 42 --format json | jq '.repositories[] | select(.status == "failed")'
`;

/** `2026-11-01 03:00:12` in UTC: short, sortable, unambiguous. */
const when = (iso: string): string => iso.slice(0, 19).replace('T', ' ');

async function list(
  values: { status?: string; trigger?: string; limit?: string; format?: string },
  server: string,
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const format = formatOf(values.format);
  const wanted = values.limit === undefined ? 20 : wholeNumber('--limit', values.limit, 1000);
  const runs: RunJson[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(wanted - runs.length) });
    if (values.status !== undefined) query.set('status', values.status);
    if (values.trigger !== undefined) query.set('trigger', values.trigger);
    if (cursor !== null) query.set('cursor', cursor);
    const { body } = await callJson<{ runs: RunJson[]; nextCursor: string | null }>(
      server,
      `/api/v1/runs?${query.toString()}`,
      {},
      'runs',
    );
    runs.push(...body.runs);
    cursor = body.nextCursor;
  } while (cursor !== null && runs.length < wanted);
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({ runs })}\n`);
    return EXIT_OK;
  }
  if (runs.length === 0) {
    io.stdout.write('no runs\n');
    return EXIT_OK;
  }
  const rows = runs.map((run) => [
    String(run.id),
    run.status,
    describeScope(run.scope),
    run.dryRun ? 'dry-run' : 'apply',
    run.trigger,
    String(run.counts.repositories),
    String(expiredOf(run, run.counts)),
    String(run.tasks.failed),
    when(run.createdAt),
    took(run.startedAt, run.finishedAt).replace(/^ in /, '') || (isRunFinished(run) ? '-' : '…'),
  ]);
  const header = [
    'ID',
    'STATUS',
    'SCOPE',
    'MODE',
    'TRIGGER',
    'REPOSITORIES',
    'EXPIRED',
    'FAILED',
    'CREATED (UTC)',
    'TOOK',
  ];
  const lines = formatColumns([header, ...rows], {
    paint: painterFor(io.stdout, env),
    colouredColumn: 1,
    maxWidth: tableWidth(io.stdout),
  });
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

async function show(
  id: number,
  format: 'table' | 'json',
  server: string,
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { body: run } = await callJson<RunJson>(server, `/api/v1/runs/${id}`, {}, 'runs show');
  const tasks = await tasksOf(server, id);
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({ run, repositories: tasks })}\n`);
    return EXIT_OK;
  }
  const paint = painterFor(io.stdout, env);
  const deletions = run.dryRun ? undefined : await new RegistryDeletionTally(server, id).refresh();
  const lines = runSummary(run, paint, deletions);
  lines.push(
    `  created ${when(run.createdAt)} UTC by ${run.triggeredBy} (${run.trigger}); policies evaluated at ${run.now}`,
  );
  lines.push('');
  if (tasks.length === 0) lines.push('no repositories');
  else lines.push(...taskTable(run, tasks, paint, tableWidth(io.stdout)));
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

/** `winnow runs` and `winnow runs show ID`. */
async function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      status: { type: 'string' },
      trigger: { type: 'string' },
      limit: { type: 'string' },
      format: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, idText, ...extra] = positionals;
  if (action === undefined) return list(values, serverOf(values.server, env), io, env);
  if (action !== 'show') throw new UsageError(`runs: unknown "${action}" (expected show ID)`);
  if (idText === undefined || extra.length > 0)
    throw new UsageError('runs show: exactly one run ID is required');
  const id = wholeNumber('runs show: ID', idText);
  for (const option of ['status', 'trigger', 'limit'] as const)
    if (values[option] !== undefined)
      throw new UsageError(`runs show: --${option} is for the list`);
  return show(id, formatOf(values.format), serverOf(values.server, env), io, env);
}

export const runsCommand: Command = { usage: USAGE, run };
