import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Database } from '@winnow/db';
import { authPlugin } from './auth/plugin';
import type { ServerConfig } from './config';
import { errorHandler, sendFrameworkError } from './error-handler';
import { errorBodySchema } from './errors';
import { loggerOptions, requestIdOf } from './logger';
import { Metrics } from './metrics';
import { nulGuard } from './nul-guard';
import { DEFAULT_BODY_LIMIT, rateLimits } from './rate-limit';
import { auditRoutes } from './routes/audit';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { inventoryRoutes } from './routes/inventory';
import { metricsRoutes } from './routes/metrics';
import { namespaceRoutes } from './routes/namespaces';
import { notificationRoutes } from './routes/notifications';
import { policyRoutes } from './routes/policies';
import { previewRoutes } from './routes/preview';
import { readinessRoutes } from './routes/readiness';
import { registryRoutes } from './routes/registries';
import { registrySyncRoutes } from './routes/registry-syncs';
import { runRoutes } from './routes/runs';
import { scheduleRoutes } from './routes/schedules';
import { tagExpiryRoutes } from './routes/tag-expiry';
import { tagRoutes } from './routes/tags';
import { tokenRoutes } from './routes/tokens';
import { ruleKindRoutes } from './routes/rule-kinds';
import type { WorkerSignals } from './worker/worker';

export interface AppOptions {
  readonly config: ServerConfig;
  /** Opened and migrated by the caller (the composition root, or a test). */
  readonly database: Database;
  /** Overrides the logger (tests pass false). */
  readonly logger?: boolean;
  /** Where the log goes (default: standard output); tests read it. */
  readonly logStream?: { write(line: string): void };
  /** The process's metrics, shared with the worker; a registry of its own when absent. */
  readonly metrics?: Metrics;
  /** The time runs created through the API evaluate at: the database's clock (default: system). */
  readonly clock?: () => Date;
  /** The worker of this process, told of runs created and cancelled; none when it runs none. */
  readonly signals?: WorkerSignals;
}

/** The whole API as one Fastify instance: external plugins, then the app's, then routes. */
export async function buildApp({
  config,
  database,
  logger,
  logStream,
  metrics = new Metrics(),
  clock = () => new Date(),
  signals,
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger === false ? false : loggerOptions(config, logStream),
    // An incoming X-Request-Id is kept when it is safe (see requestIdOf), so one id follows a
    // request through a proxy and into every log line it causes.
    requestIdHeader: false,
    genReqId: (request) => requestIdOf(request, randomUUID),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // A repository name may be 255 characters, percent-encoded up to three times longer.
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: sendFrameworkError,
    // Unknown fields are errors, never silently dropped; `x-expected` is the engine's
    // annotation for what a schema expects, used in messages.
    ajv: {
      customOptions: {
        allErrors: true,
        verbose: true,
        removeAdditional: false,
        keywords: ['x-expected'],
      },
    },
  });
  app.addSchema(errorBodySchema);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    await Promise.resolve();
  });
  // Policy documents may come as YAML: handed to the engine's parser as text.
  app.addContentTypeParser(
    ['application/yaml', 'application/x-yaml', 'text/yaml'],
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, body);
    },
  );
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Winnow API',
        version: '1',
        description: 'Retention policies, inventory and previews for container registries.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(errorHandler);
  await app.register(rateLimits, { perMinute: config.rateLimitPerMinute });
  // Before every route: it checks each has an access declaration (auth/access.ts).
  await app.register(authPlugin, { database, config: config.auth });
  // After authorization (a 403 before a 400), before every route's own validation.
  await app.register(nulGuard);
  // Not encapsulated: its response hook counts every route's requests.
  await app.register(fastifyPlugin(metricsRoutes), { metrics, database });
  await app.register(healthRoutes);
  await app.register(ruleKindRoutes);
  await app.register(readinessRoutes, { database });
  await app.register(policyRoutes, { database });
  await app.register(scheduleRoutes, { database, clock });
  await app.register(inventoryRoutes, { database });
  await app.register(namespaceRoutes, { database });
  await app.register(registryRoutes, { database, clock, secretKey: config.secretKey });
  await app.register(registrySyncRoutes, { database, clock, ...(signals && { signals }) });
  await app.register(tagRoutes, { database });
  await app.register(tagExpiryRoutes, {
    database,
    metrics,
    restoreWindowMs: config.restoreWindowMs,
  });
  await app.register(runRoutes, { database, metrics, clock, ...(signals && { signals }) });
  await app.register(notificationRoutes, { database, clock, secretKey: config.secretKey });
  await app.register(auditRoutes, { database });
  await app.register(eventRoutes, { database, metrics, secret: config.eventsSecret });
  await app.register(previewRoutes, { database });
  await app.register(tokenRoutes, { database, clock });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}
