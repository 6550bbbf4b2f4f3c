import {
  compareRepositoryPaths,
  type InventoryRepository,
  type PolicyDocument,
  repositoryPath,
} from '@winnow/engine';

/** Repositories in the canonical form the store exports (see inventory-rows.ts). */
export function inventory(count: number): InventoryRepository[] {
  return Array.from({ length: count }, (_, i) => ({
    namespace: i % 2 === 0 ? 'acme' : 'beta',
    name: `team/app-${String(i).padStart(3, '0')}`,
    tags: [
      {
        name: 'latest',
        digest: `sha256:${'a'.repeat(63)}${i % 10}`,
        pushedAt: '2026-10-01T12:00:00.000Z',
        lastPulledAt: '2026-10-30T08:15:00.250Z',
        immutable: false,
        labels: ['stable', 'team:web'],
      },
      {
        name: 'v1.0.0',
        digest: `sha256:${'b'.repeat(64)}`,
        pushedAt: '2026-01-01T00:00:00.000Z',
        immutable: true,
        labels: [],
      },
    ],
    ...(i % 3 === 0 && {
      manifests: [
        {
          digest: `sha256:${'a'.repeat(63)}${i % 10}`,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          pushedAt: '2026-10-01T12:00:00.000Z',
          sizeBytes: 5_000_000_000,
          children: [`sha256:${'c'.repeat(64)}`, `sha256:${'d'.repeat(64)}`],
        },
        {
          digest: `sha256:${'e'.repeat(64)}`,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          subject: `sha256:${'a'.repeat(63)}${i % 10}`,
          artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
        },
      ],
    }),
  }));
}

export async function* streamed<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function policy(rules: string[]): PolicyDocument {
  return {
    apiVersion: 'winnow/v1',
    kind: 'RetentionPolicy',
    scope: { level: 'repository', namespace: 'acme', repository: 'web/api' },
    rules: rules.map((name) => ({ name, match: { olderThan: '30d' }, then: 'delete' })),
  };
}

/** Repositories in the export's order: by path, code point by code point. */
export function byPath(repositories: readonly InventoryRepository[]): InventoryRepository[] {
  return [...repositories].sort((a, b) =>
    compareRepositoryPaths(repositoryPath(a), repositoryPath(b)),
  );
}
