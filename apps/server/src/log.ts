/** What the worker needs of a logger: pino's (Fastify's) has it; tests pass Fastify's silent one. */
export interface Log {
  error(facts: object, message: string): void;
  warn(facts: object, message: string): void;
  info(facts: object, message: string): void;
  debug(facts: object, message: string): void;
}
