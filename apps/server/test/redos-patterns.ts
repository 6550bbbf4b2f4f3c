import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The engine's ReDoS test patterns (packages/engine/test/redos-patterns.json), read, not copied. */
const patterns = JSON.parse(
  readFileSync(resolve(__dirname, '../../../packages/engine/test/redos-patterns.json'), 'utf8'),
) as { redos: string[]; refused: string[] };

export const REDOS_PATTERNS: readonly string[] = patterns.redos;
export const REFUSED_PATTERNS: readonly string[] = patterns.refused;
