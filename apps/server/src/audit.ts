import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, TransactionStores } from '@winnow/db';

/** Who acts through the API when no token names them (WINNOW_AUTH=off). */
export const API_ACTOR = 'api';

/** The name of the token of the request being handled (set by the auth plugin). */
export const actorStorage = new AsyncLocalStorage<string>();

/** Who acts: the request's token name, or `api` without authentication. */
export const currentActor = (): string => actorStorage.getStore() ?? API_ACTOR;

/** What an audit entry says about a change: `<thing>.<verb>`, on what, and details. */
export interface AuditFacts {
  readonly action: string;
  readonly target: string;
  readonly details?: Record<string, unknown>;
}

/**
 * Makes a change and records it in the audit log in one transaction: both are stored, or
 * neither. `facts` describes the change from its result.
 */
export function audited<T>(
  database: Database,
  change: (stores: TransactionStores) => Promise<T>,
  facts: (result: T) => AuditFacts,
): Promise<T> {
  return database.transaction(async (stores) => {
    const result = await change(stores);
    const { action, target, details = {} } = facts(result);
    await stores.audit.record({ actor: currentActor(), action, target, details });
    return result;
  });
}

/**
 * Records a change that could not share a transaction with its entry (an import writes in many
 * transactions), after it happened. A crash between the two can lose the entry, never the change.
 */
export async function auditAfter(database: Database, facts: AuditFacts): Promise<void> {
  const { action, target, details = {} } = facts;
  await database.audit.record({ actor: currentActor(), action, target, details });
}
