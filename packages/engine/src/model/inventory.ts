/** The inventory snapshot format, v1 (`spec/inventory-format.md`). */
export interface InventoryTag {
  readonly name: string;
  readonly digest: string;
  readonly pushedAt?: string;
  readonly lastPulledAt?: string | null;
  readonly immutable?: boolean;
  readonly labels?: readonly string[];
}

export interface InventoryManifest {
  readonly digest: string;
  readonly mediaType?: string;
  readonly pushedAt?: string;
  readonly sizeBytes?: number;
  readonly children?: readonly string[];
  readonly subject?: string | null;
  readonly artifactType?: string | null;
}

export interface InventoryRepository {
  readonly namespace: string;
  /** Name inside the namespace; may contain `/`. */
  readonly name: string;
  readonly tags: readonly InventoryTag[];
  readonly manifests?: readonly InventoryManifest[];
}

export interface Inventory {
  readonly apiVersion: 'winnow/v1';
  readonly kind: 'Inventory';
  readonly repositories: readonly InventoryRepository[];
}

export function repositoryPath(
  repository: Pick<InventoryRepository, 'namespace' | 'name'>,
): string {
  return `${repository.namespace}/${repository.name}`;
}
