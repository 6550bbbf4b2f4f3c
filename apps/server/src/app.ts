import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerConfig } from './config';
import { errorHandler } from './error-handler';
import { errorBodySchema } from './errors';
import { healthRoutes } from './routes/health';
import { ruleKindRoutes } from './routes/rule-kinds';

export interface AppOptions {
  readonly config: ServerConfig;
  /** Overrides the logger (tests pass false). */
  readonly logger?: boolean;
}

/** The whole API as one Fastify instance: external plugins, then the app's, then routes. */
export async function buildApp({ config, logger }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      logger === false
        ? false
        : {
            level: config.logLevel,
            redact: [
              'req.headers.authorization',
              'req.headers.cookie',
              'req.headers["x-registry-auth"]',
            ],
          },
    requestIdHeader: 'x-request-id',
    bodyLimit: 16 * 1024 * 1024,
    ajv: { customOptions: { allErrors: true } },
  });
  app.addSchema(errorBodySchema);
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
  await app.register(healthRoutes);
  await app.register(ruleKindRoutes);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}
