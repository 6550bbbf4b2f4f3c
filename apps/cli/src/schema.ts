import { buildInventorySchema, buildPolicySchema } from '@winnow/engine';
import { type Command, EXIT_OK, type Io } from './command';
import { UsageError } from './errors';

const USAGE = `Usage: winnow schema policy|inventory

Prints the JSON Schema (draft 2020-12) of policy documents or of inventory snapshots, for
editors and other tools.

Example:
  winnow schema policy > policy.schema.json
`;

function run(args: string[], io: Io): number {
  const option = args.find((arg) => arg.startsWith('-'));
  if (option !== undefined) throw new UsageError(`schema: unknown option "${option}"`);
  const [which, ...extra] = args;
  if ((which !== 'policy' && which !== 'inventory') || extra.length > 0)
    throw new UsageError('schema: expected policy or inventory');
  io.stdout.write(
    `${JSON.stringify(which === 'policy' ? buildPolicySchema() : buildInventorySchema(), null, 2)}\n`,
  );
  return EXIT_OK;
}

export const schemaCommand: Command = { usage: USAGE, run };
