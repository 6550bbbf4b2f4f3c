import { parseArgs } from 'node:util';
import { callJson, serverOf } from './api';
import { colourOf, type Paint, painterFor } from './colour';
import { type Command, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { follow } from './follow';
import { formatOf } from './options';
import { type ProgressFrame, ratio } from './progress';

const USAGE = `Usage: winnow sync REGISTRY [--server URL] [--no-wait] [--format table|json]

Asks the server to sync a registry into its inventory now (or follows the sync already queued or
running), shows its progress on stderr until it ends, then prints a summary: exit 0 if it
succeeded, 1 if it ended partial or failed. --no-wait prints the sync and returns at once.
Ctrl-C stops waiting (exit 130); the sync goes on in the server.

Example:
  winnow sync hub --server http://winnow.internal:8080
`;

/** A sync as the API answers it (docs/api.md, "Registry connections"). */
export interface SyncJson {
  id: number;
  registry: string;
  status: 'queued' | 'running' | 'succeeded' | 'partial' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
  progress: {
    repositoriesTotal: number;
    repositoriesDone: number;
    repositoriesFailed: number;
    tags: number;
    manifestsFetched: number;
    manifestsUnchanged: number;
  };
  errors?: { repository: string; code: string; message: string }[];
}

export const isFinished = (sync: SyncJson): boolean =>
  sync.status !== 'queued' && sync.status !== 'running';

/** `repositories 4/10 [####......] 40% · tags 120 · fetched 40 · unchanged 0` */
export function progressLine(sync: SyncJson): string {
  if (sync.status === 'queued') return 'waiting for a worker';
  const p = sync.progress;
  return [
    `repositories ${ratio(p.repositoriesDone, p.repositoriesTotal)}`,
    `tags ${p.tags}`,
    `fetched ${p.manifestsFetched}`,
    `unchanged ${p.manifestsUnchanged}`,
    ...(p.repositoriesFailed > 0 ? [`failed ${p.repositoriesFailed}`] : []),
  ].join(' · ');
}

export const syncFrame = (sync: SyncJson): ProgressFrame => ({
  label: `sync ${sync.id}`,
  status: sync.status,
  line: progressLine(sync),
});

/** ` in 3.2s` once it has started and finished. */
export function took(startedAt: string | null, finishedAt: string | null): string {
  if (startedAt === null || finishedAt === null) return '';
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return ` in ${(ms / 1000).toFixed(1)}s`;
}

/** What `winnow sync` prints when the sync has ended (or at once with --no-wait). */
export function syncSummary(sync: SyncJson, paint: Paint): string[] {
  const p = sync.progress;
  const lines = [
    `sync ${sync.id} of ${sync.registry}: ${paint(sync.status, colourOf(sync.status))}${took(sync.startedAt, sync.finishedAt)}`,
    `  repositories ${p.repositoriesDone} of ${p.repositoriesTotal} (${p.repositoriesFailed} failed) · tags ${p.tags} · manifests fetched ${p.manifestsFetched}, unchanged ${p.manifestsUnchanged}`,
  ];
  const errors = sync.errors ?? [];
  if (errors.length > 0) {
    lines.push('  repositories that could not be read:');
    // A repository of '' is the registry itself (its catalog could not be read).
    for (const e of errors)
      lines.push(
        `    ${e.repository === '' ? '(catalog)' : e.repository}  ${e.code}  ${e.message}`,
      );
  }
  return lines;
}

/** `winnow sync REGISTRY`: triggers a sync, follows its progress, summarizes its outcome. */
async function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      'no-wait': { type: 'boolean' },
      format: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0)
    throw new UsageError('sync: exactly one REGISTRY is required');
  const format = formatOf(values.format);
  const server = serverOf(values.server, env);
  const registryPath = `/api/v1/registries/${encodeURIComponent(name)}/syncs`;
  const posted = await callJson<SyncJson>(server, registryPath, { method: 'POST' }, 'sync');
  let sync = posted.body;
  const location = posted.response.headers.get('location') ?? `${registryPath}/${sync.id}`;
  io.stderr.write(
    posted.response.status === 202
      ? `sync ${sync.id} of ${sync.registry} queued\n`
      : `sync ${sync.id} of ${sync.registry} was already ${sync.status}: following it\n`,
  );

  if (values['no-wait'] !== true && !isFinished(sync)) {
    const followed = await follow(
      sync,
      async () => (await callJson<SyncJson>(server, location, {}, 'sync')).body,
      isFinished,
      syncFrame,
      io,
    );
    sync = followed.value;
    if (followed.interrupted) {
      io.stderr.write(
        `winnow: stopped waiting; sync ${sync.id} goes on in the server (run \`winnow sync ${sync.registry}\` again to follow it)\n`,
      );
      return EXIT_INTERRUPTED;
    }
  }
  if (format === 'json') io.stdout.write(`${JSON.stringify(sync)}\n`);
  else io.stdout.write(`${syncSummary(sync, painterFor(io.stdout, env)).join('\n')}\n`);
  if (!isFinished(sync)) return EXIT_OK;
  return sync.status === 'succeeded' ? EXIT_OK : EXIT_FAILURE;
}

export const syncCommand: Command = { usage: USAGE, run };
