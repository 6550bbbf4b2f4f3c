import { parseArgs } from 'node:util';
import { call, serverOf } from './api';
import { type Command, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { OutputWriter } from './output';

const USAGE = `Usage: winnow export [--server URL]

Prints the server's whole inventory as a snapshot (the format winnow import and winnow evaluate
read), streamed as the server writes it.

Examples:
  winnow export > inventory.json
  winnow export --server http://winnow.internal:8080 | jq '.repositories | length'
`;

/** `winnow export`: the server's inventory as a snapshot on stdout, streamed. */
async function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { server: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError('export: expected no argument');
  const response = await call(
    serverOf(values.server, env),
    '/api/v1/inventory/export',
    {},
    'export',
  );
  const out = new OutputWriter(io.stdout);
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? [])
    await out.write(decoder.decode(chunk as Uint8Array, { stream: true }));
  await out.write(decoder.decode());
  await out.flush();
  return EXIT_OK;
}

export const exportCommand: Command = { usage: USAGE, run };
