import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '@winnow/db';
import { loadPolicyTexts, parseInventory } from '@winnow/engine';

/** The shipped examples, seeded by `--demo` so that a newcomer can preview at once. */
const EXAMPLES = [
  { inventory: 'ci/inventory.json', policies: 'ci/policy.yaml' },
  { inventory: 'rsp-reaper/inventory.json', policies: 'rsp-reaper/policies.yaml' },
  { inventory: 'quay/inventory.json', policies: 'quay/policy.yaml' },
];

export const EXAMPLES_DIR = join(__dirname, '../../../examples');

/**
 * Imports the example inventories (idempotent) and stores each example policy whose scope has
 * none yet, so that a restart with `--demo` never adds revisions or overwrites your edits.
 */
export async function seedDemo(
  database: Database,
  examplesDir = EXAMPLES_DIR,
): Promise<{ repositories: number; policies: number }> {
  let repositories = 0;
  let policies = 0;
  for (const example of EXAMPLES) {
    const inventoryFile = join(examplesDir, example.inventory);
    const inventory = parseInventory(readFileSync(inventoryFile, 'utf8'), inventoryFile);
    repositories += (await database.inventory.importRepositories(inventory.repositories))
      .repositories;
    const policyFile = join(examplesDir, example.policies);
    for (const { policy } of loadPolicyTexts([
      { text: readFileSync(policyFile, 'utf8'), file: policyFile },
    ])) {
      if ((await database.policies.get(policy.scope)) !== null) continue;
      await database.policies.put(policy, 'demo');
      policies++;
    }
  }
  return { repositories, policies };
}
