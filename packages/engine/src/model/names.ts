/**
 * The OCI distribution grammar for names, as JSON Schema patterns: one place for the engine's
 * schemas and the API's parameters.
 */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';

export const NamePattern = {
  /** A namespace: one path component (`acme`). */
  namespace: `^${COMPONENT}$`,
  /** A repository inside its namespace: components joined by `/` (`web/api`). */
  repository: `^${COMPONENT}(?:/${COMPONENT})*$`,
  /** A tag (`v1.2.0`, `latest`). */
  tag: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$',
} as const;
