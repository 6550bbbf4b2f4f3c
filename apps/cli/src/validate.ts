import { loadPolicyTexts } from '@winnow/engine';
import { type Command, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';
import { readText } from './files';

const USAGE = `Usage: winnow validate FILE [FILE ...]

Validates policy files (YAML or JSON, several documents each) with the checks of evaluate, and
prints every problem on stderr as FILE: [document N: ]/json/pointer: what was expected.
Exit 0 when all are valid, 2 when one is not.

Examples:
  winnow validate examples/quay/policy.yaml
  winnow validate policies/*.yaml && echo ok
`;

async function run(files: string[], io: Io): Promise<number> {
  if (files.length === 0) throw new UsageError('validate: at least one FILE is required');
  const bad = files.find((file) => file.startsWith('-'));
  if (bad !== undefined) throw new UsageError(`validate: unknown option "${bad}"`);
  const texts = await Promise.all(
    files.map(async (file) => ({ file, text: await readText(file) })),
  );
  const loaded = loadPolicyTexts(texts);
  io.stderr.write(`${loaded.length} policy document${loaded.length === 1 ? '' : 's'} valid\n`);
  return EXIT_OK;
}

export const validateCommand: Command = { usage: USAGE, run };
