export { nextLink, parseChallenge, type Challenge } from './challenge';
export { type Credentials } from './auth';
export {
  DistributionClient,
  type DistributionClientOptions,
  type Manifest,
  type ManifestHead,
} from './client';
export { RegistryError, RegistryErrorCode } from './errors';
export { configCreated, type ParsedManifest, parseManifest } from './manifest';
export { isIndex, MANIFEST_ACCEPT, MediaType } from './media-types';
export {
  inventoryEventOf,
  type InventoryEvent,
  NOTIFICATION_CONTENT_TYPE,
  type NotificationEnvelope,
  type NotificationEvent,
  notificationEnvelopeSchema,
} from './notifications';
export { fallbackTag, type Referrer, type Referrers } from './referrers';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
export { type TlsOptions, type TransportOptions } from './transport';
