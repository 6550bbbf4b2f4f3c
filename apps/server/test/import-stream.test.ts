import { providers, useApp } from './database';

const url = '/api/v1/inventory/import';
const headers = { 'content-type': 'application/json' };

interface ErrorResponse {
  error: { code: string; message: string; issues?: { pointer: string; message: string }[] };
}

function digest(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

function repositoryText(r: number, tags: number): string {
  const list = Array.from({ length: tags }, (_, t) =>
    JSON.stringify({
      name: `v${t}`,
      digest: digest(r * tags + t),
      pushedAt: '2026-01-02T03:04:05Z',
    }),
  );
  return `{"namespace":"ns${r % 7}","name":"app/r${r}","tags":[${list.join(',')}]}`;
}

/** A snapshot's JSON text, generated; the envelope keys come after the repositories on purpose. */
function snapshotText(repositories: number, tags: number): string {
  const items = Array.from({ length: repositories }, (_, r) => repositoryText(r, tags));
  return `{"repositories":[${items.join(',')}],"kind":"Inventory","apiVersion":"winnow/v1"}`;
}

function countTags(exported: string): number {
  const snapshot = JSON.parse(exported) as { repositories: { tags: unknown[] }[] };
  return snapshot.repositories.reduce((sum, repository) => sum + repository.tags.length, 0);
}

describe.each(providers)('streamed inventory import on %s', (provider) => {
  const app = useApp(provider);

  async function post(payload: string): Promise<{ status: number; body: unknown }> {
    const response = await app().inject({ method: 'POST', url, payload, headers });
    return { status: response.statusCode, body: response.json() };
  }

  async function rejects(payload: string): Promise<ErrorResponse['error']> {
    const response = await post(payload);
    expect(response.status).toBe(400);
    return (response.body as ErrorResponse).error;
  }

  it('imports 200 repositories x 50 tags, twice (idempotent), and exports them back', async () => {
    const text = snapshotText(200, 50);
    expect(await post(text)).toEqual({ status: 200, body: { repositories: 200 } });
    expect(await post(text)).toEqual({ status: 200, body: { repositories: 200 } });
    const exported = await app().inject({ method: 'GET', url: '/api/v1/inventory/export' });
    expect(countTags(exported.body)).toBe(10_000);
  }, 60_000);

  it('names where invalid JSON breaks', async () => {
    const text = snapshotText(3, 1);
    const error = await rejects(`${text.slice(0, text.indexOf('"app/r1"') + 10)}]]`);
    expect(error.code).toBe('WINNOW_INVENTORY_INVALID');
    expect(error.issues).toEqual([
      { pointer: '/repositories/1', message: expect.stringContaining('expected JSON') as string },
    ]);
    expect((await rejects('{"apiVersion":"winnow/v1",')).issues?.[0]?.message).toMatch(
      /expected JSON/,
    );
    expect((await rejects('')).code).toBe('WINNOW_INVENTORY_INVALID');
  });

  it('checks the envelope', async () => {
    const body = (envelope: string): string =>
      `{${envelope}"repositories":[${repositoryText(900, 1)}]}`;
    expect((await rejects(body('"apiVersion":"winnow/v2","kind":"Inventory",'))).issues).toEqual([
      { pointer: '/apiVersion', message: expect.any(String) as string },
    ]);
    expect((await rejects(body('"apiVersion":"winnow/v1",'))).issues).toEqual([
      { pointer: '', message: "must have required property 'kind'" },
    ]);
    expect(
      (await rejects(body('"apiVersion":"winnow/v1","kind":"Inventory","extra":1,'))).issues,
    ).toEqual([{ pointer: '/extra', message: expect.any(String) as string }]);
    expect((await rejects('[]')).issues).toEqual([{ pointer: '', message: 'expected an object' }]);
    expect(
      (await rejects('{"apiVersion":"winnow/v1","kind":"Inventory","repositories":{}}')).issues,
    ).toEqual([{ pointer: '/repositories', message: 'must be array' }]);
  });

  it('rejects an invalid repository in the middle with its pointer', async () => {
    const items = [repositoryText(1000, 2), repositoryText(1001, 2), repositoryText(1002, 2)];
    items[1] = items[1]?.replace('"v1","digest":"sha256:', '"v1","digest":"md5:') ?? '';
    const error = await rejects(
      `{"apiVersion":"winnow/v1","kind":"Inventory","repositories":[${items.join(',')}]}`,
    );
    expect(error.issues?.map((issue) => issue.pointer)).toEqual(['/repositories/1/tags/1/digest']);
  });

  it('rejects a repository path seen twice', async () => {
    const items = [repositoryText(2000, 1), repositoryText(2001, 1), repositoryText(2000, 2)];
    const error = await rejects(
      `{"apiVersion":"winnow/v1","kind":"Inventory","repositories":[${items.join(',')}]}`,
    );
    expect(error.issues).toEqual([
      { pointer: '/repositories/2', message: expect.stringContaining('/repositories/0') as string },
    ]);
  });

  it('streams a body through a listening socket, chunk by chunk', async () => {
    const address = await app().listen({ port: 0, host: '127.0.0.1' });
    const encoder = new TextEncoder();
    const repositories = Array.from({ length: 200 }, (_, r) => repositoryText(3000 + r, 5));
    const chunks = [
      '{"apiVersion":"winnow/v1","kind":"Inventory","repositories":[',
      ...repositories.map((text, r) => (r === 0 ? text : `,${text}`)),
      ']}',
    ];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(encoder.encode(chunk));
      },
    });
    const response = await fetch(`${address}${url}`, {
      method: 'POST',
      headers,
      body,
      duplex: 'half',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ repositories: 200 });
  });
});
