/** Test support: images, indexes, referrers and signatures pushed through the client. */
import { createHash } from 'node:crypto';
import type { DistributionClient } from './client';
import { MediaType } from './media-types';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/**
 * Pushes a one-layer OCI image whose config says it was created at `created` (and is unique to
 * `label`); tags it `tag` when given. Returns the manifest's digest and size.
 */
export async function pushImage(
  client: DistributionClient,
  path: string,
  options: { tag?: string; label: string; created?: string; architecture?: string },
): Promise<{ digest: string; size: number; manifest: Buffer }> {
  const config = json({
    architecture: options.architecture ?? 'amd64',
    os: 'linux',
    ...(options.created !== undefined && { created: options.created }),
    config: { Labels: { label: options.label } },
  });
  const layer = Buffer.from(`layer of ${options.label}`);
  const configDigest = await client.pushBlob(path, config);
  const layerDigest = await client.pushBlob(path, layer);
  const manifest = json({
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
  });
  const digest = await client.putManifest(
    path,
    options.tag ?? digestOf(manifest),
    MediaType.ociManifest,
    manifest,
  );
  return { digest, size: manifest.length, manifest };
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Pushes an OCI index of `children` (pushed already, untagged or not) tagged `tag`. */
export async function pushIndex(
  client: DistributionClient,
  path: string,
  tag: string,
  children: readonly { digest: string; size: number; architecture: string }[],
): Promise<string> {
  return client.putManifest(
    path,
    tag,
    MediaType.ociIndex,
    json({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: children.map((child) => ({
        mediaType: MediaType.ociManifest,
        digest: child.digest,
        size: child.size,
        platform: { architecture: child.architecture, os: 'linux' },
      })),
    }),
  );
}

/**
 * Pushes an OCI 1.1 referrer (an artifact manifest with `subject`) of `subject`, untagged, and
 * the referrers tag schema's fallback index `sha256-<hex>` listing it, as clients do for a
 * registry without the referrers API. Returns the referrer's and the index's digests.
 */
export async function pushReferrer(
  client: DistributionClient,
  path: string,
  subject: { digest: string; size: number },
  artifactType: string,
): Promise<{ referrer: string; index: string }> {
  const empty = Buffer.from('{}');
  const emptyDigest = await client.pushBlob(path, empty);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 }],
    subject: { mediaType: MediaType.ociManifest, digest: subject.digest, size: subject.size },
  });
  const referrer = await client.putManifest(
    path,
    digestOf(manifest),
    MediaType.ociManifest,
    manifest,
  );
  const index = await client.putManifest(
    path,
    subject.digest.replace(':', '-'),
    MediaType.ociIndex,
    json({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [
        { mediaType: MediaType.ociManifest, digest: referrer, size: manifest.length, artifactType },
      ],
    }),
  );
  return { referrer, index };
}

/** Pushes a cosign-style signature image tagged `sha256-<hex>.sig` for `subject`. */
export async function pushSignature(
  client: DistributionClient,
  path: string,
  subject: string,
): Promise<string> {
  const { digest } = await pushImage(client, path, {
    tag: `${subject.replace(':', '-')}.sig`,
    label: `signature of ${subject}`,
  });
  return digest;
}

/** Every item of an async iterable (tags, repositories), in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
