/** A mistake in how the command was called: printed with the usage, exit status 2. */
export class UsageError extends Error {}

/** The server said no, or could not be reached: each line is printed, then `exitCode`. */
export class RemoteError extends Error {
  constructor(
    readonly lines: readonly string[],
    readonly exitCode: number,
  ) {
    super(lines.join('\n'));
  }
}

/** No server answered at all (refused, unknown host, reset): exit status 1. */
export class UnreachableError extends RemoteError {
  constructor(server: string, reason: string) {
    super([`cannot reach the server at ${server}: ${reason}`], 1);
  }
}
