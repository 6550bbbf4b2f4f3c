import type { Paint } from './colour';
import { colourOf } from './colour';

/** The narrowest a column is cut to when a table does not fit the terminal. */
const MIN_WIDTH = 6;

/** `text` in at most `width` characters, with `…` where it was cut. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * How wide each column may be so that a row fits `maxWidth`: the widest column gives way first,
 * one character at a time, never below MIN_WIDTH (then the row wraps rather than says nothing).
 */
function fitWidths(widths: number[], maxWidth: number | undefined): number[] {
  if (maxWidth === undefined || maxWidth <= 0) return widths;
  const fitted = [...widths];
  const total = () => fitted.reduce((sum, w) => sum + w, 0) + 2 * (fitted.length - 1);
  while (total() > maxWidth) {
    const widest = fitted.indexOf(Math.max(...fitted));
    if ((fitted[widest] ?? 0) <= MIN_WIDTH) break;
    fitted[widest] = (fitted[widest] ?? 0) - 1;
  }
  return fitted;
}

export interface ColumnOptions {
  /** Paints the cells of `colouredColumn` after padding, so colours never upset the alignment. */
  readonly paint?: Paint;
  readonly colouredColumn?: number;
  /** A terminal's width: long cells are cut (with `…`) so that rows do not wrap. */
  readonly maxWidth?: number;
}

/** Rows as aligned columns (two spaces apart, the last one not padded). */
export function formatColumns(
  rows: readonly (readonly string[])[],
  options: ColumnOptions = {},
): string[] {
  const natural: number[] = [];
  for (const row of rows)
    row.forEach((cell, c) => (natural[c] = Math.max(natural[c] ?? 0, cell.length)));
  const widths = fitWidths(natural, options.maxWidth);
  const { paint, colouredColumn = -1 } = options;
  return rows.map((row) =>
    row
      .map((cell, c) => {
        const width = widths[c] ?? 0;
        const cut = truncate(cell, width);
        const padded = c < row.length - 1 ? cut.padEnd(width) : cut;
        return c === colouredColumn && paint ? paint(padded, colourOf(cell)) : padded;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** The width tables are cut to: the terminal's, only when stdout is one (never in a pipe). */
export function tableWidth(stdout: { isTTY?: boolean; columns?: number }): number | undefined {
  return stdout.isTTY === true && stdout.columns !== undefined && stdout.columns > 0
    ? stdout.columns
    : undefined;
}
