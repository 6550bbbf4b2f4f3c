import { providers, useApp } from './database';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const base = '/api/v1/namespaces/acme/repositories/web%2Fapi';

interface ErrorResponse {
  error: { code: string; issues?: { pointer: string; message: string }[] };
}

describe.each(providers)('repository and tag API on %s', (provider) => {
  const app = useApp(provider);

  it('pushes (201), re-tags (200), reads and deletes a tag', async () => {
    const pushed = await app().inject({
      method: 'PUT',
      url: `${base}/tags/v1.0.0`,
      payload: { digest: DIGEST, pushedAt: '2026-01-02T03:04:05Z', labels: ['prod'] },
    });
    expect(pushed.statusCode).toBe(201);
    expect(pushed.json()).toEqual({
      name: 'v1.0.0',
      digest: DIGEST,
      pushedAt: '2026-01-02T03:04:05.000Z',
      immutable: false,
      labels: ['prod'],
    });
    const retagged = await app().inject({
      method: 'PUT',
      url: `${base}/tags/v1.0.0`,
      payload: { digest: OTHER },
    });
    expect(retagged.statusCode).toBe(200);
    expect(
      (await app().inject({ method: 'GET', url: `${base}/tags/v1.0.0` })).json(),
    ).toMatchObject({
      digest: OTHER,
    });
    expect((await app().inject({ method: 'GET', url: base })).json()).toMatchObject({
      namespace: 'acme',
      name: 'web/api',
      tags: [{ name: 'v1.0.0' }],
    });
    expect((await app().inject({ method: 'DELETE', url: `${base}/tags/v1.0.0` })).statusCode).toBe(
      204,
    );
    expect((await app().inject({ method: 'GET', url: `${base}/tags/v1.0.0` })).statusCode).toBe(
      404,
    );
    expect((await app().inject({ method: 'DELETE', url: `${base}/tags/v1.0.0` })).statusCode).toBe(
      404,
    );
  });

  it('sets and clears immutable', async () => {
    await app().inject({ method: 'PUT', url: `${base}/tags/stable`, payload: { digest: DIGEST } });
    expect(
      (await app().inject({ method: 'PUT', url: `${base}/tags/stable/immutable` })).json(),
    ).toMatchObject({ immutable: true });
    expect(
      (await app().inject({ method: 'GET', url: `${base}/tags/stable` })).json(),
    ).toMatchObject({
      immutable: true,
    });
    expect(
      (await app().inject({ method: 'DELETE', url: `${base}/tags/stable/immutable` })).json(),
    ).toMatchObject({ immutable: false });
    expect(
      (await app().inject({ method: 'PUT', url: `${base}/tags/missing/immutable` })).statusCode,
    ).toBe(404);
  });

  it('rejects a bad tag body with pointers, as an import would', async () => {
    const bad = await app().inject({
      method: 'PUT',
      url: `${base}/tags/v2`,
      payload: { digest: 'sha256:xyz', pushedAt: 'yesterday', colour: 'red' },
    });
    expect(bad.statusCode).toBe(400);
    const body = bad.json<ErrorResponse>();
    expect(body.error.code).toBe('WINNOW_INVENTORY_INVALID');
    expect(body.error.issues?.map((i) => i.pointer).sort()).toEqual([
      '/body/colour',
      '/body/digest',
      '/body/pushedAt',
    ]);
    const badName = await app().inject({
      method: 'PUT',
      url: `${base}/tags/-bad`,
      payload: { digest: DIGEST },
    });
    expect(badName.json<ErrorResponse>().error.issues?.[0]?.pointer).toBe('/params/tag');
  });

  it('deletes a repository with its tags', async () => {
    await app().inject({
      method: 'PUT',
      url: '/api/v1/namespaces/acme/repositories/tools/tags/latest',
      payload: { digest: DIGEST },
    });
    expect(
      (await app().inject({ method: 'DELETE', url: '/api/v1/namespaces/acme/repositories/tools' }))
        .statusCode,
    ).toBe(204);
    expect(
      (await app().inject({ method: 'GET', url: '/api/v1/namespaces/acme/repositories/tools' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app().inject({ method: 'DELETE', url: '/api/v1/namespaces/acme/repositories/tools' }))
        .statusCode,
    ).toBe(404);
  });
});
