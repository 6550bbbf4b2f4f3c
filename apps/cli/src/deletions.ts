import { parseArgs } from 'node:util';
import { callJson, serverOf } from './api';
import { painterFor } from './colour';
import { formatColumns, tableWidth } from './columns';
import { type Command, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { formatOf, wholeNumber } from './options';

const USAGE = `Usage: winnow deletions (--run ID | --registry NAME) [--server URL]
                        [--format table|json] [--limit N]

Prints what became in the registry of the digests Winnow deleted there, newest first: deleted,
absent (gone already), skipped (and why) or failed (and the error); for one run, or for every
run of one registry. Every page is printed; --limit N (1 to 1000, default 100) is how many
outcomes each request to the server asks for.

Examples:
  winnow deletions --run 42
  winnow deletions --registry hub --format json
`;

/** A deletion outcome as the API answers it. */
interface DeletionJson {
  id: number;
  runId: number | null;
  repository: string;
  digest: string;
  tags: string[];
  outcome: string;
  message: string | null;
  at: string;
}

interface DeletionsPage {
  deletions: DeletionJson[];
  next?: string;
}

/** `sha256:0123456789ab`: enough to tell digests apart in a table. */
const shortDigest = (digest: string): string => digest.slice(0, digest.indexOf(':') + 13);

/** `winnow deletions`: a run's or a registry's deletion outcomes, every page. */
async function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { stdout } = io;
  const { values } = parseArgs({
    args,
    options: {
      run: { type: 'string' },
      registry: { type: 'string' },
      server: { type: 'string' },
      format: { type: 'string' },
      limit: { type: 'string' },
    },
    strict: true,
  });
  if ((values.run === undefined) === (values.registry === undefined))
    throw new UsageError('deletions: give either --run ID or --registry NAME');
  const format = formatOf(values.format);
  const limit = values.limit === undefined ? 100 : wholeNumber('--limit', values.limit, 1000);
  const path =
    values.run === undefined
      ? `/api/v1/registries/${encodeURIComponent(values.registry ?? '')}/deletions`
      : `/api/v1/runs/${wholeNumber('--run', values.run)}/registry-deletions`;
  const server = serverOf(values.server, env);

  const deletions: DeletionJson[] = [];
  let next: string | undefined = `${path}?limit=${limit}`;
  while (next !== undefined) {
    const page: DeletionsPage = (await callJson<DeletionsPage>(server, next, {}, 'deletions')).body;
    deletions.push(...page.deletions);
    next = page.next;
  }

  if (format === 'json') {
    stdout.write(`${JSON.stringify({ deletions })}\n`);
    return EXIT_OK;
  }
  if (deletions.length === 0) {
    stdout.write('no deletions\n');
    return EXIT_OK;
  }
  const rows = deletions.map((d) => [
    d.outcome,
    d.runId === null ? '-' : String(d.runId),
    d.repository,
    shortDigest(d.digest),
    d.tags.length === 0 ? '-' : d.tags.join(','),
    d.message ?? '',
  ]);
  const lines = formatColumns(
    [['OUTCOME', 'RUN', 'REPOSITORY', 'DIGEST', 'TAGS', 'MESSAGE'], ...rows],
    { paint: painterFor(stdout, env), colouredColumn: 0, maxWidth: tableWidth(stdout) },
  );
  stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

export const deletionsCommand: Command = { usage: USAGE, run };
