import { providers, useApp } from './database';

const namespacePolicy = `apiVersion: winnow/v1
kind: RetentionPolicy
scope: { level: namespace, namespace: acme }
rules:
  - name: keep-ten
    match: { newest: 10 }
    then: keep
    else: delete
`;
const repositoryPolicy = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'repository', namespace: 'acme', repository: 'web/api' },
  rules: [{ name: 'expire', match: { olderThan: '30d' }, then: 'delete' }],
};
const serverPolicy = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  guards: [{ name: 'keep-latest', select: { tags: { glob: 'latest' } }, then: 'keep' }],
};

interface ErrorResponse {
  error: { code: string; message: string; issues?: { pointer: string; message: string }[] };
}

describe.each(providers)('policies API on %s', (provider) => {
  const app = useApp(provider);

  it('is ready when the database answers', async () => {
    const response = await app().inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready' });
  });

  it('creates a namespace policy from YAML (201), replaces it (200) and keeps every revision', async () => {
    const url = '/api/v1/namespaces/acme/policy';
    const created = await app().inject({
      method: 'PUT',
      url,
      payload: namespacePolicy,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ policy: 'acme', revision: 1, updatedBy: 'api' });
    const replaced = await app().inject({
      method: 'PUT',
      url,
      payload: namespacePolicy.replace('newest: 10', 'newest: 5'),
      headers: { 'content-type': 'application/yaml' },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json<{ revision: number }>().revision).toBe(2);
    const current = await app().inject({ method: 'GET', url });
    expect(
      current.json<{ document: { rules: { match: unknown }[] } }>().document.rules[0]?.match,
    ).toEqual({ newest: 5 });
    const revisions = await app().inject({ method: 'GET', url: `${url}/revisions` });
    expect(
      revisions.json<{ revisions: { revision: number }[] }>().revisions.map((r) => r.revision),
    ).toEqual([1, 2]);
  });

  it('takes JSON at repository scope, with the repository name URL-encoded', async () => {
    const url = '/api/v1/namespaces/acme/repositories/web%2Fapi/policy';
    const created = await app().inject({ method: 'PUT', url, payload: repositoryPolicy });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      policy: 'acme/web/api',
      revision: 1,
      document: repositoryPolicy,
    });
    expect((await app().inject({ method: 'GET', url })).json()).toMatchObject({
      document: repositoryPolicy,
    });
  });

  it('stores the server policy with its guards, and deletes it (then 404)', async () => {
    const url = '/api/v1/policies/server';
    expect((await app().inject({ method: 'PUT', url, payload: serverPolicy })).statusCode).toBe(
      201,
    );
    expect((await app().inject({ method: 'DELETE', url })).statusCode).toBe(204);
    const gone = await app().inject({ method: 'GET', url });
    expect(gone.statusCode).toBe(404);
    expect(gone.json<ErrorResponse>().error.code).toBe('WINNOW_NOT_FOUND');
    expect((await app().inject({ method: 'DELETE', url })).statusCode).toBe(404);
    expect((await app().inject({ method: 'GET', url: `${url}/revisions` })).statusCode).toBe(404);
  });

  it('rejects an invalid document with the JSON pointer and what was expected, storing nothing', async () => {
    const url = '/api/v1/namespaces/beta/policy';
    const bad = {
      ...serverPolicy,
      scope: { level: 'namespace', namespace: 'beta' },
      guards: undefined,
      rules: [{ name: 'r', then: 'purge' }],
    };
    const response = await app().inject({ method: 'PUT', url, payload: bad });
    expect(response.statusCode).toBe(400);
    const body = response.json<ErrorResponse>();
    expect(body.error.code).toBe('WINNOW_POLICY_INVALID');
    expect(body.error.issues).toEqual([
      { pointer: '/rules/0/then', message: 'expected one of keep, delete, pass' },
    ]);
    expect((await app().inject({ method: 'GET', url })).statusCode).toBe(404);
  });

  it('rejects a document for another scope than the URL', async () => {
    const response = await app().inject({
      method: 'PUT',
      url: '/api/v1/namespaces/other/policy',
      payload: namespacePolicy,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<ErrorResponse>().error.issues).toEqual([
      { pointer: '/scope', message: 'expected the scope of this URL: namespace "other"' },
    ]);
  });

  it('rejects a YAML key that is a sequence or mapping, naming the field, with no process warning', async () => {
    // Jest gives each test file its own `process` object: listeners on it do not hear warnings
    // emitted on the real one, so watch both the emitter the yaml library calls and the event.
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message);
    };
    const emitWarning = jest.spyOn(process, 'emitWarning');
    process.on('warning', onWarning);
    try {
      for (const [key, pointer] of [
        ['? [a, b]\n      : 1', '/rules/0/match'],
        ['? { a: 1 }\n      : 1', '/rules/0/match'],
        // An alias of a sequence, as a key.
        ['labels: &k [a]\n      ? *k\n      : 1', '/rules/0/match'],
        ['semver: { [a]: 1 }', '/rules/0/match/semver'],
      ] as const) {
        const response = await app().inject({
          method: 'PUT',
          url: '/api/v1/namespaces/acme/policy',
          payload: namespacePolicy.replace(
            'match: { newest: 10 }',
            `match:\n      newest: 10\n      ${key}`,
          ),
          headers: { 'content-type': 'application/yaml' },
        });
        expect({ key, status: response.statusCode }).toEqual({ key, status: 400 });
        expect(response.json<ErrorResponse>().error.issues).toEqual([
          { pointer, message: 'expected string keys, got a sequence or mapping as a key' },
        ]);
      }
      // process.emitWarning emits on a later tick.
      await new Promise((done) => setImmediate(done));
      expect(emitWarning).not.toHaveBeenCalled();
    } finally {
      process.off('warning', onWarning);
      emitWarning.mockRestore();
    }
    expect(warnings).toEqual([]);
  });

  it('rejects YAML syntax errors, several documents, and bad names in the URL', async () => {
    const yaml = { 'content-type': 'application/yaml' };
    const syntax = await app().inject({
      method: 'PUT',
      url: '/api/v1/namespaces/acme/policy',
      payload: 'scope: {level: namespace\n',
      headers: yaml,
    });
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json<ErrorResponse>().error.issues?.[0]?.message).toMatch(
      /^expected valid YAML or JSON: line \d+, column \d+/,
    );
    const two = await app().inject({
      method: 'PUT',
      url: '/api/v1/namespaces/acme/policy',
      payload: `${namespacePolicy}---\n${namespacePolicy}`,
      headers: yaml,
    });
    expect(two.statusCode).toBe(400);
    expect(two.json<ErrorResponse>().error.message).toBe('expected exactly one policy document');
    const badName = await app().inject({
      method: 'GET',
      url: '/api/v1/namespaces/Not_Valid/policy',
    });
    expect(badName.statusCode).toBe(400);
    expect(badName.json<ErrorResponse>().error.issues?.[0]?.pointer).toBe('/params/namespace');
  });
});
