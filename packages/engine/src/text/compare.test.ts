import fc from 'fast-check';
import { compareCodePoints, compareNatural } from './compare';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe('compareNatural', () => {
  // [a, b, expected sign of compareNatural(a, b)]
  const table: [string, string, number][] = [
    ['build-9', 'build-10', -1],
    ['build-10', 'build-9', 1],
    ['build-10', 'build-10', 0],
    ['build-2', 'build-11', -1],
    ['build-100', 'build-99', 1],
    ['1', '2', -1],
    ['9', '10', -1],
    ['', '', 0],
    ['', 'a', -1],
    // leading zeros: the value first, then the shorter run
    ['build-09', 'build-10', -1],
    ['build-010', 'build-9', 1],
    ['build-007', 'build-7', 1],
    ['build-7', 'build-007', -1],
    ['0', '00', -1],
    ['00', '0', 1],
    ['a01b', 'a1c', 1], // the runs differ before the letters do
    // mixed: several runs, each compared on its own
    ['v1.9.0', 'v1.10.0', -1],
    ['v1.10.0', 'v1.10.1', -1],
    ['v2.0.0', 'v1.99.99', 1],
    ['1.2.10-rc.2', '1.2.10-rc.10', -1],
    ['a10b2', 'a10b10', -1],
    ['a10b', 'a9c', 1],
    ['2024-01-31', '2024-02-01', -1],
    // runs longer than a safe integer still compare by value
    ['12345678901234567890', '12345678901234567891', -1],
    ['99999999999999999999', '100000000000000000000', -1],
    // everything else by code point
    ['build', 'build-1', -1], // a prefix first
    ['a', 'b', -1],
    ['B', 'a', -1], // upper case before lower case
    ['1', 'a', -1], // digits before letters
    ['-', '.', -1],
    ['a-1', 'a.1', -1],
    ['a_1', 'a.1', 1],
    ['x1', 'x-', 1], // a digit against a non-digit: by code point
  ];

  it.each(table)('%j vs %j → %i', (a, b, expected) => {
    expect(sign(compareNatural(a, b))).toBe(expected);
  });

  it('sorts a shuffled list of builds numerically', () => {
    const names = ['build-1', 'build-2', 'build-9', 'build-10', 'build-11', 'build-100'];
    const shuffled = ['build-100', 'build-9', 'build-11', 'build-1', 'build-10', 'build-2'];
    expect(shuffled.slice().sort(compareNatural)).toEqual(names);
  });

  it('orders plain numbers by value', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (x, y) => {
        expect(sign(compareNatural(String(x), String(y)))).toBe(sign(x - y));
      }),
      { numRuns: 300 },
    );
  });

  const name = fc.string({
    unit: fc.constantFrom('a', 'b', '-', '.', '0', '0', '1', '2', '9'),
    maxLength: 8,
  });

  it('is a total order: antisymmetric, 0 only for equal names, transitive', () => {
    fc.assert(
      fc.property(name, name, name, (a, b, c) => {
        const ab = sign(compareNatural(a, b));
        expect(sign(compareNatural(b, a))).toBe(ab === 0 ? 0 : -ab);
        expect(ab === 0).toBe(a === b);
        const bc = sign(compareNatural(b, c));
        if (ab <= 0 && bc <= 0) expect(sign(compareNatural(a, c))).toBeLessThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it('sorts the same whatever the input order', () => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: 12 }), (names) => {
        const once = names.slice().sort(compareNatural);
        const again = names.slice().reverse().sort(compareNatural);
        expect(again).toEqual(once);
      }),
      { numRuns: 200 },
    );
  });
});

describe('compareCodePoints', () => {
  const table: [string, string, number][] = [
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['latest', 'latest', 0],
    ['', 'a', -1],
    ['v1', 'v1.0', -1], // a prefix first
    ['10', '9', -1], // not numeric
    ['build-10', 'build-9', -1],
    ['B', 'a', -1],
    ['Z', '_', -1],
    ['_', 'a', -1],
    ['-', '.', -1],
    ['.', '0', -1],
    ['9', 'A', -1],
    ['web/api', 'web-api', 1], // '/' (0x2f) after '-' (0x2d)
  ];

  it.each(table)('%j vs %j → %i', (a, b, expected) => {
    expect(sign(compareCodePoints(a, b))).toBe(expected);
  });

  it('agrees with comparing the code points one by one on ASCII names', () => {
    // Code points as numbers; for ASCII they are the UTF-16 code units.
    const ascii = fc.array(fc.integer({ min: 0x21, max: 0x7e }), { maxLength: 8 });
    fc.assert(
      fc.property(ascii, ascii, (pa, pb) => {
        const [a, b] = [String.fromCharCode(...pa), String.fromCharCode(...pb)];
        const k = pa.findIndex((p, i) => p !== pb[i]);
        const expected =
          k === -1
            ? sign(pa.length - pb.length)
            : k >= pb.length
              ? 1
              : sign((pa[k] ?? 0) - (pb[k] ?? 0));
        expect(sign(compareCodePoints(a, b))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
