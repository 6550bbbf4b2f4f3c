/** The API's operations as the fuzz suite sees them: read from the OpenAPI document, never listed by hand. */
import type { FastifyInstance } from 'fastify';
import type { Schema } from './arbitraries';

export interface Operation {
  readonly method: string;
  /** OpenAPI form: /api/v1/namespaces/{namespace} */
  readonly path: string;
  readonly pathParams: readonly { name: string; schema: Schema }[];
  readonly query: readonly { name: string; schema: Schema }[];
  /** The JSON body's schema; undefined when the operation takes no body. */
  readonly body: Schema | undefined;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export function operationsOf(app: FastifyInstance): Operation[] {
  const document = app.swagger() as { paths: Record<string, Record<string, OpenApiOperation>> };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content;
      return {
        method: method.toUpperCase(),
        path,
        pathParams: parameters
          .filter((p) => p.in === 'path')
          .map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: content ? (content['application/json']?.schema ?? {}) : undefined,
      };
    }),
  );
}

/**
 * Every route the app serves, `METHOD /path/{param}`, read from Fastify's route tree; HEAD (served
 * by GET's handler), the Swagger UI and the raw /openapi.json are left out.
 */
export function routesOf(app: FastifyInstance): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│├└─\s]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack[depth] = match[2] ?? '';
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method === 'HEAD' || path.startsWith('/docs') || path === '/openapi.json') continue;
      routes.push(`${method} ${path}`);
    }
  }
  return routes;
}
