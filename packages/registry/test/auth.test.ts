import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { DistributionClient, nextLink, parseChallenge, RegistryErrorCode } from '../src';

const TAGS = ['a', 'b', 'c', 'd', 'e'];
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * A registry that follows the distribution spec where distribution 2.8 does not: token auth
 * (a realm that gives a token per scope to alice:secret) or Basic auth, and `tags/list`
 * paginated by `n` and `last` with a `Link` header.
 */
async function fakeRegistry(scheme: 'bearer' | 'basic') {
  const tokenRequests: string[] = [];
  let base = '';
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', base);
    const auth = request.headers.authorization ?? '';
    if (url.pathname === '/token') {
      tokenRequests.push(url.searchParams.get('scope') ?? '');
      if (auth !== basic('alice', 'secret')) return void response.writeHead(401).end();
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(
        JSON.stringify({ token: `tok:${url.searchParams.get('scope') ?? ''}`, expires_in: 300 }),
      );
    }
    const scope = url.pathname === '/v2/' ? 'registry:catalog:*' : 'repository:acme/web:pull';
    const allowed = scheme === 'bearer' ? `Bearer tok:${scope}` : basic('alice', 'secret');
    if (auth !== allowed) {
      const challenge =
        scheme === 'bearer'
          ? `Bearer realm="${base}/token",service="fake",scope="${scope}"`
          : 'Basic realm="fake"';
      return void response.writeHead(401, { 'www-authenticate': challenge }).end();
    }
    if (url.pathname === '/v2/') return void response.writeHead(200).end('{}');
    if (url.pathname === '/v2/acme/web/tags/list') {
      const n = Number(url.searchParams.get('n') ?? TAGS.length);
      const last = url.searchParams.get('last');
      const from = last === null ? 0 : TAGS.indexOf(last) + 1;
      const page = TAGS.slice(from, from + n);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (from + n < TAGS.length) {
        headers.link = `</v2/acme/web/tags/list?n=${n}&last=${page.at(-1) ?? ''}>; rel="next"`;
      }
      response.writeHead(200, headers);
      return void response.end(JSON.stringify({ name: 'acme/web', tags: page }));
    }
    response.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
  return { url: base, tokenRequests, close: () => new Promise((done) => server.close(done)) };
}

async function collect(items: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('authentication and pagination (a spec-following fake)', () => {
  it('exchanges credentials for a token per scope, once, and pages through tags', async () => {
    const fake = await fakeRegistry('bearer');
    try {
      const client = new DistributionClient({
        url: fake.url,
        credentials: { username: 'alice', password: 'secret' },
      });
      await client.ping();
      expect(await collect(client.tags('acme/web', 2))).toEqual(TAGS);
      expect(await collect(client.tags('acme/web', 2))).toEqual(TAGS);
      // One token for the catalog scope, one for the repository's: cached for later pages.
      expect(fake.tokenRequests).toEqual(['registry:catalog:*', 'repository:acme/web:pull']);
    } finally {
      await fake.close();
    }
  });

  it('refuses wrong credentials with a stable code, never echoing them', async () => {
    const fake = await fakeRegistry('bearer');
    try {
      const client = new DistributionClient({
        url: fake.url,
        credentials: { username: 'alice', password: 'hunter2' },
      });
      const error = await client.ping().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: RegistryErrorCode.unauthorized });
      expect((error as Error).message).not.toContain('hunter2');
    } finally {
      await fake.close();
    }
  });

  it('answers a Basic challenge with the credentials, and fails without them', async () => {
    const fake = await fakeRegistry('basic');
    try {
      const client = new DistributionClient({
        url: fake.url,
        credentials: { username: 'alice', password: 'secret' },
      });
      expect(await collect(client.tags('acme/web'))).toEqual(TAGS);
      await expect(new DistributionClient({ url: fake.url }).ping()).rejects.toMatchObject({
        code: RegistryErrorCode.unauthorized,
      });
    } finally {
      await fake.close();
    }
  });
});

describe('header parsing', () => {
  it('reads challenges, with commas and escapes in quoted values', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:a/b:pull,push',
      },
    });
    expect(parseChallenge('Basic realm="say \\"hi\\""')).toEqual({
      scheme: 'basic',
      params: { realm: 'say "hi"' },
    });
    expect(parseChallenge('')).toBeNull();
  });

  it('finds the next page in a Link header', () => {
    expect(nextLink('</v2/_catalog?last=b&n=2>; rel="next"')).toBe('/v2/_catalog?last=b&n=2');
    expect(nextLink('<https://x/a>; rel="prev", <https://x/b>; rel=next')).toBe('https://x/b');
    expect(nextLink(null)).toBeNull();
    expect(nextLink('<https://x/a>; rel="prev"')).toBeNull();
  });
});
