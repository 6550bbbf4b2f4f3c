import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { call, serverOf } from './api';
import { colourOf, type Paint, painterFor } from './colour';
import { UsageError } from './errors';
import { formatOf } from './options';
import { isFinished, ProgressReporter, type SyncJson } from './progress';

export const SYNC_USAGE = `Usage: winnow sync REGISTRY [--server URL] [--no-wait] [--format table|json]

Asks the server to sync a registry into its inventory now (or follows the sync already queued or
running), shows its progress on stderr until it ends, then prints a summary: exit 0 if it
succeeded, 1 if it ended partial or failed. --no-wait prints the sync and returns at once.
Ctrl-C stops waiting; the sync goes on in the server.

Example:
  winnow sync hub --server http://winnow.internal:8080
`;

/** How often the sync is read while waiting. */
const POLL_MS = 500;
/** 128 + SIGINT, as shells report a command stopped by Ctrl-C. */
const EXIT_INTERRUPTED = 130;

interface Io {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

function seconds(sync: SyncJson): string {
  if (sync.startedAt === null || sync.finishedAt === null) return '';
  const ms = Date.parse(sync.finishedAt) - Date.parse(sync.startedAt);
  return ` in ${(ms / 1000).toFixed(1)}s`;
}

/** What `winnow sync` prints when the sync has ended (or at once with --no-wait). */
export function syncSummary(sync: SyncJson, paint: Paint): string[] {
  const p = sync.progress;
  const lines = [
    `sync ${sync.id} of ${sync.registry}: ${paint(sync.status, colourOf(sync.status))}${seconds(sync)}`,
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

/** Waits `ms`, or less when `stop` is aborted. */
function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', () => {
      clearTimeout(timer);
      done();
    });
  });
}

/** `winnow sync REGISTRY`: triggers a sync, follows its progress, summarizes its outcome. */
export async function syncCommand(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      'no-wait': { type: 'boolean' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help === true) {
    io.stdout.write(SYNC_USAGE);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0)
    throw new UsageError('sync: exactly one REGISTRY is required');
  const format = formatOf(values.format);
  const server = serverOf(values.server, env);
  const registryPath = `/api/v1/registries/${encodeURIComponent(name)}/syncs`;
  const posted = await call(server, registryPath, { method: 'POST' }, 'sync');
  let sync = (await posted.json()) as SyncJson;
  const location = posted.headers.get('location') ?? `${registryPath}/${sync.id}`;
  io.stderr.write(
    posted.status === 202
      ? `sync ${sync.id} of ${sync.registry} queued\n`
      : `sync ${sync.id} of ${sync.registry} was already ${sync.status}: following it\n`,
  );

  if (values['no-wait'] !== true && !isFinished(sync)) {
    const followed = await follow(server, location, sync, io);
    sync = followed.sync;
    if (followed.interrupted) {
      io.stderr.write(
        `winnow: stopped waiting; sync ${sync.id} goes on in the server (run \`winnow sync ${sync.registry}\` again to follow it)\n`,
      );
      return EXIT_INTERRUPTED;
    }
  }
  if (format === 'json') io.stdout.write(`${JSON.stringify(sync)}\n`);
  else io.stdout.write(`${syncSummary(sync, painterFor(io.stdout, env)).join('\n')}\n`);
  if (!isFinished(sync)) return 0;
  return sync.status === 'succeeded' ? 0 : 1;
}

/** Reads the sync every POLL_MS until it ends, or until Ctrl-C. */
async function follow(
  server: string,
  location: string,
  first: SyncJson,
  io: Io,
): Promise<{ sync: SyncJson; interrupted: boolean }> {
  const stop = new AbortController();
  const onInterrupt = () => {
    stop.abort();
  };
  process.on('SIGINT', onInterrupt);
  const reporter = new ProgressReporter(io.stderr, {
    tty: io.stderr.isTTY === true,
    ...(io.stderr.columns !== undefined && { columns: io.stderr.columns }),
  });
  let sync = first;
  try {
    reporter.update(sync);
    while (!isFinished(sync)) {
      await pause(POLL_MS, stop.signal);
      if (stop.signal.aborted) return { sync, interrupted: true };
      sync = (await (await call(server, location, {}, 'sync')).json()) as SyncJson;
      reporter.update(sync);
    }
    return { sync, interrupted: false };
  } finally {
    reporter.done();
    process.off('SIGINT', onInterrupt);
  }
}
