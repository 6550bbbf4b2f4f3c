/**
 * Command-line usage and files that cannot be read: exit 2 for a usage mistake (with the usage
 * text), exit 1 for anything that is not invalid input, such as a missing file.
 */
import { NOW, runCli, TempDir } from './helpers';

const dir = new TempDir();
afterAll(() => {
  dir.remove();
});

const POLICY = 'examples/ci/policy.yaml';
const INVENTORY = 'examples/ci/inventory.json';

it('prints the usage for help, with exit 0', () => {
  const result = runCli(['help']);
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^Usage: winnow COMMAND/);
  for (const command of ['evaluate', 'validate', 'schema']) {
    expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  }
});

describe('exit 1 when a file cannot be read', () => {
  it.each([
    [
      'policy',
      ['--policy', 'no/such/policy.yaml', '--inventory', INVENTORY],
      'no/such/policy.yaml',
    ],
    [
      'inventory',
      ['--policy', POLICY, '--inventory', 'no/such/inventory.json'],
      'no/such/inventory.json',
    ],
  ])('a missing %s file', (_what, args, missing) => {
    const result = runCli(['evaluate', ...args, '--now', NOW]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/cannot read/);
    expect(result.stderr).toContain(missing);
  });

  it('an inventory that is a directory', () => {
    const result = runCli(['evaluate', '--policy', POLICY, '--inventory', dir.path, '--now', NOW]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot read/);
    expect(result.stderr).toContain(dir.path);
  });
});

describe('exit 2 for a usage mistake', () => {
  it.each([
    [
      'an unknown option',
      ['evaluate', '--policy', POLICY, '--inventory', INVENTORY, '--bogus'],
      '--bogus',
    ],
    ['a missing --inventory', ['evaluate', '--policy', POLICY, '--now', NOW], '--inventory'],
    ['a missing --policy', ['evaluate', '--inventory', INVENTORY, '--now', NOW], '--policy'],
    ['an unknown command', ['prune'], 'prune'],
  ])('%s', (_what, args, mentioned) => {
    const result = runCli(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const [first] = result.stderr.split('\n');
    expect(first).toMatch(/^winnow: /);
    expect(first).toContain(mentioned);
    expect(result.stderr).toContain('Usage:');
  });
});
