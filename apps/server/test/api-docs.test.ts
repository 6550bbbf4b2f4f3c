import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';
import { testDatabase } from './database';

/** `METHOD /path` of every operation in the OpenAPI description. */
function operations(paths: Record<string, Record<string, unknown>>): string[] {
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('docs/api.md', () => {
  it('lists exactly the routes of /openapi.json', async () => {
    const { database, drop } = await testDatabase('sqlite');
    const app = await buildApp({
      config: readConfig({ WINNOW_AUTH: 'off' }),
      database,
      logger: false,
    });
    try {
      const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
        paths: Record<string, Record<string, unknown>>;
      }>();
      const served = operations(spec.paths).sort();
      const text = readFileSync(join(__dirname, '../../../docs/api.md'), 'utf8');
      const documented = [...text.matchAll(/^\| `((?:GET|PUT|POST|DELETE|PATCH) [^`]+)` +\|/gm)]
        .map((match) => match[1])
        .sort();
      expect(documented).toEqual(served);
    } finally {
      await app.close();
      await drop();
    }
  });
});
