import type { FastifyInstance } from 'fastify';
import { NamePattern } from '@winnow/engine';
import type { ApiTokenRecord, ApiTokenRole, Database } from '@winnow/db';
import { audited } from '../audit';
import { hashToken, newToken } from '../auth/secrets';
import { ApiError } from '../errors';

const tokenSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'role',
    'namespaces',
    'createdAt',
    'lastUsedAt',
    'expiresAt',
    'revokedAt',
  ],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'namespace_admin', 'viewer'] },
    namespaces: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { type: 'string', format: 'date-time', nullable: true },
    expiresAt: { type: 'string', format: 'date-time', nullable: true },
    revokedAt: { type: 'string', format: 'date-time', nullable: true },
  },
} as const;

/** A token as the API shows it: never its secret nor its hash. */
const tokenJson = (token: ApiTokenRecord) => ({
  id: token.id,
  name: token.name,
  role: token.role,
  namespaces: token.namespaces,
  createdAt: token.createdAt.toISOString(),
  lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  expiresAt: token.expiresAt?.toISOString() ?? null,
  revokedAt: token.revokedAt?.toISOString() ?? null,
});

interface CreateBody {
  name: string;
  role: ApiTokenRole;
  namespaces?: string[];
  expiresAt?: string;
}

/** API tokens: created (the secret shown once), listed, revoked. Administrators only. */
export async function tokenRoutes(
  app: FastifyInstance,
  { database, clock }: { database: Database; clock: () => Date },
): Promise<void> {
  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'API tokens, revoked ones included (never their secrets)',
        response: {
          200: {
            type: 'object',
            required: ['tokens'],
            properties: { tokens: { type: 'array', items: tokenSchema } },
          },
        },
      },
    },
    async () => ({ tokens: (await database.apiTokens.list()).map(tokenJson) }),
  );

  app.post<{ Body: CreateBody }>(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token; the answer holds its secret, shown this once',
        body: {
          type: 'object',
          required: ['name', 'role'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', pattern: NamePattern.namespace, maxLength: 100 },
            role: { type: 'string', enum: ['admin', 'namespace_admin', 'viewer'] },
            namespaces: {
              type: 'array',
              maxItems: 1000,
              uniqueItems: true,
              items: { type: 'string', pattern: NamePattern.namespace },
            },
            expiresAt: { type: 'string', format: 'date-time' },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['token', 'secret'],
            properties: { token: tokenSchema, secret: { type: 'string' } },
          },
          400: { $ref: 'ErrorBody#' },
          409: { $ref: 'ErrorBody#' },
        },
      },
    },
    async (request, reply) => {
      const { name, role, namespaces = [], expiresAt } = request.body;
      const issue = (pointer: string, message: string) =>
        new ApiError('validation', 'invalid body', [{ pointer, message }]);
      if (role === 'namespace_admin' && namespaces.length === 0)
        throw issue('/body/namespaces', 'expected at least one namespace for a namespace_admin');
      if (role !== 'namespace_admin' && namespaces.length > 0)
        throw issue(
          '/body/namespaces',
          'expected no namespaces: only a namespace_admin has grants',
        );
      const expires = expiresAt === undefined ? null : new Date(expiresAt);
      if (expires !== null && !(expires > clock()))
        throw issue('/body/expiresAt', 'expected a time in the future');
      const { id, token } = newToken();
      const created = await audited(
        database,
        (stores) =>
          stores.apiTokens.create({
            id,
            name,
            role,
            namespaces,
            hash: hashToken(token),
            expiresAt: expires,
          }),
        (record) => ({
          action: 'token.create',
          target: `token:${record.id}`,
          details: { name, role, namespaces },
        }),
      );
      return reply.code(201).send({ token: tokenJson(created), secret: token });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token: it answers 401 from now on',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^[a-z0-9]{1,64}$' } },
        },
        response: { 200: tokenSchema, 404: { $ref: 'ErrorBody#' } },
      },
    },
    async (request) => {
      const { id } = request.params;
      const revoked = await audited(
        database,
        (stores) => stores.apiTokens.revoke(id, clock()),
        () => ({ action: 'token.revoke', target: `token:${id}` }),
      );
      if (!revoked) throw new ApiError('notFound', `no token "${id}"`);
      return tokenJson(revoked);
    },
  );
  await Promise.resolve();
}
