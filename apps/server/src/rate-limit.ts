import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from './errors';

/**
 * Every JSON body but the inventory import's (streamed, with a limit of its own): the largest
 * policy document or registry notification envelope is a few kilobytes, so 1 MiB leaves a wide
 * margin while bounding what a request can make the server parse and hold.
 */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Probes and scrapes come on a schedule from the platform, never from a client to slow down. */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The client a request counts against: its bearer token when it sends one (so clients behind one
 * proxy or NAT do not share a budget), else its address. The token is hashed: the limiter's table
 * never holds a credential.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const authorization = request.headers.authorization;
  const token = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  if (token?.[1]) return `token:${createHash('sha256').update(token[1]).digest('hex')}`;
  return `ip:${request.ip}`;
}

/**
 * Requests per minute per client (WINNOW_RATE_LIMIT); every route but the probes and /metrics.
 * Past it: 429 WINNOW_RATE_LIMITED with Retry-After (seconds). Registered before the routes: the
 * limiter attaches itself to each route as it is added.
 */
export const rateLimits = fp(
  async (app: FastifyInstance, { perMinute }: { perMinute: number | undefined }) => {
    if (perMinute === undefined) return;
    await app.register(rateLimit, {
      max: perMinute,
      timeWindow: 60_000,
      keyGenerator: rateLimitKey,
      allowList: (request) => EXEMPT.has(request.routeOptions.url ?? ''),
      errorResponseBuilder: (_request, context) =>
        new ApiError(
          'rateLimited',
          `more than ${context.max} requests a minute from this client; retry in ${context.after}`,
        ),
    });
  },
);
