import { parseArgs } from 'node:util';
import { callJson, serverOf } from './api';
import { painterFor } from './colour';
import { formatColumns, tableWidth } from './columns';
import { type Command, EXIT_OK, type Io } from './command';
import { formatOf } from './options';

const USAGE = `Usage: winnow registries [--server URL] [--format table|json]

Lists the server's registry connections: name, kind, URL, namespaces, how it authenticates and
whether it has a secret (the server never gives a secret out).

Example:
  winnow registries --server http://winnow.internal:8080
`;

/** A registry connection as the API shows it (the fields the table reads). */
interface RegistryJson {
  name: string;
  kind: string;
  url: string;
  namespaces: string[];
  auth: { kind: string; username?: string; hasSecret: boolean };
}

/** `winnow registries`: the registry connections, as a table or the API's JSON. */
async function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { stdout } = io;
  const { values } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      format: { type: 'string' },
    },
    strict: true,
  });
  const format = formatOf(values.format);
  const { body } = await callJson<{ registries: RegistryJson[] }>(
    serverOf(values.server, env),
    '/api/v1/registries',
    {},
    'registries',
  );
  if (format === 'json') {
    stdout.write(`${JSON.stringify(body)}\n`);
    return EXIT_OK;
  }
  if (body.registries.length === 0) {
    stdout.write('no registry connections\n');
    return EXIT_OK;
  }
  const rows = body.registries.map((r) => [
    r.name,
    r.kind,
    r.url,
    r.namespaces.length === 0 ? '-' : r.namespaces.join(','),
    r.auth.username === undefined ? r.auth.kind : `${r.auth.kind} (${r.auth.username})`,
    r.auth.hasSecret ? 'yes' : 'no',
  ]);
  const lines = formatColumns([['NAME', 'KIND', 'URL', 'NAMESPACES', 'AUTH', 'SECRET'], ...rows], {
    paint: painterFor(stdout, env),
    maxWidth: tableWidth(stdout),
  });
  stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

export const registriesCommand: Command = { usage: USAGE, run };
