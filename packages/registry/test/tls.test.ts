import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributionClient, RegistryErrorCode } from '../src';

/** A self-signed certificate for 127.0.0.1, made by openssl for this test only. */
function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'winnow-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('TLS options against an https registry with a self-signed certificate', () => {
  let server: Server;
  let url: string;
  let cert: string;
  let requests = 0;
  beforeAll(async () => {
    const pair = selfSigned();
    cert = pair.cert;
    // Answers the API check like a registry: `GET /v2/` is `{}`.
    server = createServer(pair, (request, response) => {
      requests += 1;
      response.writeHead(request.url === '/v2/' ? 200 : 404, {
        'content-type': 'application/json',
        'docker-distribution-api-version': 'registry/2.0',
      });
      response.end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    url = `https://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('trusts the registry when given its CA certificate', async () => {
    await new DistributionClient({ url, tls: { caCertificate: cert } }).ping();
  });

  it('refuses an untrusted certificate at once, naming the TLS problem', async () => {
    requests = 0;
    const error = await new DistributionClient({ url }).ping().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: RegistryErrorCode.unavailable });
    expect((error as Error).message).toMatch(
      /^GET https:\/\/127\.0\.0\.1:\d+\/v2\/: TLS: .*self[- ]signed/i,
    );
    // A certificate does not get better by asking again: no retries, and no request got through.
    expect(requests).toBe(0);
  });

  it('accepts any certificate with insecureSkipVerify', async () => {
    await new DistributionClient({ url, tls: { insecureSkipVerify: true } }).ping();
  });
});
