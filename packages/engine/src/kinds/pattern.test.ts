import fc from 'fast-check';
import { globToRegexSource } from '../text/glob';
import { compileRegex } from '../text/regex';
import { compilePattern, requiredPrefixes } from './pattern';

// Patterns of the shapes that take the direct path, and some that do not.
const GLOBS = [
  'latest',
  'v*',
  '*-rc',
  'main-*-x',
  'a/*',
  '*/b',
  'x.y*',
  'v1.*',
  '*',
  'a*b*',
  '{a,b}*',
  'v?',
];
const REGEXES = [
  '^main-',
  'rc$',
  '^latest$',
  'abc',
  '^v1\\.2',
  '^a/b',
  '^a.b$',
  'x\\$',
  '^(a|b)-',
  'a+$',
  '\\.sig$',
];
const name = fc.stringMatching(/^[a-cvx1-2.\-/$]{0,8}$/);

describe('compilePattern', () => {
  it('gives the RE2 answer for every glob, on its direct path or not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...GLOBS), name, fc.boolean(), (glob, input, negate) => {
        const expected = compileRegex(globToRegexSource(glob)).test(input);
        expect(compilePattern({ glob, negate }).test(input)).toBe(negate ? !expected : expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the RE2 answer for every regex, on its direct path or not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REGEXES), name, (regex, input) => {
        expect(compilePattern({ regex }).test(input)).toBe(compileRegex(regex).test(input));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads certain prefixes only', () => {
    expect(requiredPrefixes('^v[0-9]+\\.[0-9]+')).toEqual(['v']);
    expect(requiredPrefixes('^(?:main|feature)-')).toEqual(['main', 'feature']);
    expect(requiredPrefixes('^ab?c')).toEqual(['a']);
    for (const uncertain of ['^a|b', '^(?:ab|c)?x', '^(?i)v', '^[ab]c', 'abc', '^(a|b*)c']) {
      expect(requiredPrefixes(uncertain)).toBeUndefined();
    }
  });

  it('matches a glob list when any glob matches', () => {
    const matcher = compilePattern({ glob: ['latest', 'v*', 'a{b,c}'] });
    expect(['latest', 'v1', 'ab', 'ac', 'x', 'a'].map((n) => matcher.test(n))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
