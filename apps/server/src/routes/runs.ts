import type { FastifyInstance } from 'fastify';
import type {
  ApplyOutcome,
  Database,
  RunStatus,
  RunTaskStatus,
  RunTrigger,
  TransactionStores,
} from '@winnow/db';
import { type Scope, STAGES, type TagDecision } from '@winnow/engine';
import { currentActor } from '../audit';
import { ApiError } from '../errors';
import type { Metrics } from '../metrics';
import { observeFinishedRun, recordFinishedRun, runTarget } from '../runs/reporting';
import { logFinishedRun } from '../runs/run-log';
import type { WorkerSignals } from '../worker/worker';
import { decodeCursor, encodeCursor } from './cursor';
import {
  OUTCOMES,
  RUN_STATUSES,
  RUN_TRIGGERS,
  runDecisionSchema,
  runJson,
  runSchema,
  scopeSchema,
  TASK_STATUSES,
  taskJson,
  taskSchema,
} from './run-schemas';
import { idSchema } from './id-schema';

export interface RunRouteOptions {
  readonly database: Database;
  readonly metrics: Metrics;
  /** The time a run created now evaluates its policies at. */
  readonly clock: () => Date;
  /** The worker of this process, if it runs one. */
  readonly signals?: WorkerSignals;
}

const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } };
const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 100 } as const;
const cursor = { type: 'string', maxLength: 200 } as const;
const nextCursor = { type: ['string', 'null'] } as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: idSchema },
} as const;
const page = (key: string, items: unknown) => ({
  type: 'object',
  required: [key, 'nextCursor'],
  properties: { [key]: { type: 'array', items }, nextCursor },
});

/** A namespace for namespace and repository scopes, a repository for the latter only. */
function checkScope(scope: Scope): void {
  const issue = (field: string, message: string) =>
    new ApiError('validation', 'invalid body', [{ pointer: `/body/scope/${field}`, message }]);
  const wantsNamespace = scope.level !== 'server';
  const wantsRepository = scope.level === 'repository';
  if (wantsNamespace !== (scope.namespace !== undefined)) {
    throw issue(
      'namespace',
      `expected ${wantsNamespace ? 'a' : 'no'} namespace for a ${scope.level} scope`,
    );
  }
  if (wantsRepository !== (scope.repository !== undefined)) {
    throw issue(
      'repository',
      `expected ${wantsRepository ? 'a' : 'no'} repository for a ${scope.level} scope`,
    );
  }
}

async function existingRun(stores: Pick<TransactionStores, 'runs'>, id: number) {
  const run = await stores.runs.get(id);
  if (run === null) throw new ApiError('notFound', `no run ${id}`);
  return run;
}

/** Retention runs: trigger, list, read (tasks, decisions, policies), cancel. */
export async function runRoutes(app: FastifyInstance, options: RunRouteOptions): Promise<void> {
  const { database, metrics, clock, signals } = options;

  app.post<{ Body: { scope: Scope; dryRun?: boolean; trigger?: 'api' | 'cli' } }>(
    '/api/v1/runs',
    {
      schema: {
        tags: ['runs'],
        summary:
          'Start a run: evaluate the policies of a scope now and expire what they decide (nothing with dryRun)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['scope'],
          properties: {
            scope: scopeSchema,
            dryRun: { type: 'boolean', default: false },
            trigger: {
              type: 'string',
              enum: ['api', 'cli'],
              default: 'api',
              description: 'what started the run, as recorded and counted: `cli` from `winnow run`',
            },
          },
        },
        response: { 202: runSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { scope, dryRun = false, trigger = 'api' } = request.body;
      checkScope(scope);
      const run = await database.transaction(async (stores) => {
        const created = await stores.runs.create({
          scope,
          dryRun,
          trigger,
          triggeredBy: currentActor(),
          now: clock(),
        });
        await stores.audit.record({
          actor: currentActor(),
          action: 'run.create',
          target: runTarget(created.id),
          details: { scope, dryRun, repositories: created.counts.repositories },
        });
        // A scope without repositories gives a run finished at once.
        if (created.finishedAt !== null) await recordFinishedRun(stores, created, currentActor());
        return created;
      });
      request.log.info(
        { runId: run.id, scope, dryRun, repositories: run.counts.repositories },
        'run created',
      );
      if (run.finishedAt !== null) {
        observeFinishedRun(metrics, run);
        logFinishedRun(request.log, run);
      } else signals?.wake();
      return reply.status(202).header('location', `/api/v1/runs/${run.id}`).send(runJson(run));
    },
  );

  app.get<{
    Querystring: { status?: RunStatus; trigger?: RunTrigger; cursor?: string; limit: number };
  }>(
    '/api/v1/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Runs, newest first; pass nextCursor as cursor for the next page',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: RUN_STATUSES },
            trigger: { type: 'string', enum: RUN_TRIGGERS },
            cursor,
            limit,
          },
        },
        response: { 200: page('runs', runSchema), 400: { $ref: 'ErrorBody#' } },
      },
    },
    async (request) => {
      const { status, trigger, limit: size } = request.query;
      const [before] = decodeCursor(request.query.cursor, 'runs', 1, '/querystring/cursor') ?? [];
      const result = await database.runs.list({
        ...(status !== undefined && { status }),
        ...(trigger !== undefined && { trigger }),
        ...(before !== undefined && { before }),
        limit: size,
      });
      return {
        runs: result.items.map(runJson),
        nextCursor: result.next === null ? null : encodeCursor('runs', [result.next]),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/runs/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'One run: status, counts (live while it runs), timings',
        params: idParams,
        response: { 200: runSchema, ...errors },
      },
    },
    async (request) => runJson(await existingRun(database, request.params.id)),
  );

  app.get<{
    Params: { id: number };
    Querystring: { status?: RunTaskStatus; cursor?: string; limit: number };
  }>(
    '/api/v1/runs/:id/repositories',
    {
      schema: {
        tags: ['runs'],
        summary: "The run's repositories (one task each): status, counts, error",
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: TASK_STATUSES }, cursor, limit },
        },
        response: { 200: page('repositories', taskSchema), ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      await existingRun(database, id);
      const { status, limit: size } = request.query;
      const [after] = decodeCursor(request.query.cursor, 'tasks', 1, '/querystring/cursor') ?? [];
      const result = await database.runs.listTasks(id, {
        ...(status !== undefined && { status }),
        ...(after !== undefined && { after }),
        limit: size,
      });
      return {
        repositories: result.items.map(taskJson),
        nextCursor: result.next === null ? null : encodeCursor('tasks', [result.next]),
      };
    },
  );

  app.get<{
    Params: { id: number };
    Querystring: {
      decision?: TagDecision['decision'];
      stage?: TagDecision['stage'];
      outcome?: ApplyOutcome;
      repository?: string;
      cursor?: string;
      limit: number;
    };
  }>(
    '/api/v1/runs/:id/decisions',
    {
      schema: {
        tags: ['runs'],
        summary: 'Decision records of the applied repositories, each with what applying it did',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            decision: { type: 'string', enum: ['keep', 'delete'] },
            stage: { type: 'string', enum: STAGES },
            outcome: { type: 'string', enum: OUTCOMES },
            repository: { type: 'string', maxLength: 512, description: 'namespace/name' },
            cursor,
            limit,
          },
        },
        response: { 200: page('decisions', runDecisionSchema), ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      await existingRun(database, id);
      const { cursor: text, limit: size, ...filter } = request.query;
      const position = decodeCursor(text, 'decisions', 2, '/querystring/cursor');
      const result = await database.runs.listDecisions(id, {
        ...filter,
        ...(position !== undefined && {
          after: { taskId: position[0] ?? 0, index: position[1] ?? 0 },
        }),
        limit: size,
      });
      return {
        decisions: result.items,
        nextCursor:
          result.next === null
            ? null
            : encodeCursor('decisions', [result.next.taskId, result.next.index]),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/runs/:id/policies',
    {
      schema: {
        tags: ['runs'],
        summary: 'The policy documents the run evaluates: those of its scope when it was created',
        params: idParams,
        response: {
          200: {
            type: 'object',
            required: ['policies'],
            properties: { policies: { type: 'array', items: {} } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const policies = await database.runs.policies(request.params.id);
      if (policies === null) {
        await existingRun(database, request.params.id);
        throw new ApiError('notFound', `run ${request.params.id} kept no policies`);
      }
      return { policies };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/v1/runs/:id/cancel',
    {
      schema: {
        tags: ['runs'],
        summary:
          'Cancel a run: queued repositories are cancelled at once, the ones in hand finish (200 when the run ended, 202 while it ends; 409 if it had finished)',
        params: idParams,
        response: { 200: runSchema, 202: runSchema, ...errors, 409: { $ref: 'ErrorBody#' } },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { run, finishedNow } = await database.transaction(async (stores) => {
        const before = await existingRun(stores, id);
        if (before.finishedAt !== null) {
          throw new ApiError('conflict', `run ${id} has already finished (${before.status})`);
        }
        const result = await stores.runs.cancel(id);
        await stores.audit.record({
          actor: currentActor(),
          action: 'run.cancel',
          target: runTarget(id),
          details: { status: result.run.status },
        });
        if (result.finishedNow) await recordFinishedRun(stores, result.run, currentActor());
        return result;
      });
      request.log.info({ runId: id }, 'run cancel requested');
      if (finishedNow) {
        observeFinishedRun(metrics, run);
        logFinishedRun(request.log, run);
      } else signals?.cancelled(id);
      return reply.status(run.finishedAt === null ? 202 : 200).send(runJson(run));
    },
  );
  await Promise.resolve();
}
