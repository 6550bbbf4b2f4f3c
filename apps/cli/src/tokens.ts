import { parseArgs } from 'node:util';
import { callJson, serverOf } from './api';
import { painterFor } from './colour';
import { formatColumns, tableWidth } from './columns';
import { type Command, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { formatOf } from './options';

const USAGE = `Usage: winnow tokens create NAME --role admin|namespace_admin|viewer [--namespace NS ...]
                            [--expires-at TIME] [--server URL] [--format table|json]
       winnow tokens list [--server URL] [--format table|json]
       winnow tokens revoke ID [--server URL]

API tokens (administrators only; see docs/security.md). \`create\` prints the new token's secret:
it is shown this once, copy it. A namespace_admin gets one --namespace per namespace granted.
\`revoke\`: the token answers 401 from then on.

Examples:
  winnow tokens create ci-acme --role namespace_admin --namespace acme
  winnow tokens list
  winnow tokens revoke 3f9a1c0b2d4e
`;

interface TokenJson {
  id: string;
  name: string;
  role: string;
  namespaces: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

async function create(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      role: { type: 'string' },
      namespace: { type: 'string', multiple: true },
      'expires-at': { type: 'string' },
      server: { type: 'string' },
      format: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0)
    throw new UsageError('tokens create: expected one NAME');
  if (values.role === undefined) throw new UsageError('tokens create: --role is required');
  const format = formatOf(values.format);
  const { body } = await callJson<{ token: TokenJson; secret: string }>(
    serverOf(values.server, env),
    '/api/v1/tokens',
    {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({
        name,
        role: values.role,
        ...(values.namespace && { namespaces: values.namespace }),
        ...(values['expires-at'] !== undefined && { expiresAt: values['expires-at'] }),
      }),
    },
    'tokens create',
  );
  if (format === 'json') io.stdout.write(`${JSON.stringify(body)}\n`);
  else {
    io.stdout.write(`${body.secret}\n`);
    io.stderr.write(
      `token ${body.token.id} (${body.token.name}, ${body.token.role}) created: the secret above is shown this once\n`,
    );
  }
  return EXIT_OK;
}

async function list(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { server: { type: 'string' }, format: { type: 'string' } },
    strict: true,
  });
  const format = formatOf(values.format);
  const { body } = await callJson<{ tokens: TokenJson[] }>(
    serverOf(values.server, env),
    '/api/v1/tokens',
    {},
    'tokens list',
  );
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(body)}\n`);
    return EXIT_OK;
  }
  const rows = body.tokens.map((t) => [
    t.id,
    t.name,
    t.role,
    t.namespaces.length === 0 ? '-' : t.namespaces.join(','),
    t.lastUsedAt ?? '-',
    t.revokedAt === null ? (t.expiresAt === null ? 'active' : `expires ${t.expiresAt}`) : 'revoked',
  ]);
  const lines = formatColumns(
    [['ID', 'NAME', 'ROLE', 'NAMESPACES', 'LAST USED', 'STATE'], ...rows],
    {
      paint: painterFor(io.stdout, env),
      maxWidth: tableWidth(io.stdout),
    },
  );
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

async function revoke(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { server: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new UsageError('tokens revoke: expected one ID');
  const { body } = await callJson<TokenJson>(
    serverOf(values.server, env),
    `/api/v1/tokens/${encodeURIComponent(id)}`,
    { method: 'DELETE' },
    'tokens revoke',
  );
  io.stdout.write(`token ${body.id} (${body.name}) revoked\n`);
  return EXIT_OK;
}

const SUBCOMMANDS = { create, list, revoke } as const;

/** `winnow tokens create|list|revoke`. */
function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = args;
  const action =
    sub === 'create' || sub === 'list' || sub === 'revoke' ? SUBCOMMANDS[sub] : undefined;
  if (action === undefined)
    throw new UsageError(`tokens: expected create, list or revoke, got "${sub ?? ''}"`);
  return action(rest, io, env);
}

export const tokensCommand: Command = { usage: USAGE, run };
