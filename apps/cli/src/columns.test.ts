import { painterFor } from './colour';
import { formatColumns, tableWidth, truncate } from './columns';

const rows = [
  ['REPOSITORY', 'STATUS', 'ERROR'],
  ['acme/web/api', 'done', ''],
  ['acme/broken', 'failed', 'WINNOW_INVENTORY_INVALID: tag "a" has no push time'],
];

describe('formatColumns', () => {
  it('aligns columns two spaces apart, the last one unpadded', () => {
    expect(formatColumns(rows)).toEqual([
      'REPOSITORY    STATUS  ERROR',
      'acme/web/api  done',
      'acme/broken   failed  WINNOW_INVENTORY_INVALID: tag "a" has no push time',
    ]);
  });

  it('cuts the widest cells with … so that every row fits the width', () => {
    const lines = formatColumns(rows, { maxWidth: 40 });
    expect(lines).toEqual([
      'REPOSITORY    STATUS  ERROR',
      'acme/web/api  done',
      'acme/broken   failed  WINNOW_INVENTORY_…',
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
  });

  it('never cuts a column below 6 characters: a very narrow terminal wraps instead', () => {
    const lines = formatColumns(rows, { maxWidth: 10 });
    expect(lines[2]).toBe('acme/…  failed  WINNO…');
  });

  it('paints a column after padding, so colours keep the alignment', () => {
    const paint = painterFor({ isTTY: true }, {});
    const [, done, failed] = formatColumns(rows, { paint, colouredColumn: 1 });
    expect(done).toBe('acme/web/api  \x1b[32mdone  \x1b[0m');
    // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
    expect(failed).toMatch(/^acme\/broken {3}\x1b\[31mfailed\x1b\[0m {2}WINNOW_/);
  });
});

describe('truncate and tableWidth', () => {
  it.each([
    ['abcdef', 6, 'abcdef'],
    ['abcdefg', 6, 'abcde…'],
  ])('truncate(%s, %i) is %s', (text, width, cut) => {
    expect(truncate(text, width)).toBe(cut);
  });

  it('cuts tables only on a terminal', () => {
    expect(tableWidth({ isTTY: true, columns: 100 })).toBe(100);
    expect(tableWidth({ isTTY: false, columns: 100 })).toBeUndefined();
    expect(tableWidth({ isTTY: true, columns: 0 })).toBeUndefined();
  });
});
