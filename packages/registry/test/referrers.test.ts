import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import {
  configCreated,
  DistributionClient,
  MediaType,
  parseManifest,
  RegistryErrorCode,
} from '../src';
import { startRegistry, type TestRegistry, pushImage } from '../src/testing';

const SIGNATURE_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';

describe('referrers and config blobs against a real registry (no referrers API)', () => {
  let registry: TestRegistry;
  let client: DistributionClient;
  beforeAll(async () => {
    registry = await startRegistry();
    client = new DistributionClient({ url: registry.url });
  });
  afterAll(async () => registry.stop());

  it('falls back to the sha256-<hex> tag, whose index lists the referrers', async () => {
    const image = (await pushImage(client, 'ref/app', { tag: 'v1', label: 'signed' })).digest;
    const head = await client.headManifest('ref/app', image);
    // A signature: an artifact manifest whose subject is the image.
    const empty = Buffer.from('{}');
    const emptyDigest = await client.pushBlob('ref/app', empty);
    const signature = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: SIGNATURE_TYPE, digest: emptyDigest, size: empty.length },
        layers: [],
        subject: { mediaType: MediaType.ociManifest, digest: image, size: head?.size },
      }),
    );
    const signatureDigest = await client.putManifest(
      'ref/app',
      'signature',
      MediaType.ociManifest,
      signature,
    );
    expect(parseManifest(MediaType.ociManifest, signature)).toMatchObject({
      subject: image,
      artifactType: SIGNATURE_TYPE,
    });
    expect(await client.referrers('ref/app', image)).toEqual({ supported: false, referrers: [] });

    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          {
            mediaType: MediaType.ociManifest,
            digest: signatureDigest,
            size: signature.length,
            artifactType: SIGNATURE_TYPE,
          },
        ],
      }),
    );
    await client.putManifest('ref/app', image.replace(':', '-'), MediaType.ociIndex, index);
    expect(await client.referrers('ref/app', image)).toEqual({
      supported: false,
      referrers: [
        {
          digest: signatureDigest,
          mediaType: MediaType.ociManifest,
          artifactType: SIGNATURE_TYPE,
          size: signature.length,
        },
      ],
    });
  });

  it('reads a config blob, checks its digest and its size limit', async () => {
    const created = '2026-02-03T04:05:06Z';
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created }));
    const digest = await client.pushBlob('ref/app', config);
    const blob = await client.getBlob('ref/app', digest);
    expect(blob?.equals(config)).toBe(true);
    expect(configCreated(blob ?? Buffer.alloc(0))).toEqual(new Date(created));
    expect(await client.getBlob('ref/app', `sha256:${'1'.repeat(64)}`)).toBeNull();
    await expect(client.getBlob('ref/app', digest, 10)).rejects.toMatchObject({
      code: RegistryErrorCode.protocol,
    });
  });

  it('follows a blob redirect (as registries do to their storage)', async () => {
    const config = Buffer.from(JSON.stringify({ created: '2026-01-01T00:00:00Z' }));
    const digest = await client.pushBlob('ref/app', config);
    const redirector = createServer((request, response) => {
      response.writeHead(307, { location: `${registry.url}${request.url ?? '/'}` }).end();
    });
    redirector.listen(0, '127.0.0.1');
    await once(redirector, 'listening');
    const address = redirector.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const via = new DistributionClient({ url: `http://127.0.0.1:${address.port}` });
      expect((await via.getBlob('ref/app', digest))?.equals(config)).toBe(true);
    } finally {
      redirector.closeAllConnections();
      redirector.close();
    }
  });
});

describe('referrers from a registry with the OCI 1.1 referrers API', () => {
  let server: Server;
  let url: string;
  const subject = `sha256:${'a'.repeat(64)}`;
  const sbom = `sha256:${'b'.repeat(64)}`;
  beforeAll(async () => {
    // The API answers an index of descriptors; a spec-following registry never says 404 here.
    server = createServer((request, response) => {
      if (request.url === `/v2/app/referrers/${subject}`) {
        response.writeHead(200, { 'content-type': MediaType.ociIndex });
        response.end(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MediaType.ociIndex,
            manifests: [
              {
                mediaType: MediaType.ociManifest,
                digest: sbom,
                size: 321,
                artifactType: 'application/spdx+json',
              },
            ],
          }),
        );
      } else {
        response.writeHead(404).end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('lists them with their artifact types', async () => {
    expect(await new DistributionClient({ url }).referrers('app', subject)).toEqual({
      supported: true,
      referrers: [
        {
          digest: sbom,
          mediaType: MediaType.ociManifest,
          artifactType: 'application/spdx+json',
          size: 321,
        },
      ],
    });
  });
});
