import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { type Database, openDatabase } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import { buildApp } from '../src/app';
import { ensureAdminToken } from '../src/auth/bootstrap';
import { hashToken } from '../src/auth/secrets';
import { readConfig } from '../src/config';
import { providers, testDatabase } from './database';

const ADMIN = 'admin-token-for-the-authorization-matrix-0123456789';
const GRANTED = 'acme';
const OTHER = 'other';

type Role = 'admin' | 'namespace_admin' | 'viewer' | 'none' | 'revoked';
const ROLES: Role[] = ['admin', 'namespace_admin', 'viewer', 'none', 'revoked'];

/** Routes anyone may call: probes and metrics (WINNOW_METRICS_AUTH=open, the default). */
const PUBLIC = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics']);
/** Registry notifications take WINNOW_EVENTS_SECRET, never an API token: denied to every role. */
const EVENTS = 'POST /api/v1/events/distribution';

/**
 * The policy, stated independently of auth/access.ts: viewers read everything (preview too);
 * namespace administrators read and change what is inside a granted namespace (paths under
 * /namespaces/{namespace}/, runs of it, runs and previews scoped to it) except deleting the
 * namespace itself, and read the rule catalogue; administrators do everything.
 */
function allowed(role: Role, method: string, path: string, inside: boolean): boolean {
  if (PUBLIC.has(`${method} ${path}`)) return true;
  if (`${method} ${path}` === EVENTS) return false;
  if (role === 'none' || role === 'revoked') return false;
  if (role === 'admin') return true;
  const read = method === 'GET' || path === '/api/v1/preview';
  const adminOnly = path.startsWith('/api/v1/tokens');
  if (role === 'viewer') return read && !adminOnly;
  if (path === '/api/v1/rule-kinds') return true;
  if (path === '/api/v1/namespaces/{namespace}') return inside && method === 'GET';
  const namespaced =
    path.startsWith('/api/v1/namespaces/{namespace}/') ||
    (path.startsWith('/api/v1/runs/{id}') && !path.endsWith('registry-deletions')) ||
    path.endsWith('registry-deletions') ||
    (method === 'POST' && (path === '/api/v1/runs' || path === '/api/v1/preview'));
  return namespaced && inside;
}

describe.each(providers)('authentication and authorization on %s', (provider) => {
  let app: FastifyInstance;
  let database: Database;
  let drop: () => Promise<void>;
  const tokens = new Map<Role, string>();
  const runs = new Map<string, number>();

  const as = (role: Role) => {
    const token = tokens.get(role);
    return token === undefined ? {} : { authorization: `Bearer ${token}` };
  };
  const create = async (body: object): Promise<{ token: { id: string }; secret: string }> => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: as('admin'),
      payload: body,
    });
    expect(response.statusCode).toBe(201);
    return response.json();
  };

  beforeAll(async () => {
    ({ database, drop } = await testDatabase(provider));
    const config = readConfig({
      WINNOW_ADMIN_TOKEN: ADMIN,
      WINNOW_EVENTS_SECRET: 'events-secret-of-the-matrix',
    });
    await ensureAdminToken(database, config.auth);
    app = await buildApp({ config, database, logger: false });
    await app.ready();
    tokens.set('admin', ADMIN);
    tokens.set(
      'namespace_admin',
      (await create({ name: 'acme-admin', role: 'namespace_admin', namespaces: [GRANTED] })).secret,
    );
    tokens.set('viewer', (await create({ name: 'reader', role: 'viewer' })).secret);
    const revoked = await create({ name: 'gone', role: 'admin' });
    const revoke = await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${revoked.token.id}`,
      headers: as('admin'),
    });
    expect(revoke.statusCode).toBe(200);
    tokens.set('revoked', revoked.secret);
    for (const namespace of [GRANTED, OTHER]) {
      const made = await app.inject({
        method: 'POST',
        url: '/api/v1/namespaces',
        headers: as('admin'),
        payload: { name: namespace },
      });
      expect(made.statusCode).toBe(201);
      await app.inject({
        method: 'POST',
        url: `/api/v1/namespaces/${namespace}/repositories`,
        headers: as('admin'),
        payload: { name: 'web' },
      });
      const run = await app.inject({
        method: 'POST',
        url: '/api/v1/runs',
        headers: as('admin'),
        payload: { scope: { level: 'namespace', namespace }, dryRun: true },
      });
      expect(run.statusCode).toBe(202);
      runs.set(namespace, run.json<{ id: number }>().id);
    }
  });
  afterAll(async () => {
    await app.close();
    await drop();
  });

  it('answers 401 with WWW-Authenticate for a missing, wrong or revoked token', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer wnw_abc_nothing' },
      { authorization: 'Basic x' },
      as('revoked'),
    ]) {
      const response = await app.inject({ method: 'GET', url: '/api/v1/runs', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.json()).toMatchObject({ error: { code: 'WINNOW_UNAUTHORIZED' } });
    }
  });

  it('stores only the hash, shows the secret once, and records the token name as the actor', async () => {
    const { token, secret } = await create({ name: 'once', role: 'viewer' });
    const stored = await database.apiTokens.get(token.id);
    expect(stored?.hash).toBe(hashToken(secret));
    const listed = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: as('admin') });
    expect(listed.body).not.toContain(secret);
    expect(listed.body).not.toContain(stored?.hash);
    const audit = await database.audit.list({ target: `token:${token.id}` });
    expect(audit.map((e) => [e.actor, e.action])).toEqual([['bootstrap-admin', 'token.create']]);
    const policy = await app.inject({
      method: 'PUT',
      url: `/api/v1/namespaces/${GRANTED}/policy`,
      headers: as('namespace_admin'),
      payload: {
        apiVersion: 'winnow/v1',
        kind: 'RetentionPolicy',
        scope: { level: 'namespace', namespace: GRANTED },
        rules: [{ name: 'expire', match: { olderThan: '30d' }, then: 'delete' }],
      },
    });
    expect(policy.statusCode).toBe(201);
    const entries = await database.audit.list({ target: `policy:namespace:${GRANTED}` });
    expect(entries.map((e) => e.actor)).toEqual(['acme-admin']);
    const policyNow = await database.policies.get({ level: 'namespace', namespace: GRANTED });
    expect(policyNow?.updatedBy).toBe('acme-admin');
  });

  it('keeps the bootstrap token when WINNOW_ADMIN_TOKEN is unset, and generates one only with no administrator', async () => {
    expect(await ensureAdminToken(database, readConfig({}).auth)).toBeUndefined();
    const fresh = await testDatabase(provider);
    try {
      const generated = await ensureAdminToken(fresh.database, readConfig({}).auth);
      expect(generated).toMatch(/^wnw_bootstrap_[A-Za-z0-9_-]{43}$/);
      expect(await ensureAdminToken(fresh.database, readConfig({}).auth)).toBeUndefined();
      const stored = await fresh.database.apiTokens.get('bootstrap');
      expect(stored?.hash).toBe(hashToken(generated ?? ''));
    } finally {
      await fresh.drop();
    }
  });

  it('grants every route to each role exactly as the access policy says', async () => {
    const document = app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })),
    );
    expect(routes.length).toBeGreaterThan(60);
    // Writes last, administrators last: what they delete is not needed after them.
    const order = (method: string) => (method === 'GET' ? 0 : method === 'DELETE' ? 2 : 1);
    routes.sort((a, b) => order(a.method) - order(b.method));
    const failures: string[] = [];
    for (const role of [...ROLES].reverse()) {
      for (const { method, path } of routes) {
        for (const inside of [true, false]) {
          const namespace = inside ? GRANTED : OTHER;
          const url = path
            .replace('{namespace}', namespace)
            .replace('{repository}', 'web')
            .replace('{tag}', 'v1')
            .replace('{name}', 'hub')
            .replace(
              '{id}',
              path.startsWith('/api/v1/runs')
                ? String(runs.get(namespace))
                : path.startsWith('/api/v1/tokens')
                  ? 'zzz'
                  : '1',
            );
          const scoped = path === '/api/v1/runs' || path === '/api/v1/preview';
          const response: LightMyRequestResponse = await app.inject({
            method: method as 'GET',
            url,
            headers: as(role),
            ...(method !== 'GET' &&
              method !== 'DELETE' && {
                payload: scoped ? { scope: { level: 'namespace', namespace }, dryRun: true } : {},
              }),
          });
          const denied = response.statusCode === 401 || response.statusCode === 403;
          const expected = allowed(role, method, path, inside);
          if (denied === expected)
            failures.push(`${role} ${method} ${url}: ${response.statusCode}`);
          if (
            !expected &&
            role !== 'none' &&
            role !== 'revoked' &&
            `${method} ${path}` !== EVENTS &&
            response.statusCode !== 403
          ) {
            failures.push(`${role} ${method} ${url}: expected 403, got ${response.statusCode}`);
          }
          if (response.statusCode >= 500)
            failures.push(`${role} ${method} ${url}: ${response.statusCode}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('authentication settings', () => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ database, drop } = await testDatabase('sqlite'));
  });
  afterAll(async () => {
    await drop();
  });

  it('refuses to start with a route that declares no access', async () => {
    const app = await buildApp({ config: readConfig({}), database, logger: false });
    app.get('/api/v1/forgotten', () => ({}));
    await expect(app.ready()).rejects.toThrow(/GET \/api\/v1\/forgotten/);
    await app.close().catch(() => undefined);
  });

  it('says so in a header with WINNOW_AUTH=off, and warns in the log', async () => {
    const lines: string[] = [];
    const app = await buildApp({
      config: readConfig({ WINNOW_AUTH: 'off' }),
      database,
      logStream: { write: (line) => lines.push(line) },
    });
    const response = await app.inject({ method: 'GET', url: '/api/v1/runs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-winnow-auth']).toBe('off');
    expect(lines.join('')).toMatch(/"level":40.*AUTHENTICATION IS OFF/);
    await app.close();
  });

  it('asks a token for /metrics with WINNOW_METRICS_AUTH=token, never for the probes', async () => {
    const config = readConfig({ WINNOW_METRICS_AUTH: 'token', WINNOW_ADMIN_TOKEN: ADMIN });
    await ensureAdminToken(database, config.auth);
    const app = await buildApp({ config, database, logger: false });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const scraped = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(scraped.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await app.close();
  });
});

// Replicas share PostgreSQL only: SQLite is for one process (docs/operations.md).
describe('bootstrap on PostgreSQL', () => {
  it('lets replicas starting together bootstrap one administrator token without failing', async () => {
    const created = await migratedDatabase('postgresql');
    const replicas = Array.from({ length: 4 }, () => openDatabase(created.url));
    const [first] = replicas as [Database, ...Database[]];
    try {
      const rotated = 'bootstrap-token-of-four-replicas-0123456789';
      const config = readConfig({ WINNOW_ADMIN_TOKEN: rotated }).auth;
      await Promise.all(replicas.map((replica) => ensureAdminToken(replica, config)));
      expect((await first.apiTokens.get('bootstrap'))?.hash).toBe(hashToken(rotated));
      await first.apiTokens.revoke('bootstrap', new Date());
      // Nothing set: every replica sees no administrator; exactly one generates (and prints) one.
      const generated = await Promise.all(
        replicas.map((replica) => ensureAdminToken(replica, readConfig({}).auth)),
      );
      const printed = generated.filter((token) => token !== undefined);
      expect(printed).toHaveLength(1);
      const stored = await first.apiTokens.get('bootstrap');
      expect(stored?.hash).toBe(hashToken(printed[0] ?? ''));
      expect(stored?.revokedAt).toBeNull();
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
      await created.drop();
    }
  });
});
