/**
 * Invalid policies given to `winnow evaluate`: exit 2, nothing on stdout, and on stderr one line
 * per problem naming the file and the JSON pointer of the offending field (policy-language.md §1).
 */
import {
  expectInvalid,
  inventory,
  namespacePolicy,
  NOW,
  repository,
  runCli,
  tag,
  TempDir,
} from './helpers';

const dir = new TempDir();
afterAll(() => {
  dir.remove();
});

const inventoryFile = dir.writeJson(
  'inventory.json',
  inventory(repository('acme/app', [tag('a', 1), tag('b', 2)])),
);

const evaluate = (...policies: string[]) =>
  runCli([
    'evaluate',
    ...policies.flatMap((file) => ['--policy', file]),
    '--inventory',
    inventoryFile,
    '--now',
    NOW,
  ]);

it('reports every problem of a policy, one line each: unknown field, missing and bad then', () => {
  // `thn` for `then`: the field is unknown and `then` is missing; the next rule's `then` is bad
  const file = dir.write(
    'three.yaml',
    namespacePolicy(
      '  - name: first\n    thn: keep\n  - name: second\n    then: maybe\n    else: keep\n',
    ),
  );
  expectInvalid(evaluate(file), [
    { file, pointer: '/rules/0/thn', says: /unknown field.*then/ },
    { file, pointer: '/rules/0/then', says: /required/ },
    { file, pointer: '/rules/1/then', says: /keep, delete, pass/ },
  ]);
});

it('rejects regular expressions RE2 does not accept: a backreference and a lookahead', () => {
  const file = dir.write(
    're2.yaml',
    namespacePolicy(
      [
        '  - name: backreference',
        "    select: { tags: { regex: '(a)\\1' } }",
        '    then: keep',
        '  - name: lookahead',
        "    select: { tags: { regex: '^(?=x)' } }",
        '    then: keep',
        '',
      ].join('\n'),
    ),
  );
  expectInvalid(evaluate(file), [
    { file, pointer: '/rules/0/select/tags/regex', says: /RE2/ },
    { file, pointer: '/rules/1/select/tags/regex', says: /RE2/ },
  ]);
});

it('rejects a perGroup regex without a capture group', () => {
  const file = dir.write(
    'pergroup.yaml',
    namespacePolicy(
      "  - name: per-branch\n    match: { perGroup: { regex: '^.+-[0-9a-f]{7}$', newest: 3 } }\n    then: keep\n",
    ),
  );
  expectInvalid(evaluate(file), [{ file, pointer: '/rules/0/match/perGroup/regex' }]);
});

it('reports a YAML syntax error once, naming the file and the line', () => {
  const file = dir.write(
    'broken.yaml',
    'apiVersion: winnow/v1\nkind: [RetentionPolicy\nrules: []\n',
  );
  expectInvalid(evaluate(file), [
    { file, pointer: '(document)', says: /YAML.*line \d+, column \d+/ },
  ]);
});

it('rejects two policies for the same scope across two files, naming both', () => {
  const rules = '  - name: keep-all\n    then: keep\n';
  const first = dir.write('scope-1.yaml', namespacePolicy(rules));
  const second = dir.write('scope-2.yaml', namespacePolicy(rules));
  const result = evaluate(first, second);
  expectInvalid(result, [{ file: second, pointer: '/scope', says: /one policy per scope/ }]);
  expect(result.stderr).toContain(first);
});

it('rejects guards outside the server scope', () => {
  const file = dir.write(
    'guards.yaml',
    `apiVersion: winnow/v1
kind: RetentionPolicy
scope: { level: namespace, namespace: acme }
guards:
  - name: keep-latest
    select: { tags: { glob: latest } }
    then: keep
rules: []
`,
  );
  expectInvalid(evaluate(file), [{ file, pointer: '/guards', says: /server/ }]);
});

it('reports the problems of every policy file, not only the first', () => {
  const one = dir.write('bad-1.yaml', namespacePolicy('  - name: r\n    then: maybe\n', 'one'));
  const two = dir.write('bad-2.yaml', namespacePolicy('  - name: R\n    then: keep\n', 'two'));
  expectInvalid(evaluate(one, two), [
    { file: one, pointer: '/rules/0/then' },
    { file: two, pointer: '/rules/0/name' },
  ]);
});
