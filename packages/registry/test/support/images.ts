import { type DistributionClient, MediaType } from '../../src';

/** Pushes a one-layer image whose config says `label`; returns its manifest digest. */
export async function pushImage(
  client: DistributionClient,
  name: string,
  tag: string,
  label: string,
): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { label } } }),
  );
  const layer = Buffer.from(`layer of ${label}`);
  const configDigest = await client.pushBlob(name, config);
  const layerDigest = await client.pushBlob(name, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: layerDigest,
          size: layer.length,
        },
      ],
    }),
  );
  return client.putManifest(name, tag, MediaType.ociManifest, manifest);
}

export async function collect(items: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const item of items) all.push(item);
  return all;
}
