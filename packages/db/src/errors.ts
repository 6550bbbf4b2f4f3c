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
