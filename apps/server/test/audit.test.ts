import { openDatabase } from '@winnow/db';
import { execute, migratedDatabase } from '@winnow/db/testing';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { providers, useApp } from './database';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const policy = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'namespace', namespace: 'acme' },
  rules: [{ name: 'keep-five', match: { newest: 5 }, then: 'keep', else: 'delete' }],
};

interface Entries {
  entries: {
    id: number;
    at: string;
    actor: string;
    action: string;
    target: string;
    details: Record<string, unknown>;
  }[];
}

describe.each(providers)('audit log API on %s', (provider) => {
  const app = useApp(provider);

  it('records every change made through the API, oldest first, and pages by cursor', async () => {
    await app().inject({ method: 'POST', url: '/api/v1/namespaces', payload: { name: 'acme' } });
    await app().inject({ method: 'PUT', url: '/api/v1/namespaces/acme/policy', payload: policy });
    await app().inject({
      method: 'PUT',
      url: '/api/v1/namespaces/acme/repositories/app/tags/v1',
      payload: { digest: DIGEST },
    });
    await app().inject({
      method: 'PUT',
      url: '/api/v1/namespaces/acme/repositories/app/tags/v1/immutable',
    });
    await app().inject({ method: 'DELETE', url: '/api/v1/namespaces/acme/policy' });
    await app().inject({
      method: 'POST',
      url: '/api/v1/inventory/import',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ apiVersion: 'winnow/v1', kind: 'Inventory', repositories: [] }),
    });
    // A failed change is not recorded.
    expect(
      (await app().inject({ method: 'DELETE', url: '/api/v1/namespaces/acme/policy' })).statusCode,
    ).toBe(404);

    const all = (await app().inject({ method: 'GET', url: '/api/v1/audit' })).json<Entries>()
      .entries;
    expect(all.map((e) => [e.action, e.target])).toEqual([
      ['namespace.create', 'namespace:acme'],
      ['policy.put', 'policy:namespace:acme'],
      ['tag.put', 'tag:acme/app:v1'],
      ['tag.immutable.set', 'tag:acme/app:v1'],
      ['policy.delete', 'policy:namespace:acme'],
      ['inventory.import', 'inventory'],
    ]);
    expect(all.every((e) => e.actor === 'api' && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(all[1]?.details).toEqual({ revision: 1 });
    expect(all[2]?.details).toEqual({ digest: DIGEST, created: true });

    const page = (
      await app().inject({ method: 'GET', url: `/api/v1/audit?after=${all[1]?.id ?? 0}&limit=2` })
    ).json<Entries>().entries;
    expect(page.map((e) => e.action)).toEqual(['tag.put', 'tag.immutable.set']);
    const byTarget = (
      await app().inject({ method: 'GET', url: '/api/v1/audit?target=policy:namespace:acme' })
    ).json<Entries>().entries;
    expect(byTarget.map((e) => e.action)).toEqual(['policy.put', 'policy.delete']);
    expect((await app().inject({ method: 'GET', url: '/api/v1/audit?limit=0' })).statusCode).toBe(
      400,
    );
  });
});

describe.each(providers)('a change and its audit entry on %s', (provider) => {
  it('are stored together or not at all: no change when its entry cannot be written', async () => {
    const created = await migratedDatabase(provider);
    const database = openDatabase(created.url);
    const app = await buildApp({
      config: readConfig({ WINNOW_AUTH: 'off' }),
      database,
      logger: false,
    });
    try {
      await execute(created.url, 'DROP TABLE "AuditLog"');
      const put = await app.inject({
        method: 'PUT',
        url: '/api/v1/namespaces/acme/policy',
        payload: policy,
      });
      expect(put.statusCode).toBe(500);
      expect(put.json()).toMatchObject({ error: { code: 'WINNOW_INTERNAL' } });
      const get = await app.inject({ method: 'GET', url: '/api/v1/namespaces/acme/policy' });
      expect(get.statusCode).toBe(404);
      const tag = await app.inject({
        method: 'PUT',
        url: '/api/v1/namespaces/acme/repositories/app/tags/v1',
        payload: { digest: DIGEST },
      });
      expect(tag.statusCode).toBe(500);
      expect(await database.namespaces.list()).toEqual([]);
    } finally {
      await app.close();
      await database.close();
      await created.drop();
    }
  });
});
