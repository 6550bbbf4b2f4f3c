import type { InventoryRepository } from '@winnow/engine';

/**
 * The uniform fleet the run and load benchmarks import: `repositories` repositories spread over
 * `NAMESPACES` namespaces (`team-00` ...), each with `tagsPerRepository` tags `build-0000` ...
 * on digests of their own, pushed an hour apart before `FLEET_NOW`.
 */
export const FLEET_NOW = Date.parse('2026-06-01T00:00:00Z');
export const NAMESPACES = 100;

export const namespaceOf = (i: number): string => `team-${String(i % NAMESPACES).padStart(2, '0')}`;
export const repositoryOf = (i: number): string => `service-${String(i).padStart(5, '0')}`;

export function* fleet(
  repositories: number,
  tagsPerRepository: number,
): Generator<InventoryRepository> {
  for (let i = 0; i < repositories; i++) {
    yield {
      namespace: namespaceOf(i),
      name: repositoryOf(i),
      tags: Array.from({ length: tagsPerRepository }, (_, j) => ({
        name: `build-${String(j).padStart(4, '0')}`,
        digest: `sha256:${(i * tagsPerRepository + j).toString(16).padStart(64, '0')}`,
        pushedAt: new Date(FLEET_NOW - (j + 1) * 3_600_000).toISOString(),
      })),
    };
  }
}

/** The fleet as the importer reads a request body: one repository per turn. */
export async function* stream<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}
