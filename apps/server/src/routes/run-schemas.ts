import type { RunRecord, RunTaskRecord } from '@winnow/db';
import { decisionRecordSchema, NamePattern } from '@winnow/engine';
import { namespaceName } from './inventory-schemas';

const integer = { type: 'integer' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled'];
export const TASK_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'];
export const RUN_TRIGGERS = ['api', 'schedule', 'cli'];
export const OUTCOMES = [
  'kept',
  'expired',
  'dry-run',
  'skipped-immutable',
  'blocked',
  'repushed',
  'missing',
  'untagged',
];

const OUTCOME_COUNTS = [
  'evaluated',
  'kept',
  'expired',
  'dryRun',
  'skippedImmutable',
  'blocked',
  'repushed',
  'missing',
  'untagged',
];
const countsOf = (names: readonly string[]) => ({
  type: 'object',
  required: names,
  properties: Object.fromEntries(names.map((n) => [n, integer])),
});

export const scopeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['level'],
  properties: {
    level: { type: 'string', enum: ['server', 'namespace', 'repository'] },
    namespace: namespaceName,
    repository: {
      type: 'string',
      pattern: NamePattern.repository,
      'x-expected': 'a repository name (lower case, may contain /)',
    },
  },
} as const;

export const runSchema = {
  type: 'object',
  required: [
    'id',
    'scope',
    'dryRun',
    'trigger',
    'triggeredBy',
    'status',
    'now',
    'cancelRequested',
    'createdAt',
    'startedAt',
    'finishedAt',
    'counts',
    'tasks',
  ],
  properties: {
    id: integer,
    scope: scopeSchema,
    dryRun: { type: 'boolean' },
    trigger: { type: 'string', enum: RUN_TRIGGERS },
    triggeredBy: { type: 'string' },
    status: { type: 'string', enum: RUN_STATUSES },
    now: time,
    cancelRequested: { type: 'boolean' },
    createdAt: time,
    startedAt: nullableTime,
    finishedAt: nullableTime,
    counts: countsOf(['repositories', 'errors', 'blockedRepositories', ...OUTCOME_COUNTS]),
    tasks: countsOf(TASK_STATUSES),
  },
} as const;

export const taskSchema = {
  type: 'object',
  required: [
    'id',
    'repository',
    'status',
    'owner',
    'leaseExpiresAt',
    'heartbeatAt',
    'attempts',
    'executions',
    'counts',
    'error',
    'startedAt',
    'finishedAt',
  ],
  properties: {
    id: integer,
    repository: { type: 'string' },
    status: { type: 'string', enum: TASK_STATUSES },
    owner: { type: ['string', 'null'] },
    leaseExpiresAt: nullableTime,
    heartbeatAt: nullableTime,
    attempts: integer,
    executions: integer,
    counts: countsOf(OUTCOME_COUNTS),
    error: {
      type: ['object', 'null'],
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
    startedAt: nullableTime,
    finishedAt: nullableTime,
  },
} as const;

/** A decision record and what applying it did. */
export const runDecisionSchema = {
  ...decisionRecordSchema,
  required: [...(decisionRecordSchema.required as string[]), 'outcome'],
  properties: {
    ...(decisionRecordSchema.properties as Record<string, unknown>),
    outcome: { type: 'string', enum: OUTCOMES },
  },
};

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function runJson(run: RunRecord) {
  return {
    ...run,
    now: run.now.toISOString(),
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
  };
}

export function taskJson(task: RunTaskRecord) {
  return {
    ...task,
    leaseExpiresAt: iso(task.leaseExpiresAt),
    heartbeatAt: iso(task.heartbeatAt),
    startedAt: iso(task.startedAt),
    finishedAt: iso(task.finishedAt),
  };
}
