import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DbErrorCode, isDatabaseUnavailable, WinnowDbError } from '@winnow/db';
import {
  EngineErrorCode,
  issuesFromAjv,
  type ValidationIssue,
  WinnowValidationError,
} from '@winnow/engine';
import { ApiError, ApiErrorCode, type ApiErrorKind, type ErrorBody } from './errors';

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  kind: ApiErrorKind,
  message: string,
  issues?: readonly { pointer: string; message: string }[],
): FastifyReply {
  const { code, status } = ApiErrorCode[kind];
  const body: ErrorBody = {
    error: {
      code,
      message,
      ...(issues && issues.length > 0
        ? { issues: issues.map((i) => ({ pointer: i.pointer, message: i.message })) }
        : {}),
      requestId: request.id,
    },
  };
  return reply.status(status).type('application/json').send(body);
}

const FASTIFY_CLIENT_ERRORS: Readonly<Record<string, ApiErrorKind>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupportedMediaType',
};

/**
 * A path or query parameter coerced to a number that is not finite ("1e400", "Infinity"): Ajv's
 * coercion turns such a string into Infinity and then skips `minimum`/`maximum` (it checks those
 * only on finite numbers), so without this the value reached the database (a 500).
 */
function nonFiniteParameter(request: FastifyRequest): ValidationIssue | undefined {
  for (const [where, values] of [
    ['params', request.params],
    ['querystring', request.query],
  ] as const) {
    if (typeof values !== 'object' || values === null) continue;
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return { pointer: `/${where}/${name}`, message: 'expected a finite number' };
      }
    }
  }
  return undefined;
}

/**
 * Fastify's own client errors: the body could not be read (empty, not JSON, a prototype-poisoning
 * key: pointer /body), or the URL could not be routed (malformed, a parameter too long: /url).
 */
function sendClientError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const where = error.code.startsWith('FST_ERR_CTP_') ? '/body' : '/url';
  return send(reply, request, 'validation', error.message, [
    { pointer: where, message: error.message },
  ]);
}

/**
 * Fastify's `frameworkErrors`: the router's errors (a malformed URL, a path parameter over
 * maxParamLength) never reach the error handler; this gives them the standard body too.
 */
export function sendFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void sendClientError(error, request, reply);
}

/**
 * One place maps every error to a status and a body: 4xx bodies name the field (JSON pointer)
 * and what was expected; 5xx bodies say nothing of the internals (the log has them).
 */
export const errorHandler = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError)
      return send(reply, request, error.kind, error.message, error.issues);
    if (error instanceof WinnowValidationError) {
      const kind =
        error.code === EngineErrorCode.inventoryInvalid ? 'inventoryInvalid' : 'policyInvalid';
      return send(reply, request, kind, 'the document is invalid', error.issues);
    }
    if (error instanceof WinnowDbError && error.code === DbErrorCode.notFound) {
      return send(reply, request, 'notFound', error.message);
    }
    if (error instanceof WinnowDbError && error.code === DbErrorCode.conflict) {
      return send(reply, request, 'conflict', error.message);
    }
    if (error instanceof WinnowDbError && error.code === DbErrorCode.restoreWindowEnded) {
      return send(reply, request, 'restoreWindowEnded', error.message);
    }
    if (error.validation) {
      const where = error.validationContext ?? 'request';
      const issues = issuesFromAjv(error.validation as Parameters<typeof issuesFromAjv>[0]).map(
        (i) => ({ pointer: `/${where}${i.pointer}`, message: i.message }),
      );
      return send(reply, request, 'validation', `invalid ${where}`, issues);
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit;
      return send(reply, request, 'payloadTooLarge', `the body is larger than ${limit} bytes`);
    }
    const mapped = FASTIFY_CLIENT_ERRORS[error.code];
    if (mapped) return send(reply, request, mapped, error.message);
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendClientError(error, request, reply);
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unreachable');
      void reply.header('retry-after', '5');
      return send(reply, request, 'unavailable', 'the database is not reachable; retry later');
    }
    request.log.error({ err: error }, 'request failed');
    return send(
      reply,
      request,
      'internal',
      'internal error; the server log has the details (see requestId)',
    );
  });
  app.addHook('preHandler', async (request) => {
    const issue = nonFiniteParameter(request);
    if (issue)
      throw new ApiError('validation', `invalid ${issue.pointer.split('/')[1] ?? ''}`, [issue]);
    await Promise.resolve();
  });
  app.setNotFoundHandler((request, reply) =>
    send(
      reply,
      request,
      'notFound',
      `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    ),
  );
  await Promise.resolve();
});
