import type { FastifyRequest } from 'fastify';
import type { Database } from '@winnow/db';

/**
 * What a route needs. `public`: no token (health, readiness, the API's own documents, the
 * registry events route, which checks WINNOW_EVENTS_SECRET itself); `read`: any role, within
 * what it may see; `write`: administrators, and namespace administrators in their namespaces;
 * `admin`: administrators only.
 */
export type AccessAction = 'public' | 'read' | 'write' | 'admin';

/**
 * What a request acts on: a namespace, the whole server (server policies, cross-namespace lists,
 * registries), or `catalogue` (the same for everyone, such as rule kinds).
 */
export type AccessTarget = { readonly namespace: string } | 'server' | 'catalogue';

export interface RouteAccess {
  readonly action: AccessAction;
  readonly target?: (
    request: FastifyRequest,
    database: Database,
  ) => AccessTarget | Promise<AccessTarget>;
}

type Loose = Record<string, unknown> | undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** The namespace in the path (`:namespace`). */
const pathNamespace = (request: FastifyRequest): AccessTarget => {
  const namespace = text((request.params as Loose)?.namespace);
  return namespace === undefined ? 'server' : { namespace };
};

/** A scope in the body (`{ scope: { level, namespace } }`): server when absent or server-level. */
const bodyScope = (request: FastifyRequest): AccessTarget => {
  const scope = (request.body as Loose)?.scope as Loose;
  const namespace = text(scope?.namespace);
  return scope?.level === 'server' || namespace === undefined ? 'server' : { namespace };
};

/** The scope of the run `:id` (an unknown run counts as server-wide: it leaks nothing). */
const runScope = async (request: FastifyRequest, database: Database): Promise<AccessTarget> => {
  const id = Number((request.params as Loose)?.id);
  if (!Number.isSafeInteger(id) || id < 1) return 'server';
  const run = await database.runs.get(id);
  const namespace = run?.scope.level === 'server' ? undefined : run?.scope.namespace;
  return namespace === undefined ? 'server' : { namespace };
};

const server = (): AccessTarget => 'server';
const catalogue = (): AccessTarget => 'catalogue';

const read = (target: RouteAccess['target'] = server): RouteAccess => ({ action: 'read', target });
const write = (target: RouteAccess['target'] = server): RouteAccess => ({
  action: 'write',
  target,
});
const PUBLIC: RouteAccess = { action: 'public' };
const ADMIN: RouteAccess = { action: 'admin', target: server };

const NS = '/api/v1/namespaces/:namespace';
const REPO = `${NS}/repositories/:repository`;
const TAG = `${REPO}/tags/:tag`;

/**
 * Every route's access, by `METHOD url` as Fastify registers it. A route missing here fails the
 * app's start (see auth plugin), so none is forgotten. Namespace administrators see and change
 * only what is inside their namespaces: server-wide lists (runs, audit, namespaces, inventory
 * export) answer them 403; viewers read everything, preview included (it changes nothing).
 */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  'GET /openapi.json': PUBLIC,
  'POST /api/v1/events/distribution': PUBLIC,
  'GET /api/v1/rule-kinds': read(catalogue),

  'GET /api/v1/policies/server': read(),
  'PUT /api/v1/policies/server': write(),
  'DELETE /api/v1/policies/server': write(),
  'GET /api/v1/policies/server/revisions': read(),
  'GET /api/v1/policies/server/schedule': read(),
  'PUT /api/v1/policies/server/schedule': write(),
  'DELETE /api/v1/policies/server/schedule': write(),
  ...Object.fromEntries(
    [`${NS}/policy`, `${REPO}/policy`].flatMap((base) => [
      [`GET ${base}`, read(pathNamespace)],
      [`PUT ${base}`, write(pathNamespace)],
      [`DELETE ${base}`, write(pathNamespace)],
      [`GET ${base}/revisions`, read(pathNamespace)],
      [`GET ${base}/schedule`, read(pathNamespace)],
      [`PUT ${base}/schedule`, write(pathNamespace)],
      [`DELETE ${base}/schedule`, write(pathNamespace)],
    ]),
  ),

  'POST /api/v1/inventory/import': write(),
  'GET /api/v1/inventory/export': read(),
  'GET /api/v1/namespaces': read(),
  'POST /api/v1/namespaces': ADMIN,
  [`GET ${NS}`]: read(pathNamespace),
  [`DELETE ${NS}`]: ADMIN,
  [`GET ${NS}/repositories`]: read(pathNamespace),
  [`POST ${NS}/repositories`]: write(pathNamespace),
  [`GET ${REPO}`]: read(pathNamespace),
  [`DELETE ${REPO}`]: write(pathNamespace),
  [`GET ${REPO}/tags`]: read(pathNamespace),
  [`GET ${TAG}`]: read(pathNamespace),
  [`PUT ${TAG}`]: write(pathNamespace),
  [`DELETE ${TAG}`]: write(pathNamespace),
  [`PUT ${TAG}/immutable`]: write(pathNamespace),
  [`DELETE ${TAG}/immutable`]: write(pathNamespace),
  [`POST ${TAG}/restore`]: write(pathNamespace),

  'GET /api/v1/registries': read(),
  'POST /api/v1/registries': ADMIN,
  'GET /api/v1/registries/:name': read(),
  'PATCH /api/v1/registries/:name': ADMIN,
  'DELETE /api/v1/registries/:name': ADMIN,
  'POST /api/v1/registries/:name/check': ADMIN,
  'POST /api/v1/registries/:name/syncs': ADMIN,
  'GET /api/v1/registries/:name/syncs': read(),
  'GET /api/v1/registries/:name/syncs/:id': read(),
  'GET /api/v1/registries/:name/deletions': read(),

  'POST /api/v1/runs': write(bodyScope),
  'GET /api/v1/runs': read(),
  'GET /api/v1/runs/:id': read(runScope),
  'GET /api/v1/runs/:id/repositories': read(runScope),
  'GET /api/v1/runs/:id/decisions': read(runScope),
  'GET /api/v1/runs/:id/policies': read(runScope),
  'GET /api/v1/runs/:id/registry-deletions': read(runScope),
  'POST /api/v1/runs/:id/cancel': write(runScope),
  'POST /api/v1/preview': read(bodyScope),

  'GET /api/v1/notifications': read(),
  'POST /api/v1/notifications': ADMIN,
  'GET /api/v1/notifications/:id': read(),
  'PATCH /api/v1/notifications/:id': ADMIN,
  'DELETE /api/v1/notifications/:id': ADMIN,
  'GET /api/v1/notifications/:id/deliveries': read(),
  'POST /api/v1/notifications/:id/test': ADMIN,
  'GET /api/v1/audit': read(),

  'GET /api/v1/tokens': ADMIN,
  'POST /api/v1/tokens': ADMIN,
  'DELETE /api/v1/tokens/:id': ADMIN,
};
