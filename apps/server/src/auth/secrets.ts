import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The id of the bootstrap administrator token (WINNOW_ADMIN_TOKEN or generated at first start). */
export const BOOTSTRAP_ID = 'bootstrap';
export const BOOTSTRAP_NAME = 'bootstrap-admin';

/** `wnw_<id>_<secret>`: the id is public (lists, audit), the secret 32 random bytes. */
export function newToken(id = randomBytes(6).toString('hex')): { id: string; token: string } {
  return { id, token: `wnw_${id}_${randomBytes(32).toString('base64url')}` };
}

export const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The id a presented token claims: its public part, or the bootstrap token's for any other text
 * (WINNOW_ADMIN_TOKEN may be any string of 32 characters or more).
 */
export function tokenId(token: string): string {
  const match = /^wnw_([a-z0-9]+)_/.exec(token);
  return match?.[1] ?? BOOTSTRAP_ID;
}

/** Compares the token's hash with the stored one in constant time. */
export function matches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
