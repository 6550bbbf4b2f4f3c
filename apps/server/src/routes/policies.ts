import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '@winnow/db';
import {
  EngineErrorCode,
  NamePattern,
  parseDocuments,
  type PolicyDocument,
  policyLabel,
  type Scope,
  validatePolicies,
  WinnowValidationError,
} from '@winnow/engine';
import { audited, currentActor } from '../audit';
import { ApiError } from '../errors';
import { NUL_MESSAGE, nulPointer } from '../nul-guard';

const anyJson = {};

const storedPolicySchema = {
  type: 'object',
  required: ['policy', 'revision', 'updatedBy', 'updatedAt', 'document'],
  properties: {
    policy: { type: 'string', description: 'server, <namespace> or <namespace>/<repository>' },
    revision: { type: 'integer' },
    updatedBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    document: anyJson,
  },
} as const;

const revisionsSchema = {
  type: 'object',
  required: ['revisions'],
  properties: {
    revisions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['revision', 'createdBy', 'createdAt', 'document'],
        properties: {
          revision: { type: 'integer' },
          createdBy: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          document: anyJson,
        },
      },
    },
  },
} as const;

export interface ScopeParams {
  namespace?: string;
  repository?: string;
}

export function scopeOf(params: ScopeParams): Scope {
  if (params.repository !== undefined)
    return { level: 'repository', namespace: params.namespace, repository: params.repository };
  if (params.namespace !== undefined) return { level: 'namespace', namespace: params.namespace };
  return { level: 'server' };
}

const sameScope = (a: Scope, b: Scope): boolean =>
  a.level === b.level &&
  (a.namespace ?? null) === (b.namespace ?? null) &&
  (a.repository ?? null) === (b.repository ?? null);

/** The body as one validated policy document of the URL's scope (JSON, or YAML as text). */
function documentOf(body: unknown, scope: Scope): PolicyDocument {
  const sources =
    typeof body === 'string' ? parseDocuments(body, 'body') : [{ value: body, file: 'body' }];
  if (sources.length !== 1) {
    throw new ApiError('validation', 'expected exactly one policy document', [
      { pointer: '', message: `expected one document, found ${sources.length}` },
    ]);
  }
  // YAML's "\0" escape makes a NUL the raw text did not show (see nul-guard.ts).
  const nulAt = typeof body === 'string' ? nulPointer(sources[0]?.value, '') : undefined;
  if (nulAt !== undefined) {
    throw new WinnowValidationError(EngineErrorCode.policyInvalid, [
      { pointer: nulAt, message: NUL_MESSAGE },
    ]);
  }
  const [loaded] = validatePolicies(sources);
  const document = loaded?.policy;
  if (!document) throw new ApiError('validation', 'expected a policy document');
  if (!sameScope(document.scope, scope)) {
    throw new ApiError('validation', 'the document is for another scope', [
      {
        pointer: '/scope',
        message: `expected the scope of this URL: ${scope.level} "${policyLabel(scope)}"`,
      },
    ]);
  }
  return document;
}

/** The three policy paths and their parameters' schemas. */
export const policyPaths = {
  '/api/v1/policies/server': undefined,
  '/api/v1/namespaces/:namespace/policy': {
    type: 'object',
    required: ['namespace'],
    properties: {
      namespace: {
        type: 'string',
        pattern: NamePattern.namespace,
        'x-expected': 'a namespace name',
      },
    },
  },
  '/api/v1/namespaces/:namespace/repositories/:repository/policy': {
    type: 'object',
    required: ['namespace', 'repository'],
    properties: {
      namespace: { type: 'string', pattern: NamePattern.namespace },
      repository: {
        type: 'string',
        pattern: NamePattern.repository,
        description: 'URL-encoded when it contains /',
      },
    },
  },
} as const;

/** Policies at server, namespace and repository scope: get, put (new revision), delete, revisions. */
export async function policyRoutes(
  app: FastifyInstance,
  { database }: { database: Database },
): Promise<void> {
  for (const [path, params] of Object.entries(policyPaths)) {
    const base = { tags: ['policies'], ...(params ? { params } : {}) };
    const stored = async (request: FastifyRequest<{ Params: ScopeParams }>) => {
      const scope = scopeOf(request.params);
      const policy = await database.policies.get(scope);
      if (!policy)
        throw new ApiError('notFound', `no ${scope.level} policy "${policyLabel(scope)}"`);
      return {
        policy: policyLabel(scope),
        revision: policy.revision,
        updatedBy: policy.updatedBy,
        updatedAt: policy.updatedAt.toISOString(),
        document: policy.document,
      };
    };
    app.get<{ Params: ScopeParams }>(
      path,
      {
        schema: {
          ...base,
          summary: 'The policy of this scope',
          response: { 200: storedPolicySchema, 404: { $ref: 'ErrorBody#' } },
        },
      },
      stored,
    );
    app.put<{ Params: ScopeParams }>(
      path,
      {
        schema: {
          ...base,
          summary:
            'Create or replace the policy of this scope (JSON, or YAML with Content-Type: application/yaml); a new revision',
          body: anyJson,
          response: {
            200: storedPolicySchema,
            201: storedPolicySchema,
            400: { $ref: 'ErrorBody#' },
          },
        },
      },
      async (request, reply: FastifyReply) => {
        const scope = scopeOf(request.params);
        const document = documentOf(request.body, scope);
        const policy = await audited(
          database,
          (stores) => stores.policies.put(document, currentActor()),
          (stored) => ({
            action: 'policy.put',
            target: `policy:${scope.level}:${policyLabel(scope)}`,
            details: { revision: stored.revision },
          }),
        );
        void reply.status(policy.revision === 1 ? 201 : 200);
        return {
          policy: policyLabel(scope),
          revision: policy.revision,
          updatedBy: policy.updatedBy,
          updatedAt: policy.updatedAt.toISOString(),
          document: policy.document,
        };
      },
    );
    app.delete<{ Params: ScopeParams }>(
      path,
      {
        schema: {
          ...base,
          summary: 'Delete the policy of this scope and its revisions',
          response: { 204: { type: 'null' }, 404: { $ref: 'ErrorBody#' } },
        },
      },
      async (request, reply) => {
        const scope = scopeOf(request.params);
        await audited(
          database,
          (stores) => stores.policies.delete(scope),
          () => ({
            action: 'policy.delete',
            target: `policy:${scope.level}:${policyLabel(scope)}`,
          }),
        );
        return reply.status(204).send();
      },
    );
    app.get<{ Params: ScopeParams }>(
      `${path}/revisions`,
      {
        schema: {
          ...base,
          summary: 'Every revision of the policy of this scope, oldest first',
          response: { 200: revisionsSchema, 404: { $ref: 'ErrorBody#' } },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const revisions = await database.policies.listRevisions(scope);
        if (revisions.length === 0)
          throw new ApiError('notFound', `no ${scope.level} policy "${policyLabel(scope)}"`);
        return {
          revisions: revisions.map((r) => ({
            revision: r.revision,
            createdBy: r.createdBy,
            createdAt: r.createdAt.toISOString(),
            document: r.document,
          })),
        };
      },
    );
  }
  await Promise.resolve();
}
