/** Stable error codes of the data layer. The server maps them to HTTP statuses in one place. */
export const DbErrorCode = {
  conflict: 'WINNOW_DB_CONFLICT',
  notFound: 'WINNOW_DB_NOT_FOUND',
  invalidArgument: 'WINNOW_DB_INVALID_ARGUMENT',
  restoreWindowEnded: 'WINNOW_DB_RESTORE_WINDOW_ENDED',
  unsupportedUrl: 'WINNOW_DB_UNSUPPORTED_URL',
  migrationModified: 'WINNOW_DB_MIGRATION_MODIFIED',
  migrationMissing: 'WINNOW_DB_MIGRATION_MISSING',
  migrationFailed: 'WINNOW_DB_MIGRATION_FAILED',
} as const;
export type DbErrorCode = (typeof DbErrorCode)[keyof typeof DbErrorCode];

export class WinnowDbError extends Error {
  override readonly name = 'WinnowDbError';
  constructor(
    readonly code: DbErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Prisma's known request errors that mean something to callers. */
const prismaCodes: Readonly<Record<string, DbErrorCode>> = {
  P2002: DbErrorCode.conflict, // unique constraint violated
  P2025: DbErrorCode.notFound, // record required by the operation not found
};

/** Turns a Prisma error into a WinnowDbError when it has a stable meaning; anything else as is. */
export function mapPrismaError(error: unknown, what: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const mapped = typeof code === 'string' ? prismaCodes[code] : undefined;
  if (mapped === undefined) return error;
  const reason = mapped === DbErrorCode.conflict ? 'already exists' : 'not found';
  return new WinnowDbError(mapped, `${what}: ${reason}`, { cause: error });
}

/** Runs `operation`, rethrowing Prisma errors as WinnowDbError where they have a stable code. */
export async function translated<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw mapPrismaError(error, what);
  }
}

/** Prisma's codes for a database it cannot reach, lost, or waited too long for. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Driver adapter error kinds (`meta.driverAdapterError.cause.kind`) with the same meaning. */
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
/**
 * PostgreSQL SQLSTATEs of a server shutting down or starting (57P01-57P03), and of a statement
 * cancelled past `statement_timeout` (57014): too slow to answer now.
 */
const UNAVAILABLE_SQLSTATES = /^57(?:P0[1-3]|014)$/;
/**
 * Node socket errors and pg's own messages for a connection that went away, or that did not
 * answer in time (pg's `connectionTimeoutMillis` and `query_timeout`, and pg-pool's wait for one).
 */
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Connection ended|Client has encountered a connection error|database is locked|SQLITE_BUSY|Query read timeout|timeout exceeded when trying to connect|^timeout expired$/;

/**
 * Whether `error` means the database cannot be reached for now (down, restarting, connection
 * lost, pool exhausted, SQLite busy) rather than that the operation itself is wrong: callers
 * answer 503 or retry later. Looks through `cause` chains, where drivers nest the socket error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const { code, message, meta, cause, name, kind } = e as {
      code?: unknown;
      message?: unknown;
      name?: unknown;
      kind?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } };
      cause?: unknown;
    };
    if (typeof code === 'string') {
      if (UNAVAILABLE_PRISMA_CODES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code)) return true;
      if (UNAVAILABLE_SQLSTATES.test(code)) return true;
    }
    // A driver adapter error thrown as is (inside an interactive transaction): its message, or
    // its cause's kind, is the kind.
    if (typeof kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(kind)) return true;
    if (name === 'DriverAdapterError' && typeof message === 'string') {
      if (UNAVAILABLE_ADAPTER_KINDS.has(message)) return true;
    }
    const adapter = meta?.driverAdapterError?.cause;
    if (typeof adapter?.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(adapter.kind))
      return true;
    if (adapter?.kind === 'postgres' && typeof adapter.code === 'string') {
      if (UNAVAILABLE_SQLSTATES.test(adapter.code)) return true;
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    e = cause;
  }
  return false;
}
