import type { DbTransaction } from '../client';
import { translated } from '../errors';

export type ApiTokenRole = 'admin' | 'namespace_admin' | 'viewer';

/** An API token as stored: never its secret, only the secret's hash. */
export interface ApiTokenRecord {
  /** The public part of the token, shown in lists. */
  readonly id: string;
  readonly name: string;
  readonly role: ApiTokenRole;
  /** The namespaces a namespace administrator is granted; empty for other roles. */
  readonly namespaces: readonly string[];
  /** Hex SHA-256 of the whole token. */
  readonly hash: string;
  readonly bootstrap: boolean;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

export type NewApiToken = Pick<ApiTokenRecord, 'id' | 'name' | 'role' | 'namespaces' | 'hash'> & {
  readonly bootstrap?: boolean;
  readonly expiresAt?: Date | null;
};

export interface ApiTokenStore {
  /** Fails with WINNOW_DB_CONFLICT when the name is taken. */
  create(token: NewApiToken): Promise<ApiTokenRecord>;
  get(id: string): Promise<ApiTokenRecord | undefined>;
  /** Every token, revoked ones included, oldest first. */
  list(): Promise<ApiTokenRecord[]>;
  /** Marks the token revoked (idempotent: the first revocation's time stays). */
  revoke(id: string, at: Date): Promise<ApiTokenRecord | undefined>;
  touch(id: string, at: Date): Promise<void>;
  /**
   * Gives the bootstrap token a new hash and un-revokes it (WINNOW_ADMIN_TOKEN rotated). With
   * `onlyIfRevoked`, only a revoked one is replaced: of processes racing to regenerate it, one
   * wins. True when a row was changed.
   */
  replaceBootstrap(hash: string, options?: { onlyIfRevoked?: boolean }): Promise<boolean>;
}

type Row = Omit<ApiTokenRecord, 'namespaces'> & { namespaces: unknown };
const toRecord = (row: Row): ApiTokenRecord => ({
  ...row,
  namespaces: Array.isArray(row.namespaces) ? (row.namespaces as string[]) : [],
});

export function apiTokenStore(db: DbTransaction): ApiTokenStore {
  return {
    create: async (token) =>
      toRecord(
        await translated(`API token ${token.name}`, () =>
          db.apiToken.create({
            data: {
              id: token.id,
              name: token.name,
              role: token.role,
              namespaces: [...token.namespaces],
              hash: token.hash,
              bootstrap: token.bootstrap ?? false,
              expiresAt: token.expiresAt ?? null,
            },
          }),
        ),
      ),
    get: async (id) => {
      const row = await db.apiToken.findUnique({ where: { id } });
      return row ? toRecord(row) : undefined;
    },
    list: async () =>
      (await db.apiToken.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(
        toRecord,
      ),
    revoke: async (id, at) => {
      await db.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
      const row = await db.apiToken.findUnique({ where: { id } });
      return row ? toRecord(row) : undefined;
    },
    touch: async (id, at) => {
      await db.apiToken.updateMany({ where: { id }, data: { lastUsedAt: at } });
    },
    replaceBootstrap: async (hash, options) => {
      const { count } = await db.apiToken.updateMany({
        where: options?.onlyIfRevoked
          ? { bootstrap: true, revokedAt: { not: null } }
          : { bootstrap: true },
        data: { hash, revokedAt: null },
      });
      return count > 0;
    },
  };
}
