export {
  openDatabase,
  type Database,
  type DatabaseOptions,
  type TransactionStores,
} from './database';
export { DEFAULT_POSTGRES_TIMEOUTS, type PostgresTimeouts } from './client';
export { migrate, type MigrateOptions } from './migrate/migrate';
export { DbErrorCode, isDatabaseUnavailable, WinnowDbError } from './errors';
export type { Exclusive } from './exclusive';
export { providerOf, type Provider } from './provider';
export type { NamespaceKind, NamespaceRecord, NamespaceStore } from './stores/namespaces';
export type { RepositoryRef, RepositoryStore } from './stores/repositories';
export type {
  PendingCheck,
  ProxyCacheNamespace,
  ProxyCacheStore,
  TagUpstreamCheck,
  UpstreamHealth,
} from './stores/proxy-cache';
export type { ImportSummary, InventoryScope, InventoryStore } from './stores/inventory';
export type { PolicyRevisionRecord, PolicyStore, StoredPolicy } from './stores/policies';
export type { ExpiredTag, TagStore } from './stores/tags';
export type {
  ClaimOptions,
  ListDecisionsOptions,
  ListRunsOptions,
  ListTasksOptions,
  RunStore,
} from './stores/runs';
export type {
  ApplyOutcome,
  ApplyResult,
  ClaimedTask,
  DecisionCursor,
  DecisionFilter,
  HeldLease,
  NewRun,
  OutcomeCounts,
  Page,
  RunCounts,
  RunDecision,
  RunRecord,
  RunStatus,
  RunTaskRecord,
  RunTaskStatus,
  RunTrigger,
  TaskError,
  TaskStatusCounts,
} from './stores/run-types';
export type { AuditEntry, AuditStore } from './stores/audit';
export type { ApiTokenRecord, ApiTokenRole, ApiTokenStore, NewApiToken } from './stores/api-tokens';
export type {
  InventoryChange,
  RegistryEventInput,
  RegistryEventResult,
  RegistryEventStore,
} from './stores/registry-events';
export type { DueSchedule, NewSchedule, Schedule, ScheduleStore } from './stores/schedules';
export type {
  RegistrySyncRecord,
  RegistrySyncStatus,
  RegistrySyncStore,
  RegistrySyncTrigger,
  SyncError,
  SyncProgress,
} from './stores/registry-syncs';
export type {
  DeletionOutcome,
  DueRepository,
  NewDeletion,
  RegistryDeletionRecord,
  RegistryDeletionStore,
} from './stores/registry-deletions';
export type {
  NewRegistry,
  RegistryAuthKind,
  RegistryChanges,
  RegistryRecord,
  RegistryStore,
  RegistrySyncSchedule,
  RegistryTls,
} from './stores/registries';
export type {
  ClaimedDelivery,
  DeliveryOutcome,
  NewNotificationDelivery,
  NewNotificationEndpoint,
  NotificationDeliveryRecord,
  NotificationDeliveryStatus,
  NotificationEndpointChanges,
  NotificationEndpointRecord,
  NotificationFormat,
  NotificationScope,
  NotificationStore,
} from './stores/notifications';
