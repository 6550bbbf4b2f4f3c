import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { EvaluationReport, TagDecision } from '@winnow/engine';
import { call, serverOf } from './api';
import { UsageError } from './errors';
import { OutputWriter } from './output';
import { renderTable } from './table';

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
