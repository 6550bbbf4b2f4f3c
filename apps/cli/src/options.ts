import { UsageError } from './errors';

/** Checks `--format`: table (the default) or json. */
export function formatOf(value: string | undefined): 'table' | 'json' {
  if (value === undefined) return 'table';
  if (value === 'table' || value === 'json') return value;
  throw new UsageError(`--format: expected table or json, got "${value}"`);
}

/** Checks an option that must be a whole number from 1 to `max`. */
export function wholeNumber(flag: string, value: string, max?: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > (max ?? Number.MAX_SAFE_INTEGER)) {
    const range = max === undefined ? '1 or more' : `from 1 to ${max}`;
    throw new UsageError(`${flag}: expected a whole number ${range}, got "${value}"`);
  }
  return n;
}
