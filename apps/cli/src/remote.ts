import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { EvaluationReport, TagDecision } from '@winnow/engine';
import { RemoteError, UsageError } from './errors';
import { OutputWriter } from './output';
import { renderTable } from './table';

/** Talks to a running Winnow server: `--server URL`, else WINNOW_URL, else the default address. */
const DEFAULT_SERVER = 'http://127.0.0.1:8080';

interface ErrorBody {
  error?: { code?: string; message?: string; issues?: { pointer: string; message: string }[] };
}

function serverOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const url = flag ?? env.WINNOW_URL ?? DEFAULT_SERVER;
  if (!/^https?:\/\//.test(url))
    throw new UsageError(`--server: expected an http(s) URL, got "${url}"`);
  return url.replace(/\/+$/, '');
}

async function call(
  server: string,
  path: string,
  init: RequestInit = {},
  what = path,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${server}${path}`, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new RemoteError(
      [`cannot reach the server at ${server}: ${cause?.code ?? cause?.message ?? String(error)}`],
      1,
    );
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  const issues = body.error?.issues ?? [];
  const lines =
    issues.length > 0
      ? issues.map((i) => `${what}: ${i.pointer === '' ? '(document)' : i.pointer}: ${i.message}`)
      : [`${what}: ${response.status} ${body.error?.message ?? response.statusText}`];
  throw new RemoteError(lines, response.status === 400 ? 2 : 1);
}

/** `winnow import FILE`: sends a snapshot to the server (idempotent). */
export async function importCommand(
  args: string[],
  stderr: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { server: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    throw new UsageError('import: exactly one FILE is required');
  const text = await readFile(file, 'utf8');
  const response = await call(
    serverOf(values.server, env),
    '/api/v1/inventory/import',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: text },
    file,
  );
  const { repositories } = (await response.json()) as { repositories: number };
  stderr.write(
    `imported ${repositories} repositor${repositories === 1 ? 'y' : 'ies'} from ${file}\n`,
  );
  return 0;
}

/** `winnow export`: the server's inventory as a snapshot on stdout, streamed. */
export async function exportCommand(
  args: string[],
  stdout: Writable,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseArgs({ args, options: { server: { type: 'string' } }, strict: true });
  const response = await call(serverOf(values.server, env), '/api/v1/inventory/export');
  const out = new OutputWriter(stdout);
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? [])
    await out.write(decoder.decode(chunk as Uint8Array, { stream: true }));
  await out.write(decoder.decode());
  await out.flush();
  return 0;
}

interface PreviewPage {
  now: string;
  summary: EvaluationReport['summary'];
  decisions: TagDecision[];
  nextCursor: string | null;
}

/** `winnow preview`: the server's preview, every page, as a table (or the JSON of `evaluate`). */
export async function previewCommand(
  args: string[],
  stdout: Writable,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      now: { type: 'string' },
      namespace: { type: 'string' },
      repository: { type: 'string' },
      decision: { type: 'string' },
      stage: { type: 'string' },
      format: { type: 'string', default: 'table' },
    },
    strict: true,
  });
  if (values.format !== 'json' && values.format !== 'table')
    throw new UsageError(`--format: expected json or table, got "${values.format}"`);
  if (values.repository !== undefined && values.namespace === undefined)
    throw new UsageError('preview: --repository needs --namespace');
  const scope =
    values.namespace === undefined
      ? undefined
      : values.repository === undefined
        ? { level: 'namespace', namespace: values.namespace }
        : { level: 'repository', namespace: values.namespace, repository: values.repository };
  const server = serverOf(values.server, env);
  const request = {
    ...(values.now === undefined ? {} : { now: values.now }),
    ...(scope ? { scope } : {}),
    ...(values.decision === undefined ? {} : { decision: values.decision }),
    ...(values.stage === undefined ? {} : { stage: values.stage }),
    limit: 10_000,
  };
  const decisions: TagDecision[] = [];
  let page: PreviewPage;
  let cursor: string | null = null;
  do {
    const body = JSON.stringify(cursor === null ? request : { ...request, cursor });
    const response = await call(
      server,
      '/api/v1/preview',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body },
      'preview',
    );
    page = (await response.json()) as PreviewPage;
    decisions.push(...page.decisions);
    cursor = page.nextCursor;
  } while (cursor !== null);
  const report: EvaluationReport = { now: page.now, summary: page.summary, decisions };
  const out = new OutputWriter(stdout);
  if (values.format === 'json') await out.write(`${JSON.stringify(report)}\n`);
  else for (const line of renderTable(report)) await out.write(line);
  await out.flush();
  return 0;
}
