/**
 * What the worker needs of a logger: pino's (Fastify's) has it; tests pass Fastify's silent one.
 * `child` binds ids (runId, taskId, namespace, repository, registry, syncId) to every line it
 * writes, so an operator can follow one run or one repository (docs/logging.md).
 */
export interface Log {
  error(facts: object, message: string): void;
  warn(facts: object, message: string): void;
  info(facts: object, message: string): void;
  debug(facts: object, message: string): void;
  child(bindings: Record<string, unknown>): Log;
}

/** Milliseconds since `start` (a `Date.now()`), for the `durationMs` of lifecycle lines. */
export const since = (start: number): number => Date.now() - start;
