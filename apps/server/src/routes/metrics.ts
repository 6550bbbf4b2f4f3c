import type { FastifyInstance } from 'fastify';
import type { Database } from '@winnow/db';
import type { Metrics } from '../metrics';

/** `GET /metrics`: the Prometheus exposition of this process (docs/metrics.md). */
export async function metricsRoutes(
  app: FastifyInstance,
  { metrics, database }: { metrics: Metrics; database: Database },
): Promise<void> {
  // Read from the database at each scrape: the same on every replica, and right after a restart.
  metrics.scrapedGauge(
    'winnow_last_successful_run_timestamp_seconds',
    'When the latest run that succeeded and was not a dry run finished (Unix seconds); 0 until one has',
    [],
    async () => {
      try {
        const at = await database.runs.lastSucceeded();
        return at === null ? [] : [{ value: at.getTime() / 1000 }];
      } catch (error) {
        // The scrape still answers with the rest (this sample 0) while the database does not.
        app.log.warn({ err: error }, 'last successful run: database not reachable');
        metrics.errors.inc({ kind: 'scrape' });
        return [];
      }
    },
  );
  metrics.scrapedGauge(
    'winnow_proxy_cache_upstream_up',
    'Whether the upstream of each proxy-cache namespace answered its last check (1) or not (0); absent before the first check',
    ['namespace'],
    async () => {
      try {
        return (await database.proxyCache.namespaces())
          .filter((namespace) => namespace.upstream.status !== null)
          .map((namespace) => ({
            labels: { namespace: namespace.name },
            value: namespace.upstream.status === 'up' ? 1 : 0,
          }));
      } catch (error) {
        app.log.warn({ err: error }, 'proxy-cache upstreams: database not reachable');
        metrics.errors.inc({ kind: 'scrape' });
        return [];
      }
    },
  );
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    metrics.httpRequests.inc({ method, route, status_code: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) metrics.errors.inc({ kind: 'internal' });
    await Promise.resolve();
  });
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await metrics.exposition();
      return reply.type(contentType).send(body);
    },
  );
  await Promise.resolve();
}
