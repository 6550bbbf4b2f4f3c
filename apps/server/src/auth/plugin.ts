import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { ApiTokenRecord, Database } from '@winnow/db';
import { actorStorage } from '../audit';
import type { AuthConfig } from '../config';
import { ApiError } from '../errors';
import { type AccessTarget, ROUTE_ACCESS, type RouteAccess } from './access';
import { matches, tokenId } from './secrets';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route's access when ROUTE_ACCESS does not list it (e.g. a route a test adds). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The token the request authenticated with; undefined on public routes or WINNOW_AUTH=off. */
    apiToken: ApiTokenRecord | undefined;
  }
}

/** lastUsedAt is written at most this often per token (not a write per request). */
const TOUCH_INTERVAL_MS = 60_000;

const routeKey = (method: string, url: string): string =>
  `${method === 'HEAD' ? 'GET' : method} ${url}`;

/** Swagger UI's pages and assets: the same for everyone, nothing of Winnow's data. */
const isDocs = (url: string): boolean => url === '/docs' || url.startsWith('/docs/');

function accessOf(
  config: AuthConfig,
  method: string,
  url: string,
  declared?: RouteAccess,
): RouteAccess | undefined {
  if (declared) return declared;
  if (url === '/metrics')
    return config.metrics === 'open'
      ? { action: 'public' }
      : { action: 'read', target: () => 'catalogue' };
  if (isDocs(url)) return { action: 'public' };
  return ROUTE_ACCESS[routeKey(method, url)];
}

function unauthorized(reply: FastifyReply, message: string, invalid: boolean): ApiError {
  void reply.header(
    'www-authenticate',
    invalid ? 'Bearer realm="winnow", error="invalid_token"' : 'Bearer realm="winnow"',
  );
  return new ApiError('unauthorized', message);
}

function allowed(token: ApiTokenRecord, access: RouteAccess, target: AccessTarget): boolean {
  if (token.role === 'admin') return true;
  if (access.action === 'admin') return false;
  if (token.role === 'viewer') return access.action === 'read';
  if (target === 'catalogue') return access.action === 'read';
  return target !== 'server' && token.namespaces.includes(target.namespace);
}

async function authenticate(
  database: Database,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<ApiTokenRecord> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    throw unauthorized(reply, 'expected Authorization: Bearer <token>', false);
  }
  const match = /^Bearer +(\S+)$/i.exec(header);
  const presented = match?.[1];
  if (presented === undefined)
    throw unauthorized(reply, 'expected Authorization: Bearer <token>', true);
  const token = await database.apiTokens.get(tokenId(presented));
  const now = new Date();
  // One message for unknown, wrong, revoked and expired: nothing to learn from the difference.
  if (
    !token ||
    !matches(presented, token.hash) ||
    token.revokedAt !== null ||
    (token.expiresAt !== null && token.expiresAt <= now)
  ) {
    throw unauthorized(reply, 'the token is invalid, revoked or expired', true);
  }
  if (token.lastUsedAt === null || now.getTime() - token.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await database.apiTokens.touch(token.id, now);
  }
  return token;
}

/**
 * Authentication (onRequest: 401) and authorization (preValidation: 403) of every route from
 * ROUTE_ACCESS; the acting token's name is the audit actor. A route without an access entry
 * fails the app's start.
 */
async function auth(
  app: FastifyInstance,
  { database, config }: { database: Database; config: AuthConfig },
): Promise<void> {
  await Promise.resolve();
  const undeclared: string[] = [];
  app.decorateRequest('apiToken', undefined);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (!accessOf(config, method, route.url, route.config?.access))
        undeclared.push(routeKey(method, route.url));
    }
  });
  app.addHook('onReady', async () => {
    await Promise.resolve();
    if (undeclared.length > 0) {
      throw new Error(
        `routes without an access declaration (auth/access.ts): ${undeclared.join(', ')}`,
      );
    }
  });
  if (!config.enabled) {
    app.log.warn(
      'WINNOW_AUTH=off: AUTHENTICATION IS OFF, anyone who reaches this port can change policies and delete images; for local experiments only',
    );
    app.addHook('onRequest', async (_request, reply) => {
      void reply.header('x-winnow-auth', 'off');
      await Promise.resolve();
    });
    return;
  }
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined) return; // no route: 404
    const access = accessOf(config, request.method, url, request.routeOptions.config.access);
    if (!access || access.action === 'public') return;
    request.apiToken = await authenticate(database, request, reply);
  });
  app.addHook('preValidation', async (request) => {
    const token = request.apiToken;
    const url = request.routeOptions.url;
    if (!token || url === undefined) return;
    const access = accessOf(config, request.method, url, request.routeOptions.config.access);
    if (!access || access.action === 'public') return;
    const target = (await access.target?.(request, database)) ?? 'server';
    if (!allowed(token, access, target)) {
      const where =
        typeof target === 'object'
          ? ` in namespace "${target.namespace}"`
          : target === 'server'
            ? ' server-wide'
            : '';
      throw new ApiError(
        'forbidden',
        `token "${token.name}" (${token.role}) may not ${access.action === 'read' ? 'read' : 'change'} this${where}`,
      );
    }
  });
  // A callback hook: the handler runs inside `run`, so everything it awaits sees the actor.
  app.addHook('preHandler', (request, _reply, done) => {
    const token = request.apiToken;
    if (token) actorStorage.run(token.name, done);
    else done();
  });
}

export const authPlugin = fastifyPlugin(auth, { name: 'winnow-auth' });
