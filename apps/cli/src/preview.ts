import { parseArgs } from 'node:util';
import type { EvaluationReport, TagDecision } from '@winnow/engine';
import { callJson, serverOf } from './api';
import { tableWidth } from './columns';
import { type Command, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { OutputWriter } from './output';
import { scopeOf } from './scope';
import { renderTable } from './table';

const USAGE = `Usage: winnow preview [--server URL] [--now T] [--namespace NS [--repository NAME]]
                      [--decision keep|delete] [--stage STAGE] [--format table|json]

Prints what the server's stored policies would decide now (or at --now), every page of it,
changing nothing: a table per repository (the default), or with --format json exactly what
winnow evaluate prints for the same snapshot and policies.

Examples:
  winnow preview --namespace acme --decision delete
  winnow preview --now 2026-11-01T00:00:00Z --format json | jq .summary
`;

interface PreviewPage {
  now: string;
  summary: EvaluationReport['summary'];
  decisions: TagDecision[];
  nextCursor: string | null;
}

/** `winnow preview`: the server's preview, every page, as a table (or the JSON of `evaluate`). */
async function run(args: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
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
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError('preview: expected no argument');
  if (values.format !== 'json' && values.format !== 'table')
    throw new UsageError(`--format: expected json or table, got "${values.format}"`);
  const scope = scopeOf(values.namespace, values.repository, 'preview');
  const server = serverOf(values.server, env);
  const request = {
    ...(values.now === undefined ? {} : { now: values.now }),
    ...(scope.level === 'server' ? {} : { scope }),
    ...(values.decision === undefined ? {} : { decision: values.decision }),
    ...(values.stage === undefined ? {} : { stage: values.stage }),
    limit: 10_000,
  };
  const decisions: TagDecision[] = [];
  let page: PreviewPage;
  let cursor: string | null = null;
  do {
    const body = JSON.stringify(cursor === null ? request : { ...request, cursor });
    ({ body: page } = await callJson<PreviewPage>(
      server,
      '/api/v1/preview',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body },
      'preview',
    ));
    decisions.push(...page.decisions);
    cursor = page.nextCursor;
  } while (cursor !== null);
  const report: EvaluationReport = { now: page.now, summary: page.summary, decisions };
  const out = new OutputWriter(io.stdout);
  if (values.format === 'json') await out.write(`${JSON.stringify(report)}\n`);
  else for (const line of renderTable(report, tableWidth(io.stdout))) await out.write(line);
  await out.flush();
  return EXIT_OK;
}

export const previewCommand: Command = { usage: USAGE, run };
