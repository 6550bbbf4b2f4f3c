/**
 * The registry benchmark's fixture: `repositories` repositories under the `bench` namespace,
 * each with `images` small one-layer images tagged `tagsPerImage` times (the same manifest bytes
 * put under each tag). The older half of each repository's images is what a retention run
 * deletes: every tag of those digests goes, so each is one DELETE.
 */
import { MediaType, type DistributionClient } from '@winnow/registry';
import { pushImage } from '@winnow/registry/testing';

export const NAMESPACE = 'bench';

export interface FixtureShape {
  readonly repositories: number;
  readonly images: number;
  readonly tagsPerImage: number;
}

export interface FixtureImage {
  readonly path: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly manifest: Buffer;
  /** Among the older half of its repository: expired by the run, deleted by the apply. */
  readonly doomed: boolean;
}

export interface Fixture {
  readonly shape: FixtureShape;
  readonly paths: readonly string[];
  readonly images: readonly FixtureImage[];
  readonly tags: number;
  /** Tag names below this are the doomed images' tags (`build-0000-a` ... ). */
  readonly doomedBelow: string;
}

const pad = (n: number): string => String(n).padStart(4, '0');
export const tagName = (image: number, copy: number): string =>
  `build-${pad(image)}-${String.fromCharCode(97 + copy)}`;

/** Image `image` of `path`: created `image` hours after 2026-01-01, its bytes unique to both. */
async function pushTaggedImage(
  client: DistributionClient,
  path: string,
  image: number,
  tagsPerImage: number,
): Promise<{ digest: string; manifest: Buffer }> {
  const { digest, manifest } = await pushImage(client, path, {
    tag: tagName(image, 0),
    label: `${path} ${image}`,
    created: new Date(Date.UTC(2026, 0, 1) + image * 3_600_000).toISOString(),
  });
  await Promise.all(
    Array.from({ length: tagsPerImage - 1 }, (_, copy) =>
      client.putManifest(path, tagName(image, copy + 1), MediaType.ociManifest, manifest),
    ),
  );
  return { digest, manifest };
}

/** Pushes the whole fixture (all images of all repositories at once, the client caps it). */
export async function pushFixture(
  client: DistributionClient,
  shape: FixtureShape,
): Promise<Fixture> {
  const paths = Array.from(
    { length: shape.repositories },
    (_, r) => `${NAMESPACE}/app-${String(r).padStart(2, '0')}`,
  );
  const doomedImages = Math.floor(shape.images / 2);
  const images = await Promise.all(
    paths.flatMap((path) =>
      Array.from({ length: shape.images }, async (_, image): Promise<FixtureImage> => {
        const { digest, manifest } = await pushTaggedImage(client, path, image, shape.tagsPerImage);
        return {
          path,
          digest,
          manifest,
          tags: Array.from({ length: shape.tagsPerImage }, (_, copy) => tagName(image, copy)),
          doomed: image < doomedImages,
        };
      }),
    ),
  );
  return {
    shape,
    paths,
    images,
    tags: shape.repositories * shape.images * shape.tagsPerImage,
    doomedBelow: `build-${pad(doomedImages)}`,
  };
}

/** Puts the doomed images' manifests back under all their tags (their blobs never left). */
export async function repushDoomed(client: DistributionClient, fixture: Fixture): Promise<void> {
  await Promise.all(
    fixture.images
      .filter((image) => image.doomed)
      .flatMap((image) =>
        image.tags.map((tag) =>
          client.putManifest(image.path, tag, MediaType.ociManifest, image.manifest),
        ),
      ),
  );
}

/** Tags per repository now in the registry, summed. */
export async function countTags(client: DistributionClient, fixture: Fixture): Promise<number> {
  const counts = await Promise.all(
    fixture.paths.map(async (path) => {
      let n = 0;
      for await (const tag of client.tags(path)) if (tag !== '') n += 1;
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
