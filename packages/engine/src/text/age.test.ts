import fc from 'fast-check';
import { AGE_PATTERN, formatDuration, parseAge } from './age';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseAge', () => {
  const valid: [string, number][] = [
    ['1s', SECOND],
    ['45s', 45 * SECOND],
    ['1m', MINUTE], // `m` is minutes, not months
    ['90m', 90 * MINUTE],
    ['1h', HOUR],
    ['24h', DAY],
    ['1d', DAY],
    ['30d', 30 * DAY],
    ['1w', 7 * DAY],
    ['2w', 14 * DAY],
    ['1y', 365 * DAY], // `y` is 365 days, whatever the calendar
    ['10y', 3650 * DAY],
    ['100d', 100 * DAY],
  ];

  it.each(valid)('%j is %i ms', (text, ms) => {
    expect(parseAge(text)).toEqual({ text, ms });
  });

  it.each([
    ['zero', '0d'],
    ['zero with more zeros', '00d'],
    ['a leading zero', '01d'],
    ['a negative', '-1d'],
    ['a plus sign', '+1d'],
    ['a fraction', '1.5d'],
    ['a fraction without integer part', '.5d'],
    ['an exponent', '1e3s'],
    ['an unknown unit', '3x'],
    ['months', '1mo'],
    ['an upper-case unit', '30D'],
    ['an upper-case M', '5M'],
    ['no unit', '30'],
    ['no number', 'd'],
    ['two units', '1d12h'],
    ['a space', '30 d'],
    ['a leading space', ' 30d'],
    ['a trailing space', '30d '],
    ['a trailing newline', '30d\n'],
    ['a long unit name', '30days'],
    ['empty', ''],
    ['non-ASCII digits', '٣d'],
  ])('rejects %s (%j)', (_label, text) => {
    expect(parseAge(text)).toBeUndefined();
  });

  it('rejects ages beyond safe integers of milliseconds', () => {
    // Number.MAX_SAFE_INTEGER is 9007199254740991 ms, just under 285,617 years of 365 days.
    expect(parseAge('9007199254740s')).toEqual({ text: '9007199254740s', ms: 9007199254740000 });
    expect(parseAge('9007199254741s')).toBeUndefined();
    expect(parseAge('285616y')?.ms).toBe(285616 * 365 * DAY);
    expect(parseAge('285617y')).toBeUndefined();
    expect(parseAge('104249991375d')).toBeUndefined();
    expect(parseAge(`${'9'.repeat(400)}s`)).toBeUndefined(); // Infinity
  });

  it('returns a safe integer number of ms for every accepted age', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 20n }),
        fc.constantFrom('s', 'm', 'h', 'd', 'w', 'y'),
        (n, unit) => {
          const unitMs = { s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY, y: 365 * DAY }[unit];
          const exact = n * BigInt(unitMs);
          const age = parseAge(`${n}${unit}`);
          if (exact <= BigInt(Number.MAX_SAFE_INTEGER)) {
            expect(age?.ms).toBe(Number(exact));
          } else {
            expect(age).toBeUndefined();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('publishes a schema pattern that admits exactly the syntax parseAge reads', () => {
    const pattern = new RegExp(AGE_PATTERN);
    for (const [text] of valid) expect(pattern.test(text)).toBe(true);
    for (const text of ['0d', '-1d', '1.5d', '3x', '30D', '1d12h', '30', '01d']) {
      expect(pattern.test(text)).toBe(false);
    }
  });
});

describe('formatDuration', () => {
  const table: [number, string][] = [
    [0, '0s'],
    [999, '0s'], // rounded down
    [SECOND, '1s'],
    [40 * SECOND, '40s'],
    [MINUTE, '1m'],
    [MINUTE + 59 * SECOND, '1m 59s'],
    [2 * HOUR + 5 * MINUTE, '2h 5m'],
    [2 * HOUR + 5 * MINUTE + 30 * SECOND, '2h 5m'], // the two largest units only
    [HOUR, '1h'],
    [HOUR + 30 * SECOND, '1h'], // a zero second unit is left out
    [DAY, '1d'],
    [DAY - 1, '23h 59m'],
    [41 * DAY + 3 * HOUR, '41d 3h'],
    [41 * DAY + 3 * HOUR + 59 * MINUTE, '41d 3h'],
    [400 * DAY, '400d'], // no weeks or years
    [-(DAY + HOUR), '-1d 1h'], // a tag pushed after `now`
    [-500, '0s'],
  ];

  it.each(table)('%i ms → %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows the largest unit and the next one, rounded down', () => {
    const unitMs: Record<string, number> = { d: DAY, h: HOUR, m: MINUTE, s: SECOND };
    const next: Record<string, string> = { d: 'h', h: 'm', m: 's', s: 's' };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 * 365 * DAY }), (ms) => {
        const match = /^(\d+)([dhms])(?: (\d+)([hms]))?$/.exec(formatDuration(ms));
        if (!match) throw new Error(`unexpected form ${formatDuration(ms)}`);
        const [, first = '', unit = 's', second = '0', secondUnit] = match;
        const smaller = next[unit] ?? 's';
        if (secondUnit !== undefined) expect(secondUnit).toBe(smaller);
        const shown = Number(first) * (unitMs[unit] ?? 0) + Number(second) * (unitMs[smaller] ?? 0);
        expect(shown).toBeLessThanOrEqual(ms);
        expect(ms - shown).toBeLessThan(unitMs[smaller] ?? 0);
        if (unit !== 's') expect(Number(first)).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
