import type { InventoryRepository } from '@winnow/engine';

import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

const hex = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const PUSHED = '2026-12-01T00:00:00.000Z';

/**
 * A repository of 1,200 manifests, 600 of them indexes with a child each: more ids than SQLite
 * binds in one query (999). Re-importing it, reading its manifests for a sync and listing what
 * is due for deletion read their children in chunks.
 */
describe.each(providers)('a repository with 1,200 manifests on %s', (provider) => {
  const db = useDatabase(provider);

  it('imports twice, and its manifests and due deletions are read whole', async () => {
    const manifests = Array.from({ length: 1200 }, (_, i) => ({
      digest: hex(i),
      mediaType: 'application/vnd.oci.image.index.v1+json',
      pushedAt: PUSHED,
      ...(i < 600 && { children: [hex(i + 600)] }),
    }));
    const repository: InventoryRepository = {
      namespace: 'acme',
      name: 'big',
      tags: Array.from({ length: 600 }, (_, i) => ({
        name: `t${i}`,
        digest: hex(i),
        pushedAt: PUSHED,
      })),
      manifests,
    };
    await db().inventory.importRepositories([repository]);
    await db().inventory.importRepositories([repository], { fromRegistry: true });

    const known = await db().registrySyncs.knownManifests('acme', 'big');
    expect(known.size).toBe(1200);
    expect(known.get(hex(599))?.children).toEqual([hex(1199)]);

    const due = await db().registryDeletions.dueRepositories({
      namespaces: ['acme'],
      cutoff: new Date(),
      limit: 10,
    });
    // Nothing is expired: nothing is due.
    expect(due).toEqual([]);
  }, 60_000);
});
