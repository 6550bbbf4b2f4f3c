import { stringify } from 'yaml';
import { compileSchema, issuesFromAjv } from '../src/schema/ajv';
import {
  buildPolicySchema,
  conditionKinds,
  EngineErrorCode,
  loadPolicyTexts,
  policyIssues,
  selectorKinds,
  type ValidationIssue,
  WinnowValidationError,
} from '../src';

type Level = 'server' | 'namespace' | 'repository';
type Json = Record<string, unknown>;

const SCOPES: Record<Level, Json> = {
  server: { level: 'server' },
  namespace: { level: 'namespace', namespace: 'acme' },
  repository: { level: 'repository', namespace: 'acme', repository: 'web/api' },
};
const LEVELS: readonly Level[] = ['server', 'namespace', 'repository'];

const policy = (level: Level, extra: Json = {}): Json => ({
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: SCOPES[level],
  ...extra,
});
const rule = (fields: Json = {}): Json => ({ name: 'under-test', then: 'keep', ...fields });
/** A policy whose only rule is `rule(fields)`. */
const withRule = (fields: Json, level: Level = 'repository'): Json =>
  policy(level, { rules: [rule(fields)] });
const withMatch = (match: Json, level: Level = 'repository'): Json => withRule({ match }, level);
const withSelect = (select: Json, level: Level = 'repository'): Json => withRule({ select }, level);

/** The issues `loadPolicyTexts` throws; fails the test when it does not throw. */
function loadIssues(files: readonly { text: string; file?: string }[]): ValidationIssue[] {
  try {
    loadPolicyTexts(files);
  } catch (error) {
    if (!(error instanceof WinnowValidationError)) throw error;
    expect(error.code).toBe(EngineErrorCode.policyInvalid);
    return [...error.issues];
  }
  throw new Error('expected loadPolicyTexts to reject the policy');
}

const ACTIONS = /expected one of keep, delete, pass/;
const AGE = /expected an age: a positive integer and a unit s, m \(minutes\), h, d, w or y/;
const CONDITIONS =
  /expected exactly one condition of newest, olderThan, newerThan, perGroup, semver, labels/;
const RULE_NAME = /expected a rule name matching \[a-z0-9\]\[a-z0-9-\]\{0,62\}/;

// [label, document, pointer of the offending field, what the message must say]
const rejected: [string, Json, string, RegExp][] = [
  // unknown fields, at every level
  [
    'an unknown field in the document',
    policy('server', { rulez: [] }),
    '/rulez',
    /^unknown field; expected one of apiVersion, kind, scope, guards, rules$/,
  ],
  [
    'an unknown field in scope',
    policy('server', { scope: { level: 'namespace', namespace: 'acme', nmespace: 'x' } }),
    '/scope/nmespace',
    /^unknown field; expected one of level, namespace, repository$/,
  ],
  [
    'an unknown field in a rule',
    withRule({ thne: 'keep' }),
    '/rules/0/thne',
    /^unknown field; expected one of name, description, disabled, select, match, anyOf, then, else$/,
  ],
  [
    'an unknown field in a guard',
    policy('server', { guards: [rule({ descripton: 'x' })] }),
    '/guards/0/descripton',
    /^unknown field; expected one of name, description, disabled, select, match, anyOf, then, else$/,
  ],
  [
    'an unknown field in select',
    withSelect({ tag: { glob: 'v*' } }),
    '/rules/0/select/tag',
    /^unknown field; expected one of tags, repositories, labels, untagged$/,
  ],
  [
    'an unknown field in match',
    withMatch({ newest: 1, older: '1d' }),
    '/rules/0/match/older',
    /^unknown field; expected one of newest, olderThan, newerThan, perGroup, semver, labels, by$/,
  ],
  [
    'an unknown field in a pattern selector',
    withSelect({ tags: { glob: 'v*', negated: true } }),
    '/rules/0/select/tags/negated',
    /^unknown field; expected one of regex, glob, negate$/,
  ],
  [
    'an unknown field in a label set',
    withSelect({ labels: { some: ['prod'] } }),
    '/rules/0/select/labels/some',
    /^unknown field; expected one of all, any, none$/,
  ],
  [
    'an unknown field in perGroup',
    withMatch({ perGroup: { regex: '^(.+)-', newest: 1, oldest: 2 } }),
    '/rules/0/match/perGroup/oldest',
    /^unknown field; expected one of regex, newest$/,
  ],
  [
    'an unknown field in an anyOf branch',
    withRule({ anyOf: [{ match: { newest: 1 }, then: 'keep' }] }),
    '/rules/0/anyOf/0/then',
    /^unknown field; expected one of select, match$/,
  ],
  // the document's own fields
  [
    'a wrong apiVersion',
    policy('server', { apiVersion: 'winnow/v2' }),
    '/apiVersion',
    /^expected "winnow\/v1"$/,
  ],
  ['a wrong kind', policy('server', { kind: 'Policy' }), '/kind', /^expected "RetentionPolicy"$/],
  ['rules that are no list', policy('server', { rules: {} }), '/rules', /^expected an array$/],
  [
    'a rule that is no object',
    policy('server', { rules: ['keep'] }),
    '/rules/0',
    /^expected an object$/,
  ],
  // then / else
  [
    'a missing then',
    withRule({ then: undefined }),
    '/rules/0/then',
    /^is required: expected one of keep, delete, pass$/,
  ],
  ['a bad then', withRule({ then: 'remove' }), '/rules/0/then', ACTIONS],
  ['a bad else', withRule({ else: 'drop' }), '/rules/0/else', ACTIONS],
  ['then in capitals', withRule({ then: 'KEEP' }), '/rules/0/then', ACTIONS],
  // guards
  [
    'guards at namespace scope',
    policy('namespace', { guards: [rule()] }),
    '/guards',
    /is not allowed here: expected no guards: guards are allowed at server scope only/,
  ],
  [
    'guards at repository scope (even empty)',
    policy('repository', { guards: [] }),
    '/guards',
    /guards are allowed at server scope only/,
  ],
  [
    'a guard that deletes',
    policy('server', { guards: [rule({ then: 'delete' })] }),
    '/guards/0/then',
    /^expected keep \(a guard only keeps\)$/,
  ],
  [
    'a guard that passes',
    policy('server', { guards: [rule({ then: 'pass' })] }),
    '/guards/0/then',
    /^expected keep/,
  ],
  [
    'a guard whose else deletes',
    policy('server', { guards: [rule({ else: 'delete' })] }),
    '/guards/0/else',
    /^expected pass \(a guard only keeps\)$/,
  ],
  // rule names
  [
    'a rule name used by a guard',
    policy('server', {
      guards: [rule({ name: 'keep-latest' })],
      rules: [rule({ name: 'other' }), rule({ name: 'keep-latest' })],
    }),
    '/rules/1/name',
    /^expected a unique rule name; "keep-latest" is already used at \/guards\/0$/,
  ],
  [
    'a rule name used twice in rules',
    policy('server', { rules: [rule({ name: 'a' }), rule({ name: 'a', then: 'delete' })] }),
    '/rules/1/name',
    /^expected a unique rule name; "a" is already used at \/rules\/0$/,
  ],
  [
    'a guard name used twice',
    policy('server', { guards: [rule({ name: 'g' }), rule({ name: 'g' })] }),
    '/guards/1/name',
    /"g" is already used at \/guards\/0/,
  ],
  ['a rule name in capitals', withRule({ name: 'Keep' }), '/rules/0/name', RULE_NAME],
  ['a rule name with an underscore', withRule({ name: 'keep_all' }), '/rules/0/name', RULE_NAME],
  ['a rule name starting with -', withRule({ name: '-keep' }), '/rules/0/name', RULE_NAME],
  [
    'a rule name of 64 characters',
    withRule({ name: `a${'b'.repeat(63)}` }),
    '/rules/0/name',
    RULE_NAME,
  ],
  ['an empty rule name', withRule({ name: '' }), '/rules/0/name', RULE_NAME],
  [
    'a missing rule name',
    withRule({ name: undefined }),
    '/rules/0/name',
    /^is required: expected a rule name/,
  ],
  // scope
  [
    'no namespace at namespace level',
    policy('server', { scope: { level: 'namespace' } }),
    '/scope/namespace',
    /^is required: expected a namespace name/,
  ],
  [
    'no repository at repository level',
    policy('server', { scope: { level: 'repository', namespace: 'acme' } }),
    '/scope/repository',
    /^is required: expected a repository name/,
  ],
  [
    'a repository at namespace level',
    policy('server', { scope: { level: 'namespace', namespace: 'acme', repository: 'app' } }),
    '/scope/repository',
    /is not allowed here: expected no repository at namespace scope/,
  ],
  [
    'a namespace at server level',
    policy('server', { scope: { level: 'server', namespace: 'acme' } }),
    '/scope/namespace',
    /is not allowed here: expected no namespace at server scope/,
  ],
  [
    'an unknown level',
    policy('server', { scope: { level: 'global' } }),
    '/scope/level',
    /^expected one of server, namespace, repository$/,
  ],
  [
    'no level',
    policy('server', { scope: {} }),
    '/scope/level',
    /^is required: expected one of server, namespace, repository$/,
  ],
  [
    'a namespace in capitals',
    policy('server', { scope: { level: 'namespace', namespace: 'Acme' } }),
    '/scope/namespace',
    /^expected a namespace name \(lower case, e\.g\. acme\)$/,
  ],
  [
    'no scope',
    policy('server', { scope: undefined }),
    '/scope',
    /^is required: expected an object$/,
  ],
  // selectors
  [
    'a repositories selector at repository scope',
    withSelect({ repositories: { glob: 'team/**' } }),
    '/rules/0/select/repositories',
    /^is not allowed at repository scope: expected it only at server or namespace scope$/,
  ],
  [
    'a repositories selector in an anyOf branch at repository scope',
    withRule({ anyOf: [{ match: { newest: 1 } }, { select: { repositories: { glob: 'a' } } }] }),
    '/rules/0/anyOf/1/select/repositories',
    /only at server or namespace scope/,
  ],
  [
    'a pattern with both regex and glob',
    withSelect({ tags: { regex: '^v', glob: 'v*' } }),
    '/rules/0/select/tags',
    /^expected exactly one of regex or glob$/,
  ],
  [
    'a pattern with neither',
    withSelect({ tags: { negate: true } }),
    '/rules/0/select/tags',
    /^expected exactly one of regex or glob$/,
  ],
  [
    'an empty regex',
    withSelect({ tags: { regex: '' } }),
    '/rules/0/select/tags/regex',
    /^expected a non-empty string$/,
  ],
  [
    'an empty glob list',
    withSelect({ tags: { glob: [] } }),
    '/rules/0/select/tags/glob',
    /^expected a glob string or a non-empty list of glob strings$/,
  ],
  [
    'a glob that is a number',
    withSelect({ tags: { glob: 7 } }),
    '/rules/0/select/tags/glob',
    /^expected a glob string or a non-empty list/,
  ],
  [
    'negate that is no boolean',
    withSelect({ tags: { glob: 'v*', negate: 'yes' } }),
    '/rules/0/select/tags/negate',
    /^expected a boolean$/,
  ],
  [
    'an empty label set',
    withSelect({ labels: {} }),
    '/rules/0/select/labels',
    /^expected at least 1 of all, any, none$/,
  ],
  [
    'a label listed twice',
    withSelect({ labels: { all: ['prod', 'prod'] } }),
    '/rules/0/select/labels/all',
    /^expected no duplicates: items 0 and 1 are equal$/,
  ],
  [
    'an unknown untagged mode',
    withSelect({ untagged: 'yes' }),
    '/rules/0/select/untagged',
    /^expected one of exclude, include, only$/,
  ],
  // invalid RE2 regexes
  [
    'a lookahead in a tags regex',
    withSelect({ tags: { regex: '^(?!latest$)' } }),
    '/rules/0/select/tags/regex',
    /^expected an RE2 regular expression: .*\(\?!/,
  ],
  [
    'a backreference in a repositories regex',
    withSelect({ repositories: { regex: '(a)\\1' } }, 'namespace'),
    '/rules/0/select/repositories/regex',
    /^expected an RE2 regular expression: .*\\1/,
  ],
  [
    'an unclosed group in a perGroup regex',
    withMatch({ perGroup: { regex: '^(main', newest: 2 } }),
    '/rules/0/match/perGroup/regex',
    /^expected an RE2 regular expression: .*missing closing \)/,
  ],
  // invalid globs
  [
    'a glob with a leading !',
    withSelect({ tags: { glob: '!v*' } }),
    '/rules/0/select/tags/glob',
    /^expected a glob: a leading "!" is not supported; use `negate: true`$/,
  ],
  [
    'an invalid glob in a list',
    withSelect({ tags: { glob: ['v*', 'rc-{1}'] } }),
    '/rules/0/select/tags/glob/1',
    /^expected a glob: a "\{\.\.\.\}" group needs at least two alternatives/,
  ],
  [
    'an extglob in a repositories glob',
    withSelect({ repositories: { glob: '@(a|b)' } }, 'server'),
    '/rules/0/select/repositories/glob',
    /^expected a glob: "\(" is not supported/,
  ],
  [
    'an unclosed bracket',
    withSelect({ tags: { glob: 'v[0-9' } }),
    '/rules/0/select/tags/glob',
    /^expected a glob: unclosed "\["/,
  ],
  // conditions
  [
    'match with two conditions',
    withMatch({ newest: 1, olderThan: '30d' }),
    '/rules/0/match',
    CONDITIONS,
  ],
  ['match with only by', withMatch({ by: 'pushed' }), '/rules/0/match', CONDITIONS],
  ['an empty match', withMatch({}), '/rules/0/match', CONDITIONS],
  ['newest: 0', withMatch({ newest: 0 }), '/rules/0/match/newest', /^expected an integer ≥ 1$/],
  ['newest: 1.5', withMatch({ newest: 1.5 }), '/rules/0/match/newest', /^expected an integer ≥ 1$/],
  ['newest: -3', withMatch({ newest: -3 }), '/rules/0/match/newest', /^expected an integer ≥ 1$/],
  [
    'newest as a string',
    withMatch({ newest: '10' }),
    '/rules/0/match/newest',
    /^expected an integer ≥ 1$/,
  ],
  [
    'perGroup newest: 0',
    withMatch({ perGroup: { regex: '^(.+)-', newest: 0 } }),
    '/rules/0/match/perGroup/newest',
    /^expected an integer ≥ 1$/,
  ],
  [
    'semver newestPerMajor: 0',
    withMatch({ semver: { newestPerMajor: 0 } }),
    '/rules/0/match/semver/newestPerMajor',
    /^expected an integer ≥ 1$/,
  ],
  ['an age of 0d', withMatch({ olderThan: '0d' }), '/rules/0/match/olderThan', AGE],
  ['an age of -1d', withMatch({ olderThan: '-1d' }), '/rules/0/match/olderThan', AGE],
  ['an age of 1.5d', withMatch({ olderThan: '1.5d' }), '/rules/0/match/olderThan', AGE],
  ['an age of 3x', withMatch({ newerThan: '3x' }), '/rules/0/match/newerThan', AGE],
  ['an age of 30D', withMatch({ olderThan: '30D' }), '/rules/0/match/olderThan', AGE],
  ['an age without unit', withMatch({ olderThan: 30 }), '/rules/0/match/olderThan', AGE],
  ['an age of two units', withMatch({ newerThan: '1d12h' }), '/rules/0/match/newerThan', AGE],
  [
    'an age too large to represent',
    withMatch({ olderThan: '300000y' }),
    '/rules/0/match/olderThan',
    /^expected an age small enough to represent, e\.g\. 30d$/,
  ],
  [
    'olderThan by semver',
    withMatch({ olderThan: '30d', by: 'semver' }),
    '/rules/0/match/by',
    /^expected one of pushed, pulled, active \(olderThan needs a time key\)$/,
  ],
  [
    'newerThan by natural',
    withMatch({ newerThan: '1d', by: 'natural' }),
    '/rules/0/match/by',
    /^expected one of pushed, pulled, active \(newerThan needs a time key\)$/,
  ],
  [
    'labels with by',
    withMatch({ labels: { all: ['prod'] }, by: 'pushed' }),
    '/rules/0/match/by',
    /^is not allowed: expected no by, since labels does not order or age tags$/,
  ],
  [
    'an unknown by',
    withMatch({ newest: 1, by: 'created' }),
    '/rules/0/match/by',
    /^expected one of pushed, pulled, active, semver, natural$/,
  ],
  [
    'perGroup without a capture group',
    withMatch({ perGroup: { regex: '^build-[0-9]+$', newest: 2 } }),
    '/rules/0/match/perGroup/regex',
    /^expected a regex with a capture group$/,
  ],
  [
    'perGroup with only a non-capturing group',
    withMatch({ perGroup: { regex: '^(?:main|dev)-', newest: 2 } }),
    '/rules/0/match/perGroup/regex',
    /^expected a regex with a capture group$/,
  ],
  [
    'perGroup without newest',
    withMatch({ perGroup: { regex: '^(.+)-' } }),
    '/rules/0/match/perGroup/newest',
    /^is required: expected an integer ≥ 1$/,
  ],
  [
    'an invalid semver range',
    withMatch({ semver: { range: 'newer than 1.2' } }),
    '/rules/0/match/semver/range',
    /^expected a node-semver range, e\.g\. '>=1\.2 <2'$/,
  ],
  [
    'semver with two keys',
    withMatch({ semver: { newestPerMajor: 1, newestPerMinor: 2 } }),
    '/rules/0/match/semver',
    /^expected exactly one of newestPerMajor, newestPerMinor or range$/,
  ],
  [
    'semver with no key',
    withMatch({ semver: {} }),
    '/rules/0/match/semver',
    /^expected exactly one of newestPerMajor, newestPerMinor or range$/,
  ],
  // anyOf
  [
    'anyOf beside select',
    withRule({ select: { tags: { glob: 'v*' } }, anyOf: [{ match: { newest: 1 } }] }),
    '/rules/0/select',
    /^is not allowed here: expected no select beside anyOf \(put it in each branch\)$/,
  ],
  [
    'anyOf beside match',
    withRule({ match: { newest: 1 }, anyOf: [{ match: { newest: 1 } }] }),
    '/rules/0/match',
    /^is not allowed here: expected no match beside anyOf \(put it in each branch\)$/,
  ],
  ['an empty anyOf', withRule({ anyOf: [] }), '/rules/0/anyOf', /^expected at least 1 item$/],
  [
    'a bad condition in an anyOf branch',
    withRule({ anyOf: [{ match: { newest: 1 } }, { match: { olderThan: '1x' } }] }),
    '/rules/0/anyOf/1/match/olderThan',
    AGE,
  ],
];

describe('policy validation rejects, naming the field and what was expected', () => {
  it.each(rejected)('%s', (_label, document, pointer, message) => {
    const issues = policyIssues(document);
    expect(issues).toEqual([{ pointer, message: expect.stringMatching(message) as unknown }]);
    expect(issues[0]?.message).toMatch(/expected|is not allowed: /);
  });

  it.each(rejected)('%s (as a YAML file)', (_label, document, pointer, message) => {
    expect(loadIssues([{ text: stringify(document), file: 'policy.yaml' }])).toEqual([
      { file: 'policy.yaml', pointer, message: expect.stringMatching(message) as unknown },
    ]);
  });

  it('reports every problem of a document, not only the first', () => {
    const issues = policyIssues(
      policy('namespace', {
        guards: [rule()],
        rules: [rule({ then: 'remove' }), rule({ name: 'b', match: { newest: 0 } })],
      }),
    );
    expect(issues.map((i) => i.pointer).sort()).toEqual([
      '/guards',
      '/rules/0/then',
      '/rules/1/match/newest',
    ]);
  });

  it.each([null, 'apiVersion: winnow/v1', 42, [policy('server')]])(
    'rejects a document that is no object (%j)',
    (value) => {
      expect(policyIssues(value)).toEqual([{ pointer: '', message: 'expected an object' }]);
    },
  );
});

describe('policy files', () => {
  const server = stringify(policy('server'));
  const namespace = stringify(policy('namespace'));

  it('rejects a second document for the same scope in one multi-document file', () => {
    const text = `${namespace}---\n${server}---\n${stringify(policy('namespace', { rules: [rule()] }))}`;
    expect(loadIssues([{ text, file: 'all.yaml' }])).toEqual([
      {
        file: 'all.yaml',
        document: 3,
        pointer: '/scope',
        message:
          'expected at most one policy per scope: namespace "acme" is already defined (all.yaml, document 1)',
      },
    ]);
  });

  it('rejects a second document for the same scope across two files', () => {
    const issues = loadIssues([
      { text: server, file: 'a.yaml' },
      { text: namespace, file: 'b.yaml' },
      { text: stringify(policy('server', { rules: [rule()] })), file: 'c.yaml' },
    ]);
    expect(issues).toEqual([
      {
        file: 'c.yaml',
        pointer: '/scope',
        message:
          'expected at most one policy per scope: server "server" is already defined (a.yaml)',
      },
    ]);
    expect(issues[0]?.document).toBeUndefined();
  });

  it('tells repository scopes apart by namespace and repository', () => {
    const scoped = (namespace: string, repository: string): string =>
      stringify(policy('repository', { scope: { level: 'repository', namespace, repository } }));
    const loaded = loadPolicyTexts([
      { text: `${scoped('acme', 'web/api')}---\n${scoped('acme', 'web')}`, file: 'a.yaml' },
      { text: `${scoped('other', 'web/api')}---\n${namespace}`, file: 'b.yaml' },
    ]);
    expect(loaded).toHaveLength(4);
    const again = loadIssues([{ text: `${scoped('acme', 'web')}---\n${scoped('acme', 'web')}` }]);
    expect(again).toEqual([
      expect.objectContaining({
        document: 2,
        pointer: '/scope',
        message: expect.stringContaining('repository "acme/web"') as unknown,
      }),
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const text = `apiVersion: winnow/v1\nkind: RetentionPolicy\nscope: { level: server\nrules: []\n`;
    const issues = loadIssues([{ text, file: 'broken.yaml' }]);
    expect(issues).toEqual([
      {
        file: 'broken.yaml',
        pointer: '',
        message: expect.stringMatching(
          /^expected valid YAML or JSON: line 4, column \d+: /,
        ) as unknown,
      },
    ]);
  });

  it('reports a syntax error in a later document with its line and document', () => {
    const text = [
      'apiVersion: winnow/v1',
      'kind: RetentionPolicy',
      'scope: { level: server }',
      '---',
      'apiVersion: winnow/v1',
      'kind: [RetentionPolicy',
      '',
    ].join('\n');
    expect(loadIssues([{ text, file: 'two.yaml' }])).toEqual([
      {
        file: 'two.yaml',
        document: 2,
        pointer: '',
        message: expect.stringMatching(
          /^expected valid YAML or JSON: line 7, column \d+: /,
        ) as unknown,
      },
    ]);
  });

  it('rejects duplicate keys', () => {
    const text =
      'apiVersion: winnow/v1\nkind: RetentionPolicy\nscope: { level: server }\nscope: {}\n';
    expect(loadIssues([{ text, file: 'dup.yaml' }])).toEqual([
      {
        file: 'dup.yaml',
        pointer: '',
        message: expect.stringMatching(
          /^expected valid YAML or JSON: line 4, column 1: Map keys must be unique/,
        ) as unknown,
      },
    ]);
  });

  it('accepts a JSON array of documents, numbering them', () => {
    const text = JSON.stringify([policy('server'), policy('namespace'), policy('repository')]);
    const loaded = loadPolicyTexts([{ text, file: 'policies.json' }]);
    expect(loaded.map((l) => [l.file, l.document, l.policy.scope.level])).toEqual([
      ['policies.json', 1, 'server'],
      ['policies.json', 2, 'namespace'],
      ['policies.json', 3, 'repository'],
    ]);
  });

  it('accepts a single JSON object, without a document number', () => {
    const [loaded, ...rest] = loadPolicyTexts([
      { text: JSON.stringify(policy('server')), file: 'p.json' },
    ]);
    expect(rest).toEqual([]);
    expect(loaded?.file).toBe('p.json');
    expect(loaded?.document).toBeUndefined();
  });

  it('numbers the documents of a multi-document file in its issues', () => {
    const text = `${server}---\n${stringify(withRule({ then: 'remove' }))}`;
    expect(loadIssues([{ text, file: 'multi.yaml' }])).toEqual([
      {
        file: 'multi.yaml',
        document: 2,
        pointer: '/rules/0/then',
        message: 'expected one of keep, delete, pass',
      },
    ]);
    const single = loadIssues([
      { text: stringify(withRule({ then: 'remove' })), file: 'one.yaml' },
    ]);
    expect(single).toHaveLength(1);
    expect(single[0]?.document).toBeUndefined();
  });

  it('numbers the documents of a JSON array in its issues', () => {
    const text = JSON.stringify([policy('server'), { ...policy('namespace'), extra: 1 }]);
    expect(loadIssues([{ text, file: 'p.json' }])).toEqual([
      {
        file: 'p.json',
        document: 2,
        pointer: '/extra',
        message: expect.stringMatching(/^unknown field/) as unknown,
      },
    ]);
  });

  it.each([
    ['an empty file', ''],
    ['a file of comments', '# nothing yet\n'],
    ['an empty JSON array', '[]'],
    ['only document separators', '---\n---\n'],
    ['a document separator and a comment', '---\n# nothing yet\n'],
  ])('rejects %s', (_label, text) => {
    expect(loadIssues([{ text, file: 'empty.yaml' }])).toEqual([
      { file: 'empty.yaml', pointer: '', message: 'expected at least one document' },
    ]);
  });

  it('skips empty documents, such as after a trailing ---', () => {
    const loaded = loadPolicyTexts([
      { text: `${server}---\n`, file: 'trailing.yaml' },
      { text: `---\n${namespace}---\n# the end\n`, file: 'framed.yaml' },
    ]);
    expect(loaded.map((l) => [l.file, l.document, l.policy.scope.level])).toEqual([
      ['trailing.yaml', undefined, 'server'],
      ['framed.yaml', undefined, 'namespace'],
    ]);
  });

  it.each([
    ['null', 'null\n'],
    ['~', '---\n~\n'],
  ])('rejects a document that is explicitly %s', (_label, text) => {
    expect(loadIssues([{ text, file: 'null.yaml' }])).toEqual([
      { file: 'null.yaml', pointer: '', message: 'expected an object' },
    ]);
  });

  it('reports the problems of every file together', () => {
    const issues = loadIssues([
      { text: '', file: 'a.yaml' },
      { text: stringify(withRule({ then: 'remove' })), file: 'b.yaml' },
      { text: 'scope: [', file: 'c.yaml' },
    ]);
    expect(issues.map((i) => i.file).sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
  });
});

describe('valid policies', () => {
  const accepts = (document: Json): void => {
    expect(policyIssues(document)).toEqual([]);
    expect(loadPolicyTexts([{ text: stringify(document), file: 'ok.yaml' }])).toHaveLength(1);
  };

  it('the example of the spec', () => {
    const text = `apiVersion: winnow/v1
kind: RetentionPolicy
scope: { level: namespace, namespace: acme }
rules:
  - name: keep-recent-releases
    description: free text
    disabled: false
    select:
      tags: { regex: '^v[0-9]+\\.[0-9]+\\.[0-9]+$' }
      repositories: { glob: 'team/**' }
      labels: { all: [prod], any: [], none: [wip] }
      untagged: exclude
    match:
      newest: 10
      by: pushed
    then: keep
    else: pass
`;
    expect(loadPolicyTexts([{ text, file: 'spec.yaml' }])).toHaveLength(1);
  });

  it('a minimal document (no rules, no guards)', () => {
    for (const level of LEVELS) accepts(policy(level));
  });

  it('guards at server scope', () => {
    accepts(policy('server', { guards: [rule({ name: 'keep-latest', else: 'pass' })], rules: [] }));
  });

  it('a rule without select or match', () => {
    accepts(withRule({ then: 'delete', else: 'keep' }));
  });

  it('a rule name of 63 characters', () => {
    accepts(withRule({ name: `a${'b'.repeat(62)}` }));
  });

  describe.each(conditionKinds.map((kind) => [kind.key, kind] as const))(
    'condition %s',
    (key, kind) => {
      it('its catalogue example validates inside a rule, at every level', () => {
        expect(Object.keys(kind.example)).toContain(key);
        for (const level of LEVELS) accepts(withMatch({ ...kind.example }, level));
      });

      it('its example validates inside an anyOf branch', () => {
        accepts(withRule({ anyOf: [{ match: { ...kind.example } }, { match: { newest: 1 } }] }));
      });

      const byKeys = (
        buildPolicySchema().$defs as { match: { properties: { by: { enum: string[] } } } }
      ).match.properties.by.enum;
      it.each(byKeys)('by: %s is accepted exactly when the kind lists it', (by) => {
        const document = withMatch({ ...kind.example, by });
        if (kind.byKeys.includes(by as (typeof kind.byKeys)[number])) {
          expect(policyIssues(document)).toEqual([]);
        } else {
          expect(policyIssues(document)).toEqual([
            {
              pointer: '/rules/0/match/by',
              message: expect.stringMatching(/^(expected|is not allowed)/) as unknown,
            },
          ]);
        }
      });
    },
  );

  describe.each(selectorKinds.map((kind) => [kind.key, kind] as const))(
    'selector %s',
    (key, kind) => {
      it.each(LEVELS)('its catalogue example is accepted exactly at its levels (%s)', (level) => {
        const document = withSelect({ [key]: kind.example }, level);
        if (kind.levels.includes(level)) {
          expect(policyIssues(document)).toEqual([]);
        } else {
          expect(policyIssues(document)).toEqual([
            {
              pointer: `/rules/0/select/${key}`,
              message: expect.stringContaining(`not allowed at ${level} scope`) as unknown,
            },
          ]);
        }
      });
    },
  );

  const patterns: [string, Json][] = [
    ['a regex', { regex: '^v[0-9]+$' }],
    ['an unanchored regex', { regex: 'rc' }],
    ['a glob', { glob: 'v*' }],
    ['a list of globs', { glob: ['v*', 'release-*', '{a,b}/**'] }],
    ['a negated regex', { regex: '^latest$', negate: true }],
    ['a negated glob', { glob: '[!a]*', negate: false }],
  ];
  it.each(patterns)('tags and repositories as %s', (_label, pattern) => {
    accepts(withSelect({ tags: pattern, repositories: pattern }, 'server'));
    accepts(withSelect({ tags: pattern, repositories: pattern }, 'namespace'));
    accepts(withSelect({ tags: pattern }, 'repository'));
  });

  it.each([
    ['newestPerMajor', { newestPerMajor: 2 }],
    ['newestPerMinor', { newestPerMinor: 1 }],
    ['range', { range: '>=1.2 <2' }],
    ['range with a caret', { range: '^1.2.3' }],
  ])('semver %s', (_label, semver) => {
    accepts(withMatch({ semver }));
  });

  it.each(['1s', '90m', '24h', '30d', '2w', '1y'])('the age %s', (age) => {
    accepts(withMatch({ olderThan: age, by: 'active' }));
    accepts(withMatch({ newerThan: age, by: 'pulled' }));
  });

  it('every selector and a condition together', () => {
    accepts(
      withRule(
        {
          select: {
            tags: { glob: ['v*'] },
            repositories: { regex: '^team/' },
            labels: { all: ['prod'], any: [], none: ['wip'] },
            untagged: 'include',
          },
          match: { perGroup: { regex: '^(.+)-[0-9a-f]{7}$', newest: 3 }, by: 'natural' },
          then: 'pass',
          else: 'delete',
        },
        'server',
      ),
    );
  });
});

describe('upper bounds read like the other messages', () => {
  it.each([
    [{ type: 'integer', maximum: 10 }, 11, 'expected a number ≤ 10'],
    [{ type: 'integer', exclusiveMaximum: 10 }, 10, 'expected a number < 10'],
    [{ type: 'integer', exclusiveMinimum: 0 }, 0, 'expected a number > 0'],
    [{ type: 'array', maxItems: 1 }, [1, 2], 'expected at most 1 items'],
    [{ type: 'string', maxLength: 2 }, 'abc', 'expected at most 2 characters'],
  ])('%j with %j', (schema, value, message) => {
    const validate = compileSchema(schema);
    validate(value);
    expect(issuesFromAjv(validate.errors)).toEqual([{ pointer: '', message }]);
  });
});
