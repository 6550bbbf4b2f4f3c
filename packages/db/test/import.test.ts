import type { InventoryRepository } from '@winnow/engine';

import { byPath, collect, inventory, streamed } from './fixtures';
import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

/**
 * A repository whose names, labels and values exercise escaping and every column (in the order
 * the export sorts them). PostgreSQL cannot store U+0000 in text, so no label holds it.
 */
const awkward: InventoryRepository = {
  namespace: 'ünïcode',
  name: 'team "quoted"/back\\slash/😀',
  tags: [
    { name: 'bare', digest: digest(2), immutable: false, labels: [] },
    {
      name: 'v1.0.0_rc-1',
      digest: digest(1),
      pushedAt: '2026-10-01T12:00:00.123Z',
      lastPulledAt: '1999-12-31T23:59:59.999Z',
      immutable: true,
      labels: ['a "label"', 'ß', 'x\\y', 'tab\tand\u001f'],
    },
  ],
  manifests: [
    {
      digest: digest(1),
      mediaType: 'application/vnd.oci.image.index.v1+json',
      pushedAt: '2026-10-01T12:00:00.000Z',
      sizeBytes: Number.MAX_SAFE_INTEGER,
      children: [digest(3), digest(4), digest(3)],
    },
    { digest: digest(2), sizeBytes: 0, subject: digest(1), artifactType: 'text/plain' },
  ],
};

describe.each(providers)('bulk inventory import on %s', (provider) => {
  const db = useDatabase(provider);

  it('stores every column and character exactly, and re-imports it unchanged', async () => {
    await db().inventory.importRepositories([awkward]);
    await db().inventory.importRepositories([awkward]);
    expect(await collect(db().inventory.exportRepositories())).toEqual([awkward]);
  });

  it('applies each kind of change: columns set and cleared, children only, tags and manifests gone', async () => {
    await db().inventory.importRepositories([awkward]);
    const [bare, tag] = awkward.tags;
    const [index, signature] = awkward.manifests ?? [];
    if (!tag || !bare || !index || !signature) throw new Error('fixture');
    const next: InventoryRepository = {
      ...awkward,
      tags: [
        { ...bare, name: 'new', pushedAt: '2026-11-01T00:00:00.000Z' },
        { name: tag.name, digest: tag.digest, immutable: false, labels: ['only'] },
      ],
      manifests: [
        { ...index, children: [digest(4)] },
        { digest: digest(9), mediaType: 'application/vnd.oci.image.manifest.v1+json' },
      ],
    };
    await db().inventory.importRepositories([next]);
    expect(await collect(db().inventory.exportRepositories())).toEqual([next]);
  });

  it('closes a batch at batchRows, even inside one repository list', async () => {
    const input = inventory(9);
    await db().inventory.importRepositories(streamed(input), { batchSize: 100, batchRows: 3 });
    expect(await collect(db().inventory.exportRepositories())).toEqual(byPath(input));
  });

  it('stores every repository read before the input fails, then throws its error', async () => {
    const input = inventory(5);
    async function* failing(): AsyncGenerator<InventoryRepository> {
      yield* streamed(input);
      throw new Error('the client went away');
    }
    await expect(db().inventory.importRepositories(failing(), { batchSize: 2 })).rejects.toThrow(
      'the client went away',
    );
    expect(await collect(db().inventory.exportRepositories())).toEqual(byPath(input));
  });

  it('writes nothing of a batch that fails, and reports the failure', async () => {
    const [first, second] = inventory(2) as [InventoryRepository, InventoryRepository];
    const broken = { ...second, tags: [{ ...second.tags[0], pushedAt: 'not a time' }] };
    await expect(
      db().inventory.importRepositories([first, broken as InventoryRepository], { batchSize: 2 }),
    ).rejects.toThrow();
    expect(await collect(db().inventory.exportRepositories())).toEqual([]);
  });
});
