import type { Database } from '@winnow/db';
import { DistributionClient } from '@winnow/registry';

import type { RegistrySource } from '../src/registries/source';
import { syncRegistry } from '../src/registries/sync';
import { providers, testDatabase } from './database';
import {
  pushImage,
  pushIndex,
  pushReferrer,
  pushSignature,
  startRegistry,
  type TestRegistry,
} from '@winnow/registry/testing';

/** The client as a sync source, counting requests by method. */
function countingSource(client: DistributionClient) {
  const counts = { head: 0, get: 0, blob: 0 };
  const source: RegistrySource = {
    repositories: () => client.repositories(),
    tags: (path) => client.tags(path),
    headManifest: (path, reference) => {
      counts.head += 1;
      return client.headManifest(path, reference);
    },
    getManifest: (path, reference) => {
      counts.get += 1;
      return client.getManifest(path, reference);
    },
    getBlob: (path, digest) => {
      counts.blob += 1;
      return client.getBlob(path, digest);
    },
    deleteManifest: (path, digest) => client.deleteManifest(path, digest),
  };
  return { source, counts };
}

describe.each(providers)('registry sync on %s, against a real registry', (provider) => {
  let registry: TestRegistry;
  let client: DistributionClient;
  let database: Database;
  let drop: () => Promise<void>;
  const now = new Date('2026-12-01T00:00:00Z');
  const fixtures: Record<string, string> = {};

  beforeAll(async () => {
    registry = await startRegistry();
    client = new DistributionClient({ url: registry.url });
    ({ database, drop } = await testDatabase(provider));
    await database.namespaces.create({ name: 'acme', kind: 'normal', settings: {} });
    // Two tags on one digest.
    const v1 = await pushImage(client, 'acme/web', {
      tag: 'v1',
      label: 'v1',
      created: '2026-01-01T00:00:00Z',
    });
    await client.putManifest(
      'acme/web',
      'stable',
      'application/vnd.oci.image.manifest.v1+json',
      (await client.getManifest('acme/web', v1.digest))?.body ?? Buffer.alloc(0),
    );
    fixtures.v1 = v1.digest;
    // An image without a `created`: its push time is when the sync first saw it.
    fixtures.v2 = (await pushImage(client, 'acme/web', { tag: 'v2', label: 'v2' })).digest;
    // A multi-arch index with two untagged children.
    const amd = await pushImage(client, 'acme/multi', {
      label: 'amd',
      architecture: 'amd64',
      created: '2026-02-01T00:00:00Z',
    });
    const arm = await pushImage(client, 'acme/multi', {
      label: 'arm',
      architecture: 'arm64',
      created: '2026-02-02T00:00:00Z',
    });
    fixtures.amd = amd.digest;
    fixtures.arm = arm.digest;
    fixtures.index = await pushIndex(client, 'acme/multi', 'latest', [
      { ...amd, architecture: 'amd64' },
      { ...arm, architecture: 'arm64' },
    ]);
    // An OCI referrer (fallback tag schema) and a cosign signature of v1.
    const referrer = await pushReferrer(client, 'acme/web', v1, 'application/vnd.example.sbom');
    fixtures.referrer = referrer.referrer;
    fixtures.referrerIndex = referrer.index;
    fixtures.sig = await pushSignature(client, 'acme/web', v1.digest);
    // A repository of a namespace the registry connection does not serve.
    await pushImage(client, 'other/thing', { tag: 'x', label: 'other' });
  }, 60_000);

  afterAll(async () => {
    await drop();
    await registry.stop();
  });

  it('reads tags, digests, indexes, referrers, signatures and push times into the inventory', async () => {
    const { source, counts } = countingSource(client);
    const progress: number[] = [];
    const result = await syncRegistry({
      database,
      source,
      target: { namespaces: ['acme'], concurrency: 2 },
      now,
      onProgress: (p) => progress.push(p.repositoriesDone),
    });
    expect(result.errors).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.progress).toMatchObject({
      repositoriesTotal: 2,
      repositoriesDone: 2,
      repositoriesFailed: 0,
      tags: 6,
    });
    expect(progress).toEqual([0, 1, 2]);
    expect(counts.head).toBe(6);
    // One GET per digest, however many tags point at it: v1, v2, the signature, the referrer
    // and its fallback index in web; the index and its two children in multi.
    expect(counts.get).toBe(8);

    const web = await database.repositories.get({ namespace: 'acme', name: 'web' });
    const tags = Object.fromEntries((web?.tags ?? []).map((t) => [t.name, t]));
    expect(Object.keys(tags).sort()).toEqual(
      [
        'stable',
        'v1',
        'v2',
        `${fixtures.v1?.replace(':', '-')}`,
        `${fixtures.v1?.replace(':', '-')}.sig`,
      ].sort(),
    );
    expect(tags.v1).toMatchObject({ digest: fixtures.v1, pushedAt: '2026-01-01T00:00:00.000Z' });
    expect(tags.stable).toMatchObject({
      digest: fixtures.v1,
      pushedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(tags.v2).toMatchObject({ digest: fixtures.v2, pushedAt: now.toISOString() });
    const manifests = new Map((web?.manifests ?? []).map((m) => [m.digest, m]));
    // The referrer carries its own subject; the fallback index is recorded with it too, so the
    // engine keeps or drops them with v1.
    expect(manifests.get(fixtures.referrer ?? '')).toMatchObject({
      subject: fixtures.v1,
      artifactType: 'application/vnd.example.sbom',
    });
    expect(manifests.get(fixtures.referrerIndex ?? '')).toMatchObject({
      subject: fixtures.v1,
      children: [fixtures.referrer],
    });
    expect(manifests.get(fixtures.v1 ?? '')?.sizeBytes).toBeGreaterThan(0);

    const multi = await database.repositories.get({ namespace: 'acme', name: 'multi' });
    expect(multi?.tags).toEqual([
      expect.objectContaining({
        name: 'latest',
        digest: fixtures.index,
        // An index's push time is its newest child's.
        pushedAt: '2026-02-02T00:00:00.000Z',
      }),
    ]);
    const index = multi?.manifests?.find((m) => m.digest === fixtures.index);
    expect(index?.children).toEqual([fixtures.amd, fixtures.arm]);
    expect(multi?.manifests?.map((m) => m.digest).sort()).toEqual(
      [fixtures.index, fixtures.amd, fixtures.arm].sort(),
    );
    expect(await database.repositories.get({ namespace: 'other', name: 'thing' })).toBeNull();
  });

  it('is incremental: a second sync fetches no stored digest and keeps pull times and labels', async () => {
    const pulled = '2026-11-30T00:00:00.000Z';
    await database.inventory.importRepositories([
      {
        ...((await database.repositories.get({ namespace: 'acme', name: 'multi' })) ?? {
          namespace: 'acme',
          name: 'multi',
          tags: [],
        }),
        tags: [
          {
            name: 'latest',
            digest: fixtures.index ?? '',
            pushedAt: '2026-02-02T00:00:00.000Z',
            lastPulledAt: pulled,
            immutable: true,
            labels: ['prod'],
          },
        ],
      },
    ]);
    const { source, counts } = countingSource(client);
    const result = await syncRegistry({
      database,
      source,
      target: { namespaces: ['acme'], concurrency: 4 },
      now: new Date('2026-12-02T00:00:00Z'),
    });
    expect(counts).toEqual({ head: 6, get: 0, blob: 0 });
    expect(result.progress.manifestsFetched).toBe(0);
    expect(result.progress.manifestsUnchanged).toBeGreaterThanOrEqual(6);
    const multi = await database.repositories.get({ namespace: 'acme', name: 'multi' });
    expect(multi?.tags[0]).toMatchObject({
      lastPulledAt: pulled,
      immutable: true,
      labels: ['prod'],
    });
    // v2 kept the push time of its first sync.
    const web = await database.repositories.get({ namespace: 'acme', name: 'web' });
    expect(web?.tags.find((t) => t.name === 'v2')?.pushedAt).toBe(now.toISOString());
  });

  it('follows the registry: a moved tag takes its new digest, a deleted one goes', async () => {
    const v3 = await pushImage(client, 'acme/web', {
      tag: 'v2',
      label: 'v3',
      created: '2026-03-01T00:00:00Z',
    });
    await client.deleteManifest('acme/web', fixtures.v1 ?? '');
    const { source } = countingSource(client);
    await syncRegistry({
      database,
      source,
      target: { namespaces: ['acme'], concurrency: 1 },
      now,
    });
    const web = await database.repositories.get({ namespace: 'acme', name: 'web' });
    const names = (web?.tags ?? []).map((t) => t.name).sort();
    // v1 and stable went with their digest; the signature and the referrers tag stay (the
    // registry keeps them, orphaned), as the registry says.
    expect(names).not.toContain('v1');
    expect(names).not.toContain('stable');
    expect(web?.tags.find((t) => t.name === 'v2')).toMatchObject({
      digest: v3.digest,
      pushedAt: '2026-03-01T00:00:00.000Z',
    });
  });

  it('records a repository it cannot read and goes on with the others', async () => {
    const { source } = countingSource(client);
    const failing: RegistrySource = {
      ...source,
      tags: (path) =>
        path === 'acme/multi'
          ? (async function* () {
              yield* [];
              const { RegistryError, RegistryErrorCode } = await import('@winnow/registry');
              throw new RegistryError(RegistryErrorCode.unavailable, 'GET tags: 503');
            })()
          : source.tags(path),
    };
    const result = await syncRegistry({
      database,
      source: failing,
      target: { namespaces: ['acme'], concurrency: 2 },
      now,
    });
    expect(result.errors).toEqual([
      { repository: 'acme/multi', code: 'WINNOW_REGISTRY_UNAVAILABLE', message: 'GET tags: 503' },
    ]);
    expect(result.progress).toMatchObject({ repositoriesDone: 2, repositoriesFailed: 1 });
    // Left as it was.
    const multi = await database.repositories.get({ namespace: 'acme', name: 'multi' });
    expect(multi?.tags.map((t) => t.name)).toEqual(['latest']);
  });

  it('reads untagged referrers through the referrers API when the registry has it', async () => {
    // No registry that runs here has the API (distribution 2.8 answers 404): a source that
    // answers as the OCI 1.1 spec says, with real manifest bytes.
    const json = (value: unknown) => Buffer.from(JSON.stringify(value));
    const sha = (n: number) => `sha256:${String(n).repeat(64)}`;
    const config = json({ created: '2026-05-01T00:00:00Z' });
    const image = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(7), size: 2 },
      layers: [],
    });
    const sbom = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/spdx+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(8), size: 2 },
      layers: [],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(1), size: 1 },
    });
    const bodies = new Map([
      [sha(1), image],
      [sha(2), sbom],
    ]);
    const asked: string[] = [];
    const source: RegistrySource = {
      // eslint-disable-next-line @typescript-eslint/require-await
      repositories: async function* () {
        yield 'acme/api';
      },
      // eslint-disable-next-line @typescript-eslint/require-await
      tags: async function* () {
        yield 'v1';
      },
      headManifest: () =>
        Promise.resolve({
          digest: sha(1),
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          size: image.length,
        }),
      getManifest: (_, reference) => {
        const body = bodies.get(reference);
        return Promise.resolve(
          body === undefined
            ? null
            : {
                digest: reference,
                mediaType: 'application/vnd.oci.image.manifest.v1+json',
                size: body.length,
                body,
              },
        );
      },
      getBlob: () => Promise.resolve(config),
      referrers: (_, digest) => {
        asked.push(digest);
        return Promise.resolve({
          supported: true,
          referrers:
            digest === sha(1)
              ? [
                  {
                    digest: sha(2),
                    mediaType: 'application/vnd.oci.image.manifest.v1+json',
                    artifactType: 'application/spdx+json',
                    size: sbom.length,
                  },
                ]
              : [],
        });
      },
      deleteManifest: () => Promise.resolve(false),
    };
    const target = { namespaces: ['acme'], concurrency: 1 };
    await syncRegistry({ database, source, target, now });
    // Asked for the image; not for the referrer (it has a subject).
    expect(asked).toEqual([sha(1)]);
    const api = await database.repositories.get({ namespace: 'acme', name: 'api' });
    expect(api?.manifests?.find((m) => m.digest === sha(2))).toMatchObject({
      subject: sha(1),
      artifactType: 'application/spdx+json',
    });
    // Incremental: stored digests are not asked again.
    await syncRegistry({ database, source, target, now });
    expect(asked).toEqual([sha(1)]);
  });
});
