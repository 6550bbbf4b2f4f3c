import { RegistryError, RegistryErrorCode } from './errors';

/** A manifest that refers to another one (a signature, an SBOM, an attestation). */
export interface Referrer {
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType?: string;
  readonly size: number;
}

export interface Referrers {
  /** Whether the registry has the OCI 1.1 referrers API; if not, the `sha256-<hex>` tag was read. */
  readonly supported: boolean;
  readonly referrers: readonly Referrer[];
}

/** The tag under which clients without the referrers API list the referrers of `digest`. */
export const fallbackTag = (digest: string): string => digest.replace(':', '-');

/** The descriptors of an index's `manifests`, as referrers; a protocol error if malformed. */
export function referrersOf(index: unknown, what: string): Referrer[] {
  const manifests =
    typeof index === 'object' && index !== null
      ? (index as { manifests?: unknown }).manifests
      : undefined;
  if (manifests === undefined) return [];
  if (!Array.isArray(manifests)) {
    throw new RegistryError(RegistryErrorCode.protocol, `${what}: "manifests" is not a list`);
  }
  return manifests.map((entry: unknown) => {
    const { digest, mediaType, artifactType, size } = (entry ?? {}) as Record<string, unknown>;
    if (typeof digest !== 'string' || typeof mediaType !== 'string' || typeof size !== 'number') {
      throw new RegistryError(
        RegistryErrorCode.protocol,
        `${what}: a descriptor without digest, mediaType or size`,
      );
    }
    return {
      digest,
      mediaType,
      ...(typeof artifactType === 'string' && { artifactType }),
      size,
    };
  });
}
