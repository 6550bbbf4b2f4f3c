import fc from 'fast-check';
import { parseTime } from './time';

describe('parseTime', () => {
  it.each([
    ['2026-01-02T03:04:05Z', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02t03:04:05z', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02T03:04:05.123Z', Date.UTC(2026, 0, 2, 3, 4, 5, 123)],
    ['2026-01-02T03:04:05.1239Z', Date.UTC(2026, 0, 2, 3, 4, 5, 123)],
    ['2026-01-02T03:04:05+02:00', Date.UTC(2026, 0, 2, 1, 4, 5)],
    ['2026-01-01T00:30:00-01:00', Date.UTC(2026, 0, 1, 1, 30, 0)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['1969-12-31T23:59:59Z', -1000],
  ])('%s', (text, expected) => {
    expect(parseTime(text)).toBe(expected);
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:60Z',
    '2026-01-01 00:00:00Z',
    '2026-01-01T00:00:00',
    '2026-01-01T00:00:00.Z',
    '2026-01-01T00:00:00+0100',
    '2026-01-01T00:00:00Zx',
    '26-01-01T00:00:00Z',
    '2026-1-01T00:00:00Z',
    '',
    'yesterday',
  ])('rejects %s', (text) => {
    expect(parseTime(text)).toBeNaN();
  });

  it('agrees with Date.parse on every real time', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1971-01-01T00:00:00Z'),
          max: new Date('2099-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('Z', '+05:30', '-08:00', '.5Z', '.987+01:00'),
        (date, suffix) => {
          const text = date.toISOString().slice(0, 19) + suffix;
          expect(parseTime(text)).toBe(Date.parse(text));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
