import { type Database, DbErrorCode, WinnowDbError } from '@winnow/db';
import type { AuthConfig } from '../config';
import { BOOTSTRAP_ID, BOOTSTRAP_NAME, hashToken, newToken } from './secrets';

/**
 * Makes sure an administrator can get in. WINNOW_ADMIN_TOKEN set: the bootstrap token is that one
 * (a new value replaces the old: rotation). Unset and no usable administrator token stored: one is
 * generated, stored hashed, and returned to be printed once; otherwise undefined.
 */
export async function ensureAdminToken(
  database: Database,
  config: AuthConfig,
): Promise<string | undefined> {
  if (!config.enabled) return undefined;
  if (config.adminToken !== undefined) {
    const hash = hashToken(config.adminToken);
    // Lost the race to another replica starting at the same time: set the hash over its row.
    if ((await upsertBootstrap(database, hash, false)) === 'lost')
      await upsertBootstrap(database, hash, false);
    return undefined;
  }
  const admins = (await database.apiTokens.list()).filter(
    (token) => token.role === 'admin' && token.revokedAt === null,
  );
  if (admins.length > 0) return undefined;
  const { token } = newToken(BOOTSTRAP_ID);
  // Another replica starting at the same time generated (and printed) its token first: keep it.
  if ((await upsertBootstrap(database, hashToken(token), true)) === 'lost') return undefined;
  return token;
}

/**
 * Stores the bootstrap token's hash. 'lost' when another process got there first (replicas
 * started together): it created the row between this one's read and insert, or, with
 * `onlyIfRevoked`, already replaced the revoked one. Nothing was written then.
 */
async function upsertBootstrap(
  database: Database,
  hash: string,
  onlyIfRevoked: boolean,
): Promise<'stored' | 'lost'> {
  try {
    return await database.transaction(async (stores) => {
      const existing = await stores.apiTokens.get(BOOTSTRAP_ID);
      if (existing)
        return (await stores.apiTokens.replaceBootstrap(hash, { onlyIfRevoked }))
          ? 'stored'
          : 'lost';
      await stores.apiTokens.create({
        id: BOOTSTRAP_ID,
        name: BOOTSTRAP_NAME,
        role: 'admin',
        namespaces: [],
        hash,
        bootstrap: true,
      });
      return 'stored';
    });
  } catch (error) {
    if (error instanceof WinnowDbError && error.code === DbErrorCode.conflict) return 'lost';
    throw error;
  }
}

/** The one print of a generated token: to standard error, not through the (redacting) logger. */
export function printGeneratedToken(token: string, write: (text: string) => void): void {
  const line = '='.repeat(72);
  write(
    `\n${line}\n  Winnow generated the administrator API token (shown this once, stored hashed):\n\n    ${token}\n\n  export WINNOW_TOKEN=${token}\n  curl -H "Authorization: Bearer $WINNOW_TOKEN" http://127.0.0.1:8080/api/v1/runs\n  Set WINNOW_ADMIN_TOKEN to choose it yourself; see docs/security.md.\n${line}\n\n`,
  );
}
