import { providers, useApp } from './database';

interface ErrorResponse {
  error: { code: string; issues?: { pointer: string; message: string }[] };
}

const CACHE_SETTINGS = {
  upstream: { url: 'https://mirror.example' },
  cacheTtl: '14d',
  stalenessPeriod: '7d',
};

describe.each(providers)('namespaces and repositories API on %s', (provider) => {
  const app = useApp(provider);

  it('creates, lists, gets and deletes namespaces', async () => {
    const created = await app().inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      payload: { name: 'acme' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ name: 'acme', kind: 'normal', settings: {} });
    await app().inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      payload: {
        name: 'cache',
        kind: 'proxy_cache',
        settings: CACHE_SETTINGS,
      },
    });
    expect(
      (await app().inject({ method: 'GET', url: '/api/v1/namespaces' }))
        .json<{ namespaces: { name: string }[] }>()
        .namespaces.map((n) => n.name),
    ).toEqual(['acme', 'cache']);
    expect((await app().inject({ method: 'GET', url: '/api/v1/namespaces/cache' })).json()).toEqual(
      {
        name: 'cache',
        kind: 'proxy_cache',
        settings: CACHE_SETTINGS,
        upstream: { status: null, checkedAt: null, error: null },
      },
    );
    const twice = await app().inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      payload: { name: 'acme' },
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<ErrorResponse>().error.code).toBe('WINNOW_CONFLICT');
    expect(
      (await app().inject({ method: 'DELETE', url: '/api/v1/namespaces/cache' })).statusCode,
    ).toBe(204);
    expect(
      (await app().inject({ method: 'GET', url: '/api/v1/namespaces/cache' })).statusCode,
    ).toBe(404);
    expect(
      (await app().inject({ method: 'DELETE', url: '/api/v1/namespaces/cache' })).statusCode,
    ).toBe(404);
  });

  it('creates and lists repositories, nested names included', async () => {
    expect(
      (
        await app().inject({
          method: 'POST',
          url: '/api/v1/namespaces/acme/repositories',
          payload: { name: 'web/api' },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await app().inject({
          method: 'POST',
          url: '/api/v1/namespaces/acme/repositories',
          payload: { name: 'tools' },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await app().inject({
          method: 'POST',
          url: '/api/v1/namespaces/acme/repositories',
          payload: { name: 'tools' },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (await app().inject({ method: 'GET', url: '/api/v1/namespaces/acme/repositories' })).json(),
    ).toEqual({
      repositories: [
        { namespace: 'acme', name: 'tools' },
        { namespace: 'acme', name: 'web/api' },
      ],
    });
    expect(
      (
        await app().inject({
          method: 'POST',
          url: '/api/v1/namespaces/nope/repositories',
          payload: { name: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await app().inject({ method: 'GET', url: '/api/v1/namespaces/nope/repositories' }))
        .statusCode,
    ).toBe(404);
  });

  it('rejects bad names and unknown fields with their pointers', async () => {
    const badName = await app().inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      payload: { name: 'Acme!' },
    });
    expect(badName.statusCode).toBe(400);
    expect(badName.json<ErrorResponse>().error.issues).toEqual([
      { pointer: '/body/name', message: 'expected a namespace name (lower case, e.g. acme)' },
    ]);
    const unknown = await app().inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      payload: { name: 'ok', colour: 'red' },
    });
    expect(unknown.json<ErrorResponse>().error.issues?.[0]?.pointer).toBe('/body/colour');
    const badKind = await app().inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      payload: { name: 'ok', kind: 'mirror' },
    });
    expect(badKind.json<ErrorResponse>().error.issues).toEqual([
      { pointer: '/body/kind', message: 'expected one of normal, proxy_cache' },
    ]);
  });
});
