import { RegistryErrorCode } from './errors';
import { configCreated, parseManifest } from './manifest';
import { MediaType } from './media-types';

const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const digest = (c: string): string => `sha256:${c.repeat(64)}`;

describe('parseManifest', () => {
  it('reads an image: its config digest, no children, no artifact type', () => {
    const body = bytes({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest('c') },
      layers: [{ digest: digest('l') }],
    });
    expect(parseManifest(MediaType.ociManifest, body)).toEqual({
      kind: 'image',
      mediaType: MediaType.ociManifest,
      children: [],
      subject: null,
      artifactType: null,
      configDigest: digest('c'),
      size: body.length,
    });
  });

  it('reads an index: its children in order', () => {
    const body = bytes({
      schemaVersion: 2,
      manifests: [{ digest: digest('a') }, { digest: digest('b') }, { platform: {} }],
    });
    expect(parseManifest(MediaType.dockerManifestList, body)).toMatchObject({
      kind: 'index',
      children: [digest('a'), digest('b')],
      configDigest: null,
    });
    // No Content-Type: the shape decides.
    expect(parseManifest('', body).kind).toBe('index');
  });

  it('reads a referrer: subject and artifact type (explicit, or the config media type)', () => {
    const signature = bytes({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json', digest: digest('c') },
      layers: [],
      subject: { mediaType: MediaType.ociManifest, digest: digest('s'), size: 10 },
    });
    expect(parseManifest(`${MediaType.ociManifest}; charset=utf-8`, signature)).toMatchObject({
      kind: 'image',
      mediaType: MediaType.ociManifest,
      subject: digest('s'),
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    });
    const sbom = bytes({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: 'application/spdx+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digest('e') },
      layers: [],
    });
    expect(parseManifest('', sbom).artifactType).toBe('application/spdx+json');
  });

  it('calls an unknown media type "other", and refuses bytes that are not a JSON object', () => {
    expect(parseManifest('application/vnd.example+json', bytes({})).kind).toBe('other');
    for (const body of ['nope', '[]', 'null']) {
      const error = (() => {
        try {
          parseManifest(MediaType.ociManifest, Buffer.from(body));
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toMatchObject({ code: RegistryErrorCode.protocol });
    }
  });
});

describe('configCreated', () => {
  it('reads `created`, or null when it is missing or not a time', () => {
    expect(configCreated(bytes({ created: '2026-03-01T12:00:00.5Z' }))).toEqual(
      new Date('2026-03-01T12:00:00.500Z'),
    );
    expect(configCreated(bytes({ architecture: 'amd64' }))).toBeNull();
    expect(configCreated(bytes({ created: 'yesterday' }))).toBeNull();
    expect(configCreated(bytes({ created: 5 }))).toBeNull();
    expect(configCreated(Buffer.from('not json'))).toBeNull();
  });
});
