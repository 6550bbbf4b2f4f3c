import type { FastifyInstance } from 'fastify';
import { type Database, DbErrorCode, type Schedule, WinnowDbError } from '@winnow/db';
import { policyLabel, type Scope } from '@winnow/engine';
import { audited } from '../audit';
import { ApiError } from '../errors';
import { checkSchedule, normalizeCron } from '../schedules/cron';
import { policyPaths, type ScopeParams, scopeOf } from './policies';

const scheduleSchema = {
  type: 'object',
  required: ['policy', 'cron', 'timezone', 'dryRun', 'nextRunAt', 'lastRunId'],
  properties: {
    policy: { type: 'string', description: 'server, <namespace> or <namespace>/<repository>' },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    dryRun: { type: 'boolean' },
    nextRunAt: { type: 'string', format: 'date-time' },
    lastRunId: { type: ['integer', 'null'] },
  },
} as const;

const bodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['cron'],
  properties: {
    cron: {
      type: 'string',
      minLength: 1,
      maxLength: 120,
      description:
        '5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly',
      examples: ['0 3 * * *'],
    },
    timezone: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      default: 'UTC',
      description: 'IANA time zone the expression is read in',
    },
    dryRun: { type: 'boolean', default: false },
  },
} as const;

interface ScheduleBody {
  cron: string;
  timezone?: string;
  dryRun?: boolean;
}

const scheduleJson = (scope: Scope, schedule: Schedule) => ({
  policy: policyLabel(scope),
  cron: schedule.cron,
  timezone: schedule.timezone,
  dryRun: schedule.dryRun,
  nextRunAt: schedule.nextRunAt.toISOString(),
  lastRunId: schedule.lastRunId,
});

const target = (scope: Scope) => `policy:${scope.level}:${policyLabel(scope)}`;

/** The store's WINNOW_DB_NOT_FOUND (no policy) in the words of the policy routes. */
async function ofPolicy<T>(scope: Scope, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WinnowDbError && error.code === DbErrorCode.notFound) {
      throw new ApiError('notFound', `no ${scope.level} policy "${policyLabel(scope)}"`);
    }
    throw error;
  }
}

/**
 * The optional schedule of each policy (`.../policy/schedule`): the worker starts a run of the
 * policy's scope each time its cron expression fires (docs/api.md, "Schedules").
 */
export async function scheduleRoutes(
  app: FastifyInstance,
  { database, clock }: { database: Database; clock: () => Date },
): Promise<void> {
  const noSchedule = (scope: Scope) =>
    new ApiError('notFound', `the ${scope.level} policy "${policyLabel(scope)}" has no schedule`);
  for (const [policyPath, params] of Object.entries(policyPaths)) {
    const path = `${policyPath}/schedule`;
    const base = { tags: ['policies'], ...(params ? { params } : {}) };
    app.get<{ Params: ScopeParams }>(
      path,
      {
        schema: {
          ...base,
          summary: "The policy's schedule: its cron expression, time zone, next and last run",
          response: { 200: scheduleSchema, 404: { $ref: 'ErrorBody#' } },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const schedule = await ofPolicy(scope, () => database.schedules.get(scope));
        if (schedule === null) throw noSchedule(scope);
        return scheduleJson(scope, schedule);
      },
    );
    app.put<{ Params: ScopeParams; Body: ScheduleBody }>(
      path,
      {
        schema: {
          ...base,
          summary:
            'Run the policy on a schedule: a cron expression in a time zone (default UTC), optionally as dry runs',
          body: bodySchema,
          response: {
            200: scheduleSchema,
            400: { $ref: 'ErrorBody#' },
            404: { $ref: 'ErrorBody#' },
          },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const input = {
          cron: normalizeCron(request.body.cron),
          timezone: request.body.timezone ?? 'UTC',
        };
        const checked = checkSchedule(input, clock());
        if ('issue' in checked) throw new ApiError('validation', 'invalid body', [checked.issue]);
        const { nextRunAt } = checked;
        const schedule = await audited(
          database,
          (stores) =>
            ofPolicy(scope, () =>
              stores.schedules.set(scope, {
                ...input,
                dryRun: request.body.dryRun ?? false,
                nextRunAt,
              }),
            ),
          (stored) => ({
            action: 'schedule.put',
            target: target(scope),
            details: { cron: stored.cron, timezone: stored.timezone, dryRun: stored.dryRun },
          }),
        );
        return scheduleJson(scope, schedule);
      },
    );
    app.delete<{ Params: ScopeParams }>(
      path,
      {
        schema: {
          ...base,
          summary: 'Stop running the policy on a schedule (the policy stays)',
          response: { 204: { type: 'null' }, 404: { $ref: 'ErrorBody#' } },
        },
      },
      async (request, reply) => {
        const scope = scopeOf(request.params);
        await audited(
          database,
          async (stores) => {
            if (!(await ofPolicy(scope, () => stores.schedules.clear(scope)))) {
              throw noSchedule(scope);
            }
          },
          () => ({ action: 'schedule.delete', target: target(scope) }),
        );
        return reply.status(204).send();
      },
    );
  }
  await Promise.resolve();
}
