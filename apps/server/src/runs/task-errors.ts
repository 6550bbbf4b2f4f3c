import { WinnowDbError, type TaskError } from '@winnow/db';
import { formatIssue, WinnowValidationError } from '@winnow/engine';

/** Stable codes of the errors a task can end with that are not another package's. */
export const TaskErrorCode = {
  repositoryGone: 'WINNOW_REPOSITORY_NOT_FOUND',
  internal: 'WINNOW_INTERNAL',
} as const;

/** An error that ends one repository's task with a code and a message meant for users. */
export class TaskFailure extends Error {
  override readonly name = 'TaskFailure';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_ISSUES = 5;

/**
 * The error as a task records it: a stable code and a message for users, never a stack trace.
 * `known` is false for anything else: its message may hold internals, so it is replaced (the log
 * keeps the error).
 */
export function taskErrorOf(error: unknown, taskId: number): { error: TaskError; known: boolean } {
  if (error instanceof TaskFailure || error instanceof WinnowDbError) {
    return { error: { code: error.code, message: error.message }, known: true };
  }
  if (error instanceof WinnowValidationError) {
    const shown = error.issues.slice(0, MAX_ISSUES).map(formatIssue);
    const more = error.issues.length - shown.length;
    return {
      error: {
        code: error.code,
        message: shown.join('; ') + (more > 0 ? `; and ${more} more` : ''),
      },
      known: true,
    };
  }
  return {
    error: {
      code: TaskErrorCode.internal,
      message: `internal error while evaluating or applying this repository; the server log has the details (task ${taskId})`,
    },
    known: false,
  };
}
