/** Everything the server reads from its environment, read and checked here and nowhere else. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string;
  readonly logLevel: LogLevel;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Environment = Readonly<Record<string, string | undefined>>;

function port(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65_535) {
    throw new ConfigError(`WINNOW_PORT: expected a port number from 1 to 65535, got "${value}"`);
  }
  return n;
}

function logLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level)
    throw new ConfigError(
      `WINNOW_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`,
    );
  return level;
}

function databaseUrl(value: string | undefined): string {
  if (value === undefined || value === '') return 'file:./data/winnow.db';
  if (!/^(file:|postgres(ql)?:\/\/)/.test(value)) {
    throw new ConfigError(
      'DATABASE_URL: expected file:<path> (SQLite) or postgres://... (PostgreSQL)',
    );
  }
  return value;
}

/** Reads the configuration; throws a ConfigError that names the variable and what was expected. */
export function readConfig(env: Environment): ServerConfig {
  return {
    host: env.WINNOW_HOST === undefined || env.WINNOW_HOST === '' ? '127.0.0.1' : env.WINNOW_HOST,
    port: port(env.WINNOW_PORT),
    databaseUrl: databaseUrl(env.DATABASE_URL),
    logLevel: logLevel(env.WINNOW_LOG_LEVEL),
  };
}

/** The URL with any password replaced, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
