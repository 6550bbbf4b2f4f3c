import type { Manifest, ManifestHead, Referrers } from '@winnow/registry';

/**
 * What sync and apply need of a registry: the distribution API's reads and the manifest delete.
 * `DistributionClient` is one as it is; a vendor connector (Harbor, Quay, ...) implements it
 * with its own API where that is better (see docs/registry.md, "Connectors").
 */
export interface RegistrySource {
  repositories(): AsyncIterable<string>;
  tags(path: string): AsyncIterable<string>;
  headManifest(path: string, reference: string): Promise<ManifestHead | null>;
  getManifest(path: string, reference: string): Promise<Manifest | null>;
  /** A blob's bytes (image configs, to read `created`); null when absent. */
  getBlob(path: string, digest: string): Promise<Buffer | null>;
  /**
   * The referrers of a manifest (OCI 1.1 referrers API; `supported` false when the registry has
   * none). Optional: a source without it is read through the referrers tag schema only.
   */
  referrers?(path: string, digest: string): Promise<Referrers>;
  /** True when deleted, false when it was not there. */
  deleteManifest(path: string, digest: string): Promise<boolean>;
}
