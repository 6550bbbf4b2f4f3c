/**
 * The registry benchmark's baseline: a plain client doing the same requests as Winnow's sync and
 * apply with the same request cap, and nothing else: no database, no per-repository order, no
 * chunks. Every request is issued at once and the `DistributionClient`'s own cap (the same
 * `concurrency` as the registry connection's) decides how many are in flight.
 */
import { parseManifest } from '@winnow/registry';
import type { RegistrySource } from '@winnow/server/dist/registries/source';
import type { Fixture } from './registry-fixture';

export interface RequestCounts {
  catalog: number;
  tagLists: number;
  heads: number;
  manifestGets: number;
  blobGets: number;
  deletes: number;
}

const zero = (): RequestCounts => ({
  catalog: 0,
  tagLists: 0,
  heads: 0,
  manifestGets: 0,
  blobGets: 0,
  deletes: 0,
});

async function listAll(
  client: RegistrySource,
  fixture: Fixture,
  counts: RequestCounts,
): Promise<{ path: string; tag: string }[]> {
  const lists = await Promise.all(
    fixture.paths.map(async (path) => {
      counts.tagLists += 1;
      const tags: string[] = [];
      for await (const tag of client.tags(path)) tags.push(tag);
      return tags.map((tag) => ({ path, tag }));
    }),
  );
  return lists.flat();
}

/**
 * A sync's requests: the catalog, every repository's tags, a HEAD per tag, and when `fresh`
 * (nothing stored yet) the manifest and its config blob once per digest.
 */
export async function rawSync(
  client: RegistrySource,
  fixture: Fixture,
  fresh: boolean,
): Promise<RequestCounts> {
  const counts = zero();
  // Read through, as the sync reads it (the fixture's paths are the catalog).
  for await (const path of client.repositories()) if (path === '') break;
  counts.catalog += 1;
  const tags = await listAll(client, fixture, counts);
  const resolving = new Map<string, Promise<void>>();
  const resolve = async (path: string, digest: string): Promise<void> => {
    const manifest = await client.getManifest(path, digest);
    counts.manifestGets += 1;
    if (manifest === null) throw new Error(`${path}@${digest} vanished`);
    const config = parseManifest(manifest.mediaType, manifest.body).configDigest;
    if (config !== null) {
      await client.getBlob(path, config);
      counts.blobGets += 1;
    }
  };
  await Promise.all(
    tags.map(async ({ path, tag }) => {
      const head = await client.headManifest(path, tag);
      counts.heads += 1;
      if (head === null) throw new Error(`${path}:${tag} vanished`);
      if (!fresh) return;
      const key = `${path}@${head.digest}`;
      let pending = resolving.get(key);
      if (pending === undefined) {
        pending = resolve(path, head.digest);
        resolving.set(key, pending);
      }
      await pending;
    }),
  );
  return counts;
}

/**
 * An apply's requests: every repository's tags, a HEAD per tag, then a DELETE per doomed digest
 * (after the HEADs, as the apply deletes what its HEADs found).
 */
export async function rawApply(client: RegistrySource, fixture: Fixture): Promise<RequestCounts> {
  const counts = zero();
  const tags = await listAll(client, fixture, counts);
  await Promise.all(
    tags.map(async ({ path, tag }) => {
      await client.headManifest(path, tag);
      counts.heads += 1;
    }),
  );
  await Promise.all(
    fixture.images
      .filter((image) => image.doomed)
      .map(async (image) => {
        if (!(await client.deleteManifest(image.path, image.digest))) {
          throw new Error(`${image.path}@${image.digest} was not there to delete`);
        }
        counts.deletes += 1;
      }),
  );
  return counts;
}
