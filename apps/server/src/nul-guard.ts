import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ApiError } from './errors';

const NUL = '\u0000';
export const NUL_MESSAGE = 'expected text without NUL characters (U+0000)';
const token = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Only what parsing makes: plain objects and arrays, and objects with no prototype or one with
 * none (a parsed query string); not a body left as a stream.
 */
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (
    prototype === Object.prototype ||
    prototype === null ||
    Object.getPrototypeOf(prototype) === null
  );
};

/**
 * The JSON pointer (under `base`) of the first string, or object key, holding a NUL character
 * (U+0000); undefined when there is none. Other objects (a body left as a stream) are skipped.
 * Iterative: a body may nest arrays deeper than the call stack goes.
 */
export function nulPointer(value: unknown, base: string): string | undefined {
  const pending: [unknown, string][] = [[value, base]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, pointer] = next;
    if (typeof item === 'string') {
      if (item.includes(NUL)) return pointer;
    } else if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) {
        pending.push([item[index], `${pointer}/${index}`]);
      }
    } else if (isPlainObject(item)) {
      const entries = Object.entries(item);
      for (const [key] of entries) {
        if (key.includes(NUL)) return `${pointer}/${token(key)}`;
      }
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index] ?? ['', undefined];
        pending.push([child, `${pointer}/${token(key)}`]);
      }
    }
  }
  return undefined;
}

/** Throws the 400 naming the field when `value` holds a NUL character. */
function refuseNul(value: unknown, part: 'params' | 'querystring' | 'body'): void {
  const pointer = nulPointer(value, `/${part}`);
  if (pointer !== undefined) {
    throw new ApiError('validation', `invalid ${part}`, [{ pointer, message: NUL_MESSAGE }]);
  }
}

/**
 * No text with a NUL character reaches the database: PostgreSQL cannot store one in `text` or
 * `jsonb` (it would fail as a 500), and no name, description or id of Winnow's needs one. One
 * check of every parsed body, query and path parameter, before the routes' own validation. Bodies
 * parsed by their route (policy YAML, the streamed inventory import) are checked there.
 */
export const nulGuard = fastifyPlugin(async (app: FastifyInstance) => {
  await Promise.resolve();
  app.addHook('preValidation', async (request) => {
    await Promise.resolve();
    refuseNul(request.params, 'params');
    refuseNul(request.query, 'querystring');
    refuseNul(request.body, 'body');
  });
});
