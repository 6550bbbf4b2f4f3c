import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Patterns for the ReDoS tests of the engine and of the server's policy routes (one JSON file). */
const patterns = JSON.parse(readFileSync(resolve(__dirname, 'redos-patterns.json'), 'utf8')) as {
  redos: string[];
  refused: string[];
};

/** The OWASP "Regular expression Denial of Service" examples and other classics. */
export const REDOS_PATTERNS: readonly string[] = patterns.redos;
/** Constructs RE2 lacks: backreferences and lookaround. */
export const REFUSED_PATTERNS: readonly string[] = patterns.refused;
