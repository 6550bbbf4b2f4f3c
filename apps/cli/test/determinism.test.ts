/**
 * Determinism (policy-language.md §4): the same inventory, policies and `now` give the same
 * decisions, byte for byte, whatever order the snapshot lists repositories, tags and manifests in.
 */
import { evaluateExample, type InventoryInput, readExampleInventory, TempDir } from './helpers';

const dir = new TempDir();
afterAll(() => {
  dir.remove();
});

/** A small seeded PRNG (mulberry32), so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const a = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = a;
  }
  return copy;
}

function shuffleInventory(snapshot: InventoryInput, seed: number): InventoryInput {
  const next = random(seed);
  return {
    ...snapshot,
    repositories: shuffled(snapshot.repositories, next).map((repository) => ({
      ...repository,
      tags: shuffled(repository.tags, next),
      ...(repository.manifests ? { manifests: shuffled(repository.manifests, next) } : {}),
    })),
  };
}

const tagOrder = (snapshot: InventoryInput): string =>
  snapshot.repositories.map((r) => r.tags.map((t) => t.name).join(',')).join(';');

describe.each([
  ['ci', 'examples/ci/policy.yaml', 'examples/ci/inventory.json'],
  ['rsp-reaper', 'examples/rsp-reaper/policies.yaml', 'examples/rsp-reaper/inventory.json'],
  ['quay', 'examples/quay/policy.yaml', 'examples/quay/inventory.json'],
])('the %s example', (name, policy, inventoryPath) => {
  it('prints byte-identical JSON for a shuffled copy of the inventory', () => {
    const original = readExampleInventory(inventoryPath);
    const copy = shuffleInventory(original, 20261101);
    expect(tagOrder(copy)).not.toBe(tagOrder(original)); // the shuffle did change something
    const shuffledFile = dir.writeJson(`${name}-shuffled.json`, copy);

    const first = evaluateExample(policy, inventoryPath).result.stdout;
    const second = evaluateExample(policy, shuffledFile).result.stdout;
    expect(second).toBe(first);
  });
});
