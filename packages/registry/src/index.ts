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
export {
  inventoryEventOf,
  type InventoryEvent,
  NOTIFICATION_CONTENT_TYPE,
  type NotificationEnvelope,
  type NotificationEvent,
  notificationEnvelopeSchema,
} from './notifications';
