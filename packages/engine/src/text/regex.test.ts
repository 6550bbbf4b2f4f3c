import { compileRegex, regexError } from './regex';

describe('compileRegex: RE2 semantics', () => {
  // [pattern, input, expected]
  const search: [string, string, boolean][] = [
    // unanchored search unless the pattern anchors itself
    ['v1', 'v1', true],
    ['v1', 'release-v1-rc', true],
    ['rc', 'v1.0.0-rc.1', true],
    ['^v1', 'v1.2', true],
    ['^v1', 'xv1', false],
    ['rc$', 'v1-rc', true],
    ['rc$', 'v1-rc.1', false],
    ['^v[0-9]+$', 'v12', true],
    ['^v[0-9]+$', 'v12a', false],
    ['\\Av1\\z', 'v1', true],
    ['\\Av1\\z', 'v1\n', false],
    ['^latest$', 'latest', true],
    ['^latest$', 'not-latest', false],
    // ordinary RE2 syntax
    ['^v[0-9]+\\.[0-9]+\\.[0-9]+$', 'v1.2.3', true],
    ['^v[0-9]+\\.[0-9]+\\.[0-9]+$', 'v1x2x3', false],
    ['(?i)^LATEST$', 'latest', true],
    ['^[[:digit:]]+$', '2024', true],
    ['^\\d{8}$', '20240101', true],
    ['^\\d{8}$', '2024010', false],
    ['^(dev|prod)-', 'prod-7', true],
    ['^(?:dev|prod)-', 'stage-7', false],
    ['^(?P<name>[a-z]+)-\\d+$', 'build-12', true],
  ];

  it.each(search)('%j on %j → %p', (pattern, input, expected) => {
    expect(compileRegex(pattern).test(input)).toBe(expected);
  });

  it('keeps its source and counts capture groups', () => {
    expect(compileRegex('^(a)(?:b)(c)?$').groupCount).toBe(2);
    expect(compileRegex('^ab$').groupCount).toBe(0);
    expect(compileRegex('^(a)$').source).toBe('^(a)$');
  });
});

describe('firstGroup', () => {
  // [pattern, input, expected]
  const cases: [string, string, string | undefined][] = [
    ['^(.+)-[0-9a-f]{7}$', 'main-abc1234', 'main'],
    ['^(.+)-[0-9a-f]{7}$', 'feature-x-abc1234', 'feature-x'],
    ['^(.+)-[0-9a-f]{7}$', 'main', undefined], // no match
    ['(\\d+)', 'build-12-rc-3', '12'], // the first match, unanchored
    ['^(\\w+)-(\\d+)$', 'web-42', 'web'], // the first group of several
    ['^(a)|b$', 'b', ''], // the group did not take part
    ['^(a?)-', '-x', ''], // the group took part, empty
    ['^(?:x)(y)', 'xy', 'y'], // a non-capturing group does not count
  ];

  it.each(cases)('%j on %j → %j', (pattern, input, expected) => {
    expect(compileRegex(pattern).firstGroup(input)).toBe(expected);
  });
});

describe('regexError', () => {
  it.each(['^v[0-9]+$', '(a|b)*c', '(?i)abc', '[[:alpha:]]', '\\pL', 'a{2,5}', '(?P<x>a)'])(
    'accepts %j',
    (pattern) => {
      expect(regexError(pattern)).toBeUndefined();
    },
  );

  // What RE2 rejects: backreferences, lookaround, possessive quantifiers, syntax errors.
  it.each([
    ['a backreference', '(a)\\1'],
    ['a named backreference', '(?P<x>a)(?P=x)'],
    ['a lookahead', 'v(?=1)'],
    ['a negative lookahead', '^(?!latest$)'],
    ['a lookbehind', '(?<=v)1'],
    ['a negative lookbehind', '(?<!v)1'],
    ['a possessive quantifier', 'a++'],
    ['an atomic group', '(?>a)'],
    ['an unclosed group', '(a'],
    ['an unopened group', 'a)'],
    ['an unclosed class', '[a-'],
    ['a dangling repetition', '*a'],
    ['a reversed range', '[z-a]'],
    ['a repetition over 1000', 'a{1001}'],
  ])('rejects %s (%j) with a message', (_label, pattern) => {
    const error = regexError(pattern);
    expect(typeof error).toBe('string');
    expect(error).not.toBe('');
    expect(() => compileRegex(pattern)).toThrow();
  });
});

describe('linear time', () => {
  // Patterns that take exponential or polynomial time on a backtracking engine.
  const redos: [string, string][] = [
    ['(a+)+$', `${'a'.repeat(10_000)}!`],
    ['(a|a)*b', 'a'.repeat(10_000)],
    ['(.*a){12}', 'a'.repeat(10_000)],
    ['^(\\w+\\s?)*$', `${'a'.repeat(10_000)}!`],
  ];

  it('answers known ReDoS patterns on 10,000-character adversarial input quickly', () => {
    const started = performance.now();
    const results = redos.map(([pattern, input]) => compileRegex(pattern).test(input));
    const elapsed = performance.now() - started;
    // (.*a){12} matches twelve a's; the others cannot match the trailing "!" or the missing "b".
    expect(results).toEqual([false, false, true, false]);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('finds a first group quickly on adversarial input', () => {
    const started = performance.now();
    expect(compileRegex('^((a+)+)$').firstGroup(`${'a'.repeat(10_000)}!`)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
