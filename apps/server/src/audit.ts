import type { Database, TransactionStores } from '@winnow/db';

/** Who acts through the API until authentication names people (issue 7). */
export const API_ACTOR = 'api';

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
    await stores.audit.record({ actor: API_ACTOR, action, target, details });
    return result;
  });
}

/**
 * Records a change that could not share a transaction with its entry (an import writes in many
 * transactions), after it happened. A crash between the two can lose the entry, never the change.
 */
export async function auditAfter(database: Database, facts: AuditFacts): Promise<void> {
  const { action, target, details = {} } = facts;
  await database.audit.record({ actor: API_ACTOR, action, target, details });
}
