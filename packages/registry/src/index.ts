export { nextLink, parseChallenge, type Challenge } from './challenge';
export {
  type Credentials,
  DistributionClient,
  type DistributionClientOptions,
  type Manifest,
  type ManifestHead,
} from './client';
export { RegistryError, RegistryErrorCode } from './errors';
export { isIndex, MANIFEST_ACCEPT, MediaType } from './media-types';
