import type { IncomingMessage } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { ServerConfig } from './config';
import { redactText, secretScrubber } from './redact';

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/**
 * Paths pino replaces with `[redacted]`, wherever a log call puts them: headers that carry
 * credentials, registry credentials and request bodies that hold them, the server's own secrets.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-registry-auth"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'credentials',
  '*.credentials',
  'auth.secret',
  'body.auth',
  'body.password',
  'body.secret',
  'body.token',
  'secretKey',
  '*.secretKey',
  'eventsSecret',
  '*.eventsSecret',
  'databaseUrl',
  '*.databaseUrl',
];

interface ErrorFields {
  readonly [key: string]: unknown;
  readonly type: string;
  readonly message: string;
  readonly stack: string;
}

/** An error as a log field: its type, message, code and stack, any URL credentials redacted. */
export function serializeError(error: unknown, depth = 0): ErrorFields {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: redactText(String(error)), stack: '' };
  }
  const fields: Record<string, unknown> = {};
  // Only plain values: an error's nested objects (a request, a client's options) may hold secrets.
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string') fields[key] = redactText(value);
    else if (typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return {
    type: error.name,
    ...fields,
    message: redactText(error.message),
    stack: redactText(error.stack ?? ''),
    ...(error.cause !== undefined &&
      depth < 3 && { cause: serializeError(error.cause, depth + 1) }),
  };
}

/** Fastify's request fields, the URL's secret-looking query parameters redacted. */
function serializeRequest(request: {
  method: string;
  url: string;
  ip?: string;
  host?: string;
}): Record<string, unknown> {
  return {
    method: request.method,
    url: redactText(request.url),
    host: request.host,
    remoteAddress: request.ip,
  };
}

/** The values of the configuration that must never reach a log line, in every form they take. */
export function configSecrets(config: ServerConfig): string[] {
  const secrets: string[] = [];
  if (config.eventsSecret !== undefined) secrets.push(config.eventsSecret);
  if (config.secretKey !== undefined) {
    const key = config.secretKey;
    secrets.push(key.toString('hex'), key.toString('base64'), key.toString('base64url'));
  }
  if (!config.databaseUrl.startsWith('file:')) {
    try {
      const password = new URL(config.databaseUrl).password;
      if (password !== '') secrets.push(password, decodeURIComponent(password));
    } catch {
      // Not a URL the server could open either: nothing to hide.
    }
  }
  return secrets;
}

/** pino's options: JSON lines at WINNOW_LOG_LEVEL, secrets redacted three ways (see docs/logging.md). */
export function loggerOptions(
  config: ServerConfig,
  stream?: { write(line: string): void },
): LoggerOptions {
  const scrub = secretScrubber(configSecrets(config));
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, req: serializeRequest },
    hooks: { streamWrite: scrub },
    ...(stream && { stream }),
  };
}

/** What an incoming `X-Request-Id` may be: short, and nothing that needs escaping anywhere. */
const REQUEST_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/** The request's id: its `X-Request-Id` when that is safe, a new UUID otherwise. */
export function requestIdOf(request: IncomingMessage, generate: () => string): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : generate();
}
