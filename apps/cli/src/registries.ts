import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { call, serverOf } from './api';
import { painterFor } from './colour';
import { formatColumns } from './columns';
import { formatOf } from './options';

export const REGISTRIES_USAGE = `Usage: winnow registries [--server URL] [--format table|json]

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
export async function registriesCommand(
  args: string[],
  stdout: Writable & { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    stdout.write(REGISTRIES_USAGE);
    return 0;
  }
  const format = formatOf(values.format);
  const response = await call(serverOf(values.server, env), '/api/v1/registries', {}, 'registries');
  const body = (await response.json()) as { registries: RegistryJson[] };
  if (format === 'json') {
    stdout.write(`${JSON.stringify(body)}\n`);
    return 0;
  }
  if (body.registries.length === 0) {
    stdout.write('no registry connections\n');
    return 0;
  }
  const rows = body.registries.map((r) => [
    r.name,
    r.kind,
    r.url,
    r.namespaces.length === 0 ? '-' : r.namespaces.join(','),
    r.auth.username === undefined ? r.auth.kind : `${r.auth.kind} (${r.auth.username})`,
    r.auth.hasSecret ? 'yes' : 'no',
  ]);
  const lines = formatColumns(
    [['NAME', 'KIND', 'URL', 'NAMESPACES', 'AUTH', 'SECRET'], ...rows],
    painterFor(stdout, env),
  );
  stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
