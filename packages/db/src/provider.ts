import { DbErrorCode, WinnowDbError } from './errors';

export type Provider = 'sqlite' | 'postgresql';

/** `file:` → SQLite, `postgres://` or `postgresql://` → PostgreSQL. */
export function providerOf(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgresql';
  throw new WinnowDbError(
    DbErrorCode.unsupportedUrl,
    `unsupported database URL: expected file:<path> (SQLite) or postgresql://... (PostgreSQL), got a URL starting ${JSON.stringify(url.slice(0, url.indexOf(':') + 1))}`,
  );
}
