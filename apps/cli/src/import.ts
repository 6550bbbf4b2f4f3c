import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { callJson, serverOf } from './api';
import { type Command, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { progressBar, type ProgressFrame, progressOptionsFor, ProgressReporter } from './progress';

const USAGE = `Usage: winnow import FILE [--server URL]

Sends an inventory snapshot to the server (idempotent: each repository is replaced by its
snapshot). The file is streamed: the server validates and stores it repository by repository as
it arrives, and stderr shows how much has been sent (a bar on a terminal; a line every 2 seconds
otherwise, once the upload has taken that long). The server's validation errors are printed as
FILE: /json/pointer: what was expected (exit 2).

Examples:
  winnow import examples/ci/inventory.json
  winnow export --server http://old:8080 > inventory.json && winnow import inventory.json --server http://new:8080
`;

/** `1.5 MiB`: sizes for people. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `sending: [####......] 40% · 1.2 MiB of 3.0 MiB`, then `storing` once every byte is sent. */
export function uploadProgress(sent: number, size: number): { status: string; line: string } {
  if (sent < size) {
    const percent = Math.floor((sent / size) * 100);
    return {
      status: 'sending',
      line: `${progressBar(sent, size)} ${percent}% · ${bytes(sent)} of ${bytes(size)}`,
    };
  }
  return {
    status: 'storing',
    line: `${bytes(size)} sent; the server stores the last repositories`,
  };
}

/** The bytes of `file` as a request body, calling `sent` with the total read so far. */
function bodyOf(file: string, sent: (total: number) => void): ReadableStream<Uint8Array> {
  const chunks = createReadStream(file, { highWaterMark: 1 << 18 })[Symbol.asyncIterator]();
  let total = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = (await chunks.next()) as IteratorResult<Buffer>;
      if (next.done === true) {
        controller.close();
        return;
      }
      total += next.value.length;
      sent(total);
      controller.enqueue(new Uint8Array(next.value));
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}

/** `winnow import FILE`: streams a snapshot to the server, showing the upload's progress. */
async function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { server: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    throw new UsageError('import: exactly one FILE is required');
  const server = serverOf(values.server, env);
  const info = await stat(file);
  if (info.isDirectory())
    throw Object.assign(new Error('is a directory'), { code: 'EISDIR', path: file });
  const size = info.size;
  const reporter = new ProgressReporter(io.stderr, {
    ...progressOptionsFor(io.stderr),
    delay: 2000,
  });
  const frame = (sent: number): ProgressFrame => ({
    label: 'import',
    ...uploadProgress(sent, size),
  });
  let body: { repositories: number };
  try {
    reporter.update(frame(0));
    ({ body } = await callJson<{ repositories: number }>(
      server,
      '/api/v1/inventory/import',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodyOf(file, (sent) => {
          reporter.update(frame(sent));
        }),
        duplex: 'half',
      },
      file,
    ));
  } finally {
    reporter.done();
  }
  const { repositories } = body;
  io.stderr.write(
    `imported ${repositories} repositor${repositories === 1 ? 'y' : 'ies'} from ${file}\n`,
  );
  return EXIT_OK;
}

export const importCommand: Command = { usage: USAGE, run };
