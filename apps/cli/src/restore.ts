import { parseArgs } from 'node:util';
import { callJson, serverOf } from './api';
import { painterFor } from './colour';
import { formatColumns, tableWidth } from './columns';
import { type Command, EXIT_OK, type Io } from './command';
import { RemoteError, UnreachableError, UsageError } from './errors';
import { formatOf } from './options';

const USAGE = `Usage: winnow restore NAMESPACE/REPOSITORY:TAG [...] [--server URL]
       winnow restore --list NAMESPACE/REPOSITORY [--server URL] [--format table|json]

Brings back tags that a run expired, while their restore window lasts (WINNOW_RESTORE_WINDOW on
the server, 14 days by default). Each tag is tried in turn; the exit status is 1 if one could not
be restored (not expired, never existed, or its window has ended), else 0. --list prints the
expired tags of a repository: when, by which run, and until when each can be restored.

Examples:
  winnow restore --list acme/web/api
  winnow restore acme/web/api:main-1a2b3c4 acme/web/api:v1.4.2
`;

interface Reference {
  namespace: string;
  repository: string;
  tag?: string;
}

/** `acme/web/api:v1` (the namespace is the first segment; a repository name holds no `:`). */
function referenceOf(text: string, withTag: boolean): Reference {
  const match = /^([^/:\s]+)\/([^:\s]+?)(?::([^/:\s]+))?$/.exec(text);
  if (match === null || (match[3] !== undefined) !== withTag) {
    const expected = withTag ? 'NAMESPACE/REPOSITORY:TAG' : 'NAMESPACE/REPOSITORY';
    throw new UsageError(
      `restore: expected ${expected} such as acme/web/api${withTag ? ':v1' : ''}, got "${text}"`,
    );
  }
  return {
    namespace: match[1] ?? '',
    repository: match[2] ?? '',
    ...(match[3] !== undefined && { tag: match[3] }),
  };
}

const repositoryPath = (ref: Reference): string =>
  `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/repositories/${encodeURIComponent(ref.repository)}`;

interface ExpiredTag {
  name: string;
  digest: string;
  expiredAt: string;
  expiredByRun: number | null;
  restorableUntil: string;
}

async function list(
  text: string,
  format: 'table' | 'json',
  server: string,
  io: Io,
  env: NodeJS.ProcessEnv,
) {
  const ref = referenceOf(text, false);
  const { body } = await callJson<{ tags: ExpiredTag[] }>(
    server,
    `${repositoryPath(ref)}/tags?expired=true`,
    {},
    'restore',
  );
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(body)}\n`);
    return EXIT_OK;
  }
  if (body.tags.length === 0) {
    io.stdout.write(`no expired tags in ${text}\n`);
    return EXIT_OK;
  }
  const now = Date.now();
  const rows = body.tags.map((tag) => [
    tag.name,
    tag.digest.slice(0, tag.digest.indexOf(':') + 13),
    tag.expiredAt.slice(0, 19).replace('T', ' '),
    tag.expiredByRun === null ? '-' : String(tag.expiredByRun),
    Date.parse(tag.restorableUntil) > now
      ? tag.restorableUntil.slice(0, 19).replace('T', ' ')
      : 'window ended',
  ]);
  const lines = formatColumns(
    [['TAG', 'DIGEST', 'EXPIRED (UTC)', 'RUN', 'RESTORABLE UNTIL (UTC)'], ...rows],
    { paint: painterFor(io.stdout, env), maxWidth: tableWidth(io.stdout) },
  );
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

/** Restores each tag in turn; one that cannot be restored does not stop the others. */
async function restore(texts: string[], server: string, io: Io): Promise<number> {
  const refs = texts.map((text) => referenceOf(text, true));
  let status = EXIT_OK;
  for (const [i, ref] of refs.entries()) {
    try {
      const { body } = await callJson<{ name: string; digest: string }>(
        server,
        `${repositoryPath(ref)}/tags/${encodeURIComponent(ref.tag ?? '')}/restore`,
        { method: 'POST' },
        `restore ${texts[i]}`,
      );
      io.stdout.write(`restored ${texts[i]} (${body.digest})\n`);
    } catch (error) {
      // No server answers: the next tags would fail alike.
      if (!(error instanceof RemoteError) || error instanceof UnreachableError) throw error;
      for (const line of error.lines) io.stderr.write(`winnow: ${line}\n`);
      status = Math.max(status, error.exitCode);
    }
  }
  return status;
}

/** `winnow restore`: expired tags back, or `--list` them. */
async function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      list: { type: 'string' },
      format: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.list !== undefined) {
    if (positionals.length > 0)
      throw new UsageError('restore: --list takes one repository and no tag');
    return list(values.list, formatOf(values.format), serverOf(values.server, env), io, env);
  }
  if (positionals.length === 0)
    throw new UsageError('restore: at least one NAMESPACE/REPOSITORY:TAG is required');
  if (values.format !== undefined) throw new UsageError('restore: --format is for --list');
  for (const text of positionals) referenceOf(text, true);
  return restore(positionals, serverOf(values.server, env), io);
}

export const restoreCommand: Command = { usage: USAGE, run };
