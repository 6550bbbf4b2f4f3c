import { DbErrorCode, type NewRegistry } from '../src';
import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

const registry = (name: string, overrides: Partial<NewRegistry> = {}): NewRegistry => ({
  name,
  url: `https://${name}.example`,
  authKind: 'anonymous',
  username: null,
  secret: null,
  namespaces: [],
  tls: {},
  concurrency: 8,
  requestsPerSecond: null,
  timeoutMs: 30_000,
  deleteImmediately: false,
  sync: null,
  ...overrides,
});

const sync = {
  cron: '0 3 * * *',
  timezone: 'Europe/Paris',
  nextSyncAt: new Date('2026-11-02T02:00:00Z'),
};

describe.each(providers)('registries on %s', (provider) => {
  const db = useDatabase(provider);

  it('creates, reads, lists, updates and deletes a registry', async () => {
    const hub = registry('hub', {
      authKind: 'basic',
      username: 'robot',
      secret: 'v1:opaque',
      namespaces: ['acme', 'beta'],
      tls: { caCertificate: 'PEM', insecureSkipVerify: false },
      concurrency: 4,
      requestsPerSecond: 20,
      timeoutMs: 5000,
      deleteImmediately: true,
      sync,
    });
    const created = await db().registries.create(hub);
    expect(created).toEqual({
      ...hub,
      id: expect.any(Number) as unknown,
      kind: 'distribution',
      createdAt: expect.any(Date) as unknown,
      updatedAt: expect.any(Date) as unknown,
    });
    await db().registries.create(registry('aaa'));
    expect(await db().registries.get('hub')).toEqual(created);
    expect(await db().registries.get('nope')).toBeNull();
    expect((await db().registries.list()).map((r) => r.name)).toEqual(['aaa', 'hub']);

    const updated = await db().registries.update('hub', {
      secret: null,
      sync: null,
      namespaces: ['beta'],
      requestsPerSecond: null,
    });
    expect(updated).toEqual({
      ...created,
      secret: null,
      sync: null,
      namespaces: ['beta'],
      requestsPerSecond: null,
      updatedAt: expect.any(Date) as unknown,
    });
    // Absent fields stay.
    expect(await db().registries.update('hub', { timeoutMs: 9000 })).toMatchObject({
      username: 'robot',
      namespaces: ['beta'],
      timeoutMs: 9000,
    });

    await db().registries.delete('hub');
    expect(await db().registries.get('hub')).toBeNull();
    await expect(db().registries.delete('hub')).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
    await expect(db().registries.update('hub', { timeoutMs: 1000 })).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
  });

  it('refuses a second registry of the same name', async () => {
    await db().registries.create(registry('hub'));
    await expect(db().registries.create(registry('hub'))).rejects.toMatchObject({
      code: DbErrorCode.conflict,
      message: 'registry hub: already exists',
    });
  });

  it('lets one registry at most serve a namespace', async () => {
    await db().registries.create(registry('hub', { namespaces: ['acme', 'beta'] }));
    await db().registries.create(registry('quay', { namespaces: ['gamma'] }));
    await expect(
      db().registries.create(registry('ghcr', { namespaces: ['delta', 'beta'] })),
    ).rejects.toMatchObject({
      code: DbErrorCode.conflict,
      message: 'namespace beta: already served by registry hub',
    });
    await expect(db().registries.update('quay', { namespaces: ['acme'] })).rejects.toMatchObject({
      code: DbErrorCode.conflict,
      message: 'namespace acme: already served by registry hub',
    });
    expect(await db().registries.get('ghcr')).toBeNull();
    expect(await db().registries.get('quay')).toMatchObject({ namespaces: ['gamma'] });
    // Its own namespaces are no conflict; freed ones can be taken.
    await db().registries.update('hub', { namespaces: ['beta', 'acme'] });
    await db().registries.update('hub', { namespaces: ['beta'] });
    await db().registries.update('quay', { namespaces: ['gamma', 'acme'] });

    expect(await db().registries.serving('acme')).toMatchObject({ name: 'quay' });
    expect(await db().registries.serving('beta')).toMatchObject({ name: 'hub' });
    expect(await db().registries.serving('zeta')).toBeNull();
    await db().registries.delete('quay');
    expect(await db().registries.serving('acme')).toBeNull();
  });

  it('serializes concurrent claims of one namespace: exactly one wins', async () => {
    const results = await Promise.allSettled(
      ['r1', 'r2', 'r3', 'r4'].map((name) =>
        db().registries.create(registry(name, { namespaces: ['acme'] })),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(result.reason).toMatchObject({ code: DbErrorCode.conflict });
      }
    }
    expect(await db().registries.list()).toHaveLength(1);
  });

  it('rolls back with the transaction it is part of', async () => {
    await expect(
      db().transaction(async (stores) => {
        await stores.registries.create(registry('hub', { namespaces: ['acme'] }));
        throw new Error('after the create');
      }),
    ).rejects.toThrow('after the create');
    expect(await db().registries.list()).toEqual([]);
  });
});
