import type { PostgresTimeouts } from '@winnow/db';
import { redactText } from './redact';

/** Everything the server reads from its environment, read and checked here and nowhere else. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string;
  /** PostgreSQL: how long connecting and one statement may take before the database counts as unavailable. */
  readonly databaseTimeouts: PostgresTimeouts;
  readonly logLevel: LogLevel;
  readonly worker: WorkerConfig;
  /** How long an expired tag stays restorable before the worker purges it. */
  readonly restoreWindowMs: number;
  /** Blast-radius guard: the largest share of a repository's tags a run may expire; off when undefined. */
  readonly maxDeleteRatio: number | undefined;
  /** How long SIGTERM or SIGINT may take: the repository in hand, releasing claims, closing. */
  readonly shutdownTimeoutMs: number;
  /** How old a running run's counts may be in API answers; 0: summed on every read. */
  readonly runProgressMaxAgeMs: number;
  /** AES-256 key of the registries' secrets (32 bytes); none: registries without secrets only. */
  readonly secretKey: Buffer | undefined;
  /**
   * The bearer token registries send with their notifications (POST /api/v1/events/distribution);
   * undefined: the endpoint answers 503. Never logged.
   */
  readonly eventsSecret: string | undefined;
  /** Requests a minute one client (bearer token, else address) may make; off when undefined. */
  readonly rateLimitPerMinute: number | undefined;
  readonly auth: AuthConfig;
}

export interface AuthConfig {
  /** WINNOW_AUTH=off: every /api/v1 route answers without a token (local experiments only). */
  readonly enabled: boolean;
  /** The bootstrap administrator token; undefined: generated at first start. Never logged. */
  readonly adminToken: string | undefined;
  /** `open`: /metrics answers anyone (Prometheus scrapes it); `token`: it needs a token too. */
  readonly metrics: 'open' | 'token';
}

export interface WorkerConfig {
  readonly enabled: boolean;
  /** Pause between two cycles of the worker (a run created through the API wakes it at once). */
  readonly intervalMs: number;
  /** Tasks claimed at a time; also namespaces scheduled and tags purged at a time. */
  readonly batchSize: number;
  /** Repositories of a batch evaluated and applied at once (each in its own transaction). */
  readonly concurrency: number;
  /** How long a claim lasts without a heartbeat before another worker may take the task over. */
  readonly leaseMs: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Environment = Readonly<Record<string, string | undefined>>;

const unset = (value: string | undefined): value is undefined | '' =>
  value === undefined || value === '';

function port(value: string | undefined): number {
  if (unset(value)) return 8080;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65_535) {
    throw new ConfigError(`WINNOW_PORT: expected a port number from 1 to 65535, got "${value}"`);
  }
  return n;
}

function logLevel(value: string | undefined): LogLevel {
  if (unset(value)) return 'info';
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level)
    throw new ConfigError(
      `WINNOW_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`,
    );
  return level;
}

function databaseUrl(value: string | undefined): string {
  if (unset(value)) return 'file:./data/winnow.db';
  if (!/^(file:|postgres(ql)?:\/\/)/.test(value)) {
    throw new ConfigError(
      'DATABASE_URL: expected file:<path> (SQLite) or postgres://... (PostgreSQL)',
    );
  }
  return value;
}

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (unset(value)) return fallback;
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name}: expected true or false, got "${value}"`);
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `500ms`, `30s`, `5m`, `2h`, `14d`: a positive whole number and a unit. */
function duration(name: string, value: string | undefined, fallback: string): number {
  const text = unset(value) ? fallback : value;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN) : Number.NaN;
  if (!(ms > 0) || !Number.isSafeInteger(ms)) {
    throw new ConfigError(
      `${name}: expected a positive duration such as 500ms, 30s, 5m, 2h or 14d, got "${text}"`,
    );
  }
  return ms;
}

function integer(name: string, value: string | undefined, fallback: number, max: number): number {
  if (unset(value)) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw new ConfigError(`${name}: expected a whole number from 1 to ${max}, got "${value}"`);
  }
  return n;
}

function ratio(value: string | undefined): number | undefined {
  if (unset(value)) return 0.9;
  if (value === 'off') return undefined;
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(n > 0 && n <= 1)) {
    throw new ConfigError(
      `WINNOW_MAX_DELETE_RATIO: expected a number greater than 0 and at most 1, or off, got "${value}"`,
    );
  }
  return n;
}

function rateLimit(value: string | undefined): number | undefined {
  if (unset(value)) return 1200;
  if (value === 'off') return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1_000_000) {
    throw new ConfigError(
      `WINNOW_RATE_LIMIT: expected requests per minute from 1 to 1000000, or off, got "${value}"`,
    );
  }
  return n;
}

/** Long enough not to be guessed; a token, so no spaces (it goes in an Authorization header). */
function secret(value: string | undefined): string | undefined {
  if (unset(value)) return undefined;
  if (value.length < 16 || /\s/.test(value)) {
    // The value itself is never part of the message.
    throw new ConfigError(
      'WINNOW_EVENTS_SECRET: expected at least 16 characters and no spaces (e.g. openssl rand -hex 32)',
    );
  }
  return value;
}

function auth(env: Environment): AuthConfig {
  const metrics = unset(env.WINNOW_METRICS_AUTH) ? 'open' : env.WINNOW_METRICS_AUTH;
  if (metrics !== 'open' && metrics !== 'token') {
    throw new ConfigError(`WINNOW_METRICS_AUTH: expected open or token, got "${metrics}"`);
  }
  const adminToken = unset(env.WINNOW_ADMIN_TOKEN) ? undefined : env.WINNOW_ADMIN_TOKEN;
  if (adminToken !== undefined && (adminToken.length < 32 || !/^[\x21-\x7e]+$/.test(adminToken))) {
    // The value itself is never part of the message.
    throw new ConfigError(
      'WINNOW_ADMIN_TOKEN: expected at least 32 printable characters and no spaces (e.g. openssl rand -hex 32)',
    );
  }
  return { enabled: flag('WINNOW_AUTH', env.WINNOW_AUTH, true), adminToken, metrics };
}

function worker(env: Environment): WorkerConfig {
  const config = {
    enabled: flag('WINNOW_WORKER_ENABLED', env.WINNOW_WORKER_ENABLED, true),
    intervalMs: duration('WINNOW_WORKER_INTERVAL', env.WINNOW_WORKER_INTERVAL, '30s'),
    batchSize: integer('WINNOW_WORKER_BATCH_SIZE', env.WINNOW_WORKER_BATCH_SIZE, 100, 10_000),
    concurrency: integer('WINNOW_WORKER_CONCURRENCY', env.WINNOW_WORKER_CONCURRENCY, 4, 64),
    leaseMs: duration('WINNOW_LEASE_DURATION', env.WINNOW_LEASE_DURATION, '60s'),
  };
  // Leases are extended every third of their duration: shorter than a second leaves no margin.
  if (config.leaseMs < 1000) {
    throw new ConfigError(
      `WINNOW_LEASE_DURATION: expected at least 1s, got "${env.WINNOW_LEASE_DURATION ?? ''}"`,
    );
  }
  return config;
}

/** 32 bytes, as 64 hex digits or in base64. */
function secretKey(value: string | undefined): Buffer | undefined {
  if (unset(value)) return undefined;
  const text = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/]+={0,2}$/.test(text) || /^[A-Za-z0-9_-]+={0,2}$/.test(text)
      ? Buffer.from(text, 'base64')
      : undefined;
  if (key?.length !== 32) {
    throw new ConfigError(
      'WINNOW_SECRET_KEY: expected 32 bytes as 64 hex digits or in base64 (e.g. the output of `openssl rand -base64 32`)',
    );
  }
  return key;
}

/** Reads the configuration; throws a ConfigError that names the variable and what was expected. */
export function readConfig(env: Environment): ServerConfig {
  return {
    host: unset(env.WINNOW_HOST) ? '127.0.0.1' : env.WINNOW_HOST,
    port: port(env.WINNOW_PORT),
    databaseUrl: databaseUrl(env.DATABASE_URL),
    databaseTimeouts: {
      connectMs: duration(
        'WINNOW_DATABASE_CONNECT_TIMEOUT',
        env.WINNOW_DATABASE_CONNECT_TIMEOUT,
        '5s',
      ),
      queryMs: duration('WINNOW_DATABASE_QUERY_TIMEOUT', env.WINNOW_DATABASE_QUERY_TIMEOUT, '30s'),
    },
    logLevel: logLevel(env.WINNOW_LOG_LEVEL),
    worker: worker(env),
    restoreWindowMs: duration('WINNOW_RESTORE_WINDOW', env.WINNOW_RESTORE_WINDOW, '14d'),
    maxDeleteRatio: ratio(env.WINNOW_MAX_DELETE_RATIO),
    shutdownTimeoutMs: duration('WINNOW_SHUTDOWN_TIMEOUT', env.WINNOW_SHUTDOWN_TIMEOUT, '20s'),
    runProgressMaxAgeMs:
      env.WINNOW_RUN_PROGRESS_MAX_AGE === 'off'
        ? 0
        : duration('WINNOW_RUN_PROGRESS_MAX_AGE', env.WINNOW_RUN_PROGRESS_MAX_AGE, '1s'),
    secretKey: secretKey(env.WINNOW_SECRET_KEY),
    eventsSecret: secret(env.WINNOW_EVENTS_SECRET),
    rateLimitPerMinute: rateLimit(env.WINNOW_RATE_LIMIT),
    auth: auth(env),
  };
}

/** The URL with any password (and secret-looking query parameter) replaced, for logs. */
export function redactUrl(url: string): string {
  return redactText(url);
}
