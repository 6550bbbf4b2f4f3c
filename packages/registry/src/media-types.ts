/** Manifest media types of the OCI image spec and of Docker's distribution. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/**
 * The `Accept` header of manifest requests: registries (distribution 2.8 among them) serve a
 * manifest only in a media type the client lists.
 */
export const MANIFEST_ACCEPT = Object.values(MediaType).join(', ');

/** Whether the media type is an index (a multi-platform image): its children are manifests. */
export const isIndex = (mediaType: string): boolean =>
  mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
