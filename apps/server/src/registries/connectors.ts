import type { RegistryRecord } from '@winnow/db';
import { type Credentials, DistributionClient } from '@winnow/registry';

import { clientOptions } from './check';
import type { RegistrySource } from './source';

/** A registry as sync, apply and checks use it, whatever its API. */
export interface RegistryConnection extends RegistrySource {
  /** Reaches the registry and has the credentials accepted; throws a RegistryError otherwise. */
  ping(): Promise<void>;
}

/**
 * Builds the connection of a registry record with its decrypted credentials. One per registry
 * `kind`: a vendor connector (Harbor, Quay, GHCR, Artifact Registry, Docker Hub, Nexus) is a
 * factory added here; the engine, runs, sync and apply do not change (docs/registry.md).
 */
export type ConnectorFactory = (
  registry: RegistryRecord,
  credentials: Credentials | undefined,
) => RegistryConnection;

export const CONNECTORS: Readonly<Record<string, ConnectorFactory>> = {
  distribution: (registry, credentials) =>
    new DistributionClient(clientOptions(registry, credentials)),
};

export const CONNECTOR_KINDS = Object.keys(CONNECTORS);

export function connect(
  registry: RegistryRecord,
  credentials: Credentials | undefined,
): RegistryConnection {
  const factory = CONNECTORS[registry.kind];
  if (factory === undefined) {
    // The API accepts only known kinds; a row written by a newer version could hold another.
    throw new Error(`registry ${registry.name}: no connector for kind ${registry.kind}`);
  }
  return factory(registry, credentials);
}
