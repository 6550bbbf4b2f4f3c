import { DistributionClient, MediaType, RegistryErrorCode } from '../src';
import { startRegistry, type TestRegistry, collect, pushImage } from '../src/testing';

describe('the distribution client against a real registry (CNCF distribution)', () => {
  let registry: TestRegistry;
  let client: DistributionClient;
  beforeAll(async () => {
    registry = await startRegistry();
    client = new DistributionClient({ url: registry.url });
  });
  afterAll(async () => registry.stop());

  it('pushes, reads, lists, and deletes by digest (every tag on it goes)', async () => {
    await client.ping();
    const digest = (await pushImage(client, 'acme/web', { tag: 'v1', label: 'one' })).digest;
    const pushed = await client.getManifest('acme/web', digest);
    if (pushed === null) throw new Error('the manifest was not stored');
    // A second tag on the same digest.
    expect(await client.putManifest('acme/web', 'latest', MediaType.ociManifest, pushed.body)).toBe(
      digest,
    );
    const other = (await pushImage(client, 'acme/web', { tag: 'v2', label: 'two' })).digest;
    expect(await client.headManifest('acme/web', 'v1')).toEqual({
      digest,
      mediaType: MediaType.ociManifest,
      size: pushed.size,
    });
    const manifest = await client.getManifest('acme/web', 'latest');
    expect(manifest?.digest).toBe(digest);
    expect(JSON.parse(manifest?.body.toString() ?? '{}')).toMatchObject({ schemaVersion: 2 });
    expect((await collect(client.tags('acme/web'))).sort()).toEqual(['latest', 'v1', 'v2']);
    expect(await client.deleteManifest('acme/web', digest)).toBe(true);
    expect(await client.headManifest('acme/web', 'v1')).toBeNull();
    expect(await client.headManifest('acme/web', 'latest')).toBeNull();
    expect(await client.headManifest('acme/web', 'v2')).toMatchObject({ digest: other });
    expect(await client.deleteManifest('acme/web', digest)).toBe(false);
    expect(await client.getManifest('acme/web', 'nope')).toBeNull();
    expect(await collect(client.tags('acme/none'))).toEqual([]);
  });

  it('pages through the catalog with n, last and Link', async () => {
    for (const name of ['page/a', 'page/b', 'page/c', 'page/d', 'page/e']) {
      await pushImage(client, name, { tag: 'v1', label: name });
    }
    const names = await collect(client.repositories(2));
    expect(names.filter((n) => n.startsWith('page/'))).toEqual([
      'page/a',
      'page/b',
      'page/c',
      'page/d',
      'page/e',
    ]);
  });

  it('says what failed, with a stable code', async () => {
    await expect(
      // A manifest whose config blob was never uploaded: 400 MANIFEST_BLOB_UNKNOWN.
      client.putManifest(
        'acme/web',
        'bad',
        MediaType.ociManifest,
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MediaType.ociManifest,
            config: {
              mediaType: 'application/vnd.oci.image.config.v1+json',
              digest: `sha256:${'0'.repeat(64)}`,
              size: 2,
            },
            layers: [],
          }),
        ),
      ),
    ).rejects.toMatchObject({
      code: RegistryErrorCode.refused,
      status: 400,
    });
    const nowhere = new DistributionClient({
      url: 'http://127.0.0.1:9',
      timeoutMs: 2000,
      baseDelayMs: 10,
    });
    await expect(nowhere.ping()).rejects.toMatchObject({ code: RegistryErrorCode.unavailable });
  });
});
