import type { Database } from '@winnow/db';

/** Who acts through the API until authentication names people (issue 7). */
export const API_ACTOR = 'api';

/**
 * Records a change in the audit log, after the change succeeded. A crash between the two can
 * lose the entry (never the change); runs will write theirs in the change's own transaction.
 */
export async function audit(
  database: Database,
  action: string,
  target: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await database.audit.record({ actor: API_ACTOR, action, target, details });
}
