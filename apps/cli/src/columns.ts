import type { Paint } from './colour';
import { colourOf } from './colour';

/**
 * Rows as aligned columns (two spaces apart, the last one not padded). The cells of
 * `colouredColumn` are painted after padding, so colours never upset the alignment.
 */
export function formatColumns(
  rows: readonly (readonly string[])[],
  paint?: Paint,
  colouredColumn = -1,
): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, c) => {
        const padded = c < row.length - 1 ? cell.padEnd(widths[c] ?? 0) : cell;
        return c === colouredColumn && paint ? paint(padded, colourOf(cell)) : padded;
      })
      .join('  ')
      .trimEnd(),
  );
}
