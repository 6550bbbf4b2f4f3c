import type { FastifyInstance } from 'fastify';
import type { Database, InventoryScope } from '@winnow/db';
import {
  compilePolicies,
  decisionRecordSchema,
  STAGES,
  parseTime,
  type PolicyDocument,
  policyIssues,
  policyLabel,
  type Scope,
  type ValidationIssue,
} from '@winnow/engine';
import { ApiError } from '../errors';
import { previewPage } from '../preview';

const nullableString = { type: ['string', 'null'] };

interface PreviewBody {
  now?: string;
  scope?: Scope;
  policies?: unknown[];
  decision?: 'keep' | 'delete';
  stage?: string;
  repository?: string;
  cursor?: string;
  limit?: number;
}

const scopeKey = (scope: Scope): string => `${scope.level}:${policyLabel(scope)}`;

/** The stored policies, each replaced by an unsaved one of the same scope from the request. */
function effectivePolicies(
  stored: readonly PolicyDocument[],
  unsaved: readonly unknown[],
): PolicyDocument[] {
  const issues: ValidationIssue[] = [];
  const replacements = new Map<string, PolicyDocument>();
  unsaved.forEach((value, index) => {
    const own = policyIssues(value);
    if (own.length > 0) {
      issues.push(
        ...own.map((i) => ({ pointer: `/policies/${index}${i.pointer}`, message: i.message })),
      );
      return;
    }
    const document = value as PolicyDocument;
    const key = scopeKey(document.scope);
    if (replacements.has(key)) {
      issues.push({
        pointer: `/policies/${index}/scope`,
        message: 'expected at most one policy per scope',
      });
    }
    replacements.set(key, document);
  });
  if (issues.length > 0)
    throw new ApiError('policyInvalid', 'an unsaved policy is invalid', issues);
  const merged = new Map(stored.map((d) => [scopeKey(d.scope), d]));
  for (const [key, document] of replacements) merged.set(key, document);
  return [...merged.values()];
}

const cursorOf = (offset: number): string => Buffer.from(`o:${offset}`).toString('base64url');
function offsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match)
    throw new ApiError('validation', 'invalid cursor', [
      { pointer: '/body/cursor', message: 'expected a cursor from a previous page' },
    ]);
  return Number(match[1]);
}

/** What the scope reads: undefined for the whole server, null when no repository can be in it. */
function inventoryScope(scope: Scope | undefined): InventoryScope | undefined | null {
  if (!scope || scope.level === 'server') return undefined;
  if (scope.namespace === undefined) return null;
  if (scope.level === 'namespace') return { namespace: scope.namespace };
  return scope.repository === undefined
    ? null
    : { namespace: scope.namespace, name: scope.repository };
}

/** What the stored (or proposed) policies would do, and why: the same computation as `winnow evaluate`. */
export async function previewRoutes(
  app: FastifyInstance,
  { database }: { database: Database },
): Promise<void> {
  app.post<{ Body: PreviewBody }>(
    '/api/v1/preview',
    {
      schema: {
        tags: ['preview'],
        summary:
          'Evaluate the policies for the server, a namespace or a repository, without changing anything',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            now: { type: 'string', description: 'RFC 3339; default: the current time' },
            scope: {
              type: 'object',
              additionalProperties: false,
              required: ['level'],
              properties: {
                level: { enum: ['server', 'namespace', 'repository'] },
                namespace: { type: 'string' },
                repository: { type: 'string' },
              },
            },
            policies: {
              type: 'array',
              items: { type: 'object' },
              description: 'Unsaved documents replacing the stored policy of their scope',
            },
            decision: { enum: ['keep', 'delete'] },
            stage: { enum: STAGES },
            repository: {
              type: 'string',
              description: 'Only this repository path (namespace/name)',
            },
            cursor: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['now', 'summary', 'decisions', 'nextCursor'],
            properties: {
              now: { type: 'string' },
              summary: {
                type: 'object',
                required: ['repositories', 'tags', 'keep', 'delete'],
                properties: {
                  repositories: { type: 'integer' },
                  tags: { type: 'integer' },
                  keep: { type: 'integer' },
                  delete: { type: 'integer' },
                },
              },
              decisions: { type: 'array', items: decisionRecordSchema },
              nextCursor: nullableString,
            },
          },
          400: { $ref: 'ErrorBody#' },
        },
      },
    },
    async (request) => {
      const body = request.body;
      const nowMs = body.now === undefined ? Date.now() : parseTime(body.now);
      if (Number.isNaN(nowMs)) {
        throw new ApiError('validation', 'invalid now', [
          {
            pointer: '/body/now',
            message: 'expected an RFC 3339 time such as 2026-01-01T00:00:00Z',
          },
        ]);
      }
      // Only the policies that can apply in the scope: compiling a thousand takes 100 ms or more.
      const stored = (await database.policies.list({ applyingTo: body.scope })).map(
        (p) => p.document,
      );
      const policies = compilePolicies(effectivePolicies(stored, body.policies ?? []));
      const offset = offsetOf(body.cursor);
      const limit = body.limit ?? 1000;
      const scope = inventoryScope(body.scope);
      const now = new Date(nowMs);
      const page = await previewPage(
        scope === null ? [] : database.inventory.evaluationInputs({ scope }),
        policies,
        now,
        { decision: body.decision, stage: body.stage, repository: body.repository },
        { offset, limit },
      );
      return {
        now: now.toISOString(),
        summary: page.summary,
        decisions: page.decisions,
        nextCursor: page.more ? cursorOf(offset + limit) : null,
      };
    },
  );
  await Promise.resolve();
}
