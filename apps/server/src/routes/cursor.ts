import { ApiError } from '../errors';

/** An opaque page cursor: a kind and whole numbers (a run id, a task id and an index, ...). */
export function encodeCursor(kind: string, parts: readonly number[]): string {
  return Buffer.from(`${kind}:${parts.join(':')}`).toString('base64url');
}

/** The numbers of a cursor of `kind`; a 400 at `pointer` for anything else. */
export function decodeCursor(
  cursor: string | undefined,
  kind: string,
  count: number,
  pointer: string,
): number[] | undefined {
  if (cursor === undefined) return undefined;
  const [prefix, ...parts] = Buffer.from(cursor, 'base64url').toString().split(':');
  const numbers = parts.map(Number);
  if (
    prefix !== kind ||
    numbers.length !== count ||
    !numbers.every((n, i) => Number.isSafeInteger(n) && /^-?\d+$/.test(parts[i] ?? ''))
  ) {
    throw new ApiError('validation', 'invalid cursor', [
      { pointer, message: 'expected the nextCursor of a previous page' },
    ]);
  }
  return numbers;
}
