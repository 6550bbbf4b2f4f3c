export { openDatabase, type Database } from './database';
export { migrate, type MigrateOptions } from './migrate/migrate';
export { DbErrorCode, WinnowDbError } from './errors';
export { providerOf, type Provider } from './provider';
export type { NamespaceKind, NamespaceRecord, NamespaceStore } from './stores/namespaces';
export type { RepositoryRef, RepositoryStore } from './stores/repositories';
export type { ImportSummary, InventoryStore } from './stores/inventory';
export type { PolicyRevisionRecord, PolicyStore, StoredPolicy } from './stores/policies';
export type { TagStore } from './stores/tags';
