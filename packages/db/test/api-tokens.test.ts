import { DbErrorCode, type NewApiToken } from '../src';
import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

const token = (id: string, overrides: Partial<NewApiToken> = {}): NewApiToken => ({
  id,
  name: `token-${id}`,
  role: 'viewer',
  namespaces: [],
  hash: id.padEnd(64, '0'),
  ...overrides,
});

const BOOTSTRAP = token('bootstrap', { name: 'bootstrap-admin', role: 'admin', bootstrap: true });
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe.each(providers)('API tokens on %s', (provider) => {
  const db = useDatabase(provider);

  it('creates a token and reads it back, grants and expiry included', async () => {
    const expiresAt = new Date('2027-01-01T00:00:00.000Z');
    const created = await db().apiTokens.create(
      token('a1', { role: 'namespace_admin', namespaces: ['acme', 'beta'], expiresAt }),
    );
    expect(created).toEqual({
      id: 'a1',
      name: 'token-a1',
      role: 'namespace_admin',
      namespaces: ['acme', 'beta'],
      hash: 'a1'.padEnd(64, '0'),
      bootstrap: false,
      createdAt: expect.any(Date) as Date,
      lastUsedAt: null,
      expiresAt,
      revokedAt: null,
    });
    expect(await db().apiTokens.get('a1')).toEqual(created);
    expect(await db().apiTokens.get('missing')).toBeUndefined();
    // Defaults: no grants, no expiry, not the bootstrap token.
    expect(await db().apiTokens.create(token('b2'))).toMatchObject({
      namespaces: [],
      expiresAt: null,
      bootstrap: false,
    });
  });

  it('refuses a second token of the same name, or of the same id, as a conflict', async () => {
    await db().apiTokens.create(token('a1'));
    for (const again of [token('c3', { name: 'token-a1' }), token('a1', { name: 'other' })]) {
      await expect(db().apiTokens.create(again)).rejects.toMatchObject({
        code: DbErrorCode.conflict,
      });
    }
    expect((await db().apiTokens.list()).map((t) => t.id)).toEqual(['a1']);
  });

  it('lists every token oldest first, revoked ones included', async () => {
    for (const id of ['z9', 'a1', 'm5']) {
      await db().apiTokens.create(token(id));
      await pause(5);
    }
    await db().apiTokens.revoke('a1', new Date());
    const listed = await db().apiTokens.list();
    expect(listed.map((t) => t.id)).toEqual(['z9', 'a1', 'm5']);
    expect(listed.map((t) => t.revokedAt !== null)).toEqual([false, true, false]);
  });

  it('revokes once: a second revocation keeps the first time; an unknown id is undefined', async () => {
    await db().apiTokens.create(token('a1'));
    const first = new Date('2026-12-01T10:00:00.000Z');
    expect(await db().apiTokens.revoke('a1', first)).toMatchObject({ id: 'a1', revokedAt: first });
    const again = await db().apiTokens.revoke('a1', new Date('2026-12-02T10:00:00.000Z'));
    expect(again?.revokedAt).toEqual(first);
    expect(await db().apiTokens.revoke('missing', first)).toBeUndefined();
  });

  it('records the last use, and ignores an unknown id', async () => {
    await db().apiTokens.create(token('a1'));
    const at = new Date('2026-12-01T10:00:00.000Z');
    await db().apiTokens.touch('a1', at);
    expect((await db().apiTokens.get('a1'))?.lastUsedAt).toEqual(at);
    const later = new Date('2026-12-01T11:00:00.000Z');
    await db().apiTokens.touch('a1', later);
    expect((await db().apiTokens.get('a1'))?.lastUsedAt).toEqual(later);
    await expect(db().apiTokens.touch('missing', at)).resolves.toBeUndefined();
    expect(await db().apiTokens.get('missing')).toBeUndefined();
  });

  it('replaces the bootstrap token: a new hash, revocation lifted, other tokens untouched', async () => {
    expect(await db().apiTokens.replaceBootstrap('f'.repeat(64))).toBe(false);
    await db().apiTokens.create(BOOTSTRAP);
    await db().apiTokens.create(token('a1', { role: 'admin' }));
    await db().apiTokens.revoke('a1', new Date());
    expect(await db().apiTokens.replaceBootstrap('1'.repeat(64))).toBe(true);
    expect(await db().apiTokens.get('bootstrap')).toMatchObject({
      hash: '1'.repeat(64),
      revokedAt: null,
      bootstrap: true,
    });
    await db().apiTokens.revoke('bootstrap', new Date());
    expect(await db().apiTokens.replaceBootstrap('2'.repeat(64))).toBe(true);
    expect(await db().apiTokens.get('bootstrap')).toMatchObject({
      hash: '2'.repeat(64),
      revokedAt: null,
    });
    // Another token is never changed, revoked or not.
    expect(await db().apiTokens.get('a1')).toMatchObject({
      hash: 'a1'.padEnd(64, '0'),
      revokedAt: expect.any(Date) as Date,
    });
  });

  it('with onlyIfRevoked, replaces only a revoked bootstrap token, and only once', async () => {
    await db().apiTokens.create(BOOTSTRAP);
    expect(await db().apiTokens.replaceBootstrap('1'.repeat(64), { onlyIfRevoked: true })).toBe(
      false,
    );
    expect((await db().apiTokens.get('bootstrap'))?.hash).toBe(BOOTSTRAP.hash);
    await db().apiTokens.revoke('bootstrap', new Date());
    // Two processes racing to regenerate it: the first wins, the second changes nothing.
    const [a, b] = await Promise.all([
      db().apiTokens.replaceBootstrap('2'.repeat(64), { onlyIfRevoked: true }),
      db().apiTokens.replaceBootstrap('3'.repeat(64), { onlyIfRevoked: true }),
    ]);
    expect([a, b].sort()).toEqual([false, true]);
    const replaced = await db().apiTokens.get('bootstrap');
    expect(replaced?.revokedAt).toBeNull();
    expect(replaced?.hash).toBe((a ? '2' : '3').repeat(64));
  });
});
