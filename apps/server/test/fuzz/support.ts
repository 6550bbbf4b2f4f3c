/**
 * The fuzz suite's app, request encoding and the properties every response must keep. Cases per
 * target: WINNOW_FUZZ_RUNS (`pnpm fuzz` sets 10,000; CI runs the default, a few hundred).
 */
import { appendFileSync } from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';
import { testDatabase } from '../database';

export const FUZZ_RUNS = Number(process.env.WINNOW_FUZZ_RUNS ?? '80');

function targetPattern(variable: 'WINNOW_FUZZ_ONLY' | 'WINNOW_FUZZ_SKIP'): RegExp | undefined {
  const source = process.env[variable];
  return source ? new RegExp(source, 'i') : undefined;
}
const ONLY = targetPattern('WINNOW_FUZZ_ONLY');
const SKIP = targetPattern('WINNOW_FUZZ_SKIP');

/**
 * Whether a target runs: its name (`GET /api/v1/runs/{id}` for an operation, the test's title for
 * a document target) matches WINNOW_FUZZ_ONLY, when set, and not WINNOW_FUZZ_SKIP (both regular
 * expressions, case-insensitive). Unset, every target runs: what CI does.
 */
export function isTargetSelected(name: string): boolean {
  return (ONLY?.test(name) ?? true) && !(SKIP?.test(name) ?? false);
}

/** 10,000 cases of a slow target take minutes: a timeout per test would only cut the run short. */
export const FUZZ_TIMEOUT_MS = 24 * 3_600_000;

/** Appends a line of figures to the file WINNOW_FUZZ_REPORT names, as each target finishes. */
function reportFigures(line: string): void {
  const file = process.env.WINNOW_FUZZ_REPORT;
  if (file) appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
}

/**
 * Runs one target's property for FUZZ_RUNS cases and reports the cases it actually ran (up to the
 * first failure), the time and the outcome. Returns undefined, or the failure with its seed and
 * counterexample path (to replay: `fc.assert(property, { seed, path })`).
 */
export async function checkTarget<Ts>(
  name: string,
  property: fc.IRawProperty<Ts>,
): Promise<string | undefined> {
  const started = performance.now();
  const result = await fc.check(property, { numRuns: FUZZ_RUNS });
  reportFigures(
    `${name}: ${result.numRuns} cases in ${Math.round(performance.now() - started)} ms, ${result.failed ? 'FAILED' : 'passed'}`,
  );
  if (!result.failed) return undefined;
  const error = result.errorInstance;
  return `${name} (seed ${result.seed}, path ${result.counterexamplePath ?? ''}): ${String(error instanceof Error ? error.message : error)}`;
}
/** The bearer token registry notifications carry (WINNOW_EVENTS_SECRET) in the fuzzed app. */
export const EVENTS_SECRET = 'fuzz-events-secret-0123456789abcdef';

/**
 * Headers every fuzzed request carries (none: the fuzzed app runs with WINNOW_AUTH=off; a token
 * would go here, one line, and every target would send it).
 */
export const CLIENT_HEADERS: Readonly<Record<string, string>> = {};

/**
 * The one place the fuzz suite builds its app: SQLite, no log, no rate limit (the fuzzer sends
 * thousands of requests a second on purpose), a secret key and an events secret so the routes
 * that need them run their real code rather than answering 409 or 503.
 */
export async function buildFuzzApp(): Promise<{
  app: FastifyInstance;
  close: () => Promise<void>;
}> {
  const { database, drop } = await testDatabase('sqlite');
  const app = await buildApp({
    config: readConfig({
      // Authentication has its own matrix (test/auth.test.ts); here every request is let in so
      // that the fuzzer reaches each route's validation and handler.
      WINNOW_AUTH: 'off',
      WINNOW_RATE_LIMIT: 'off',
      WINNOW_EVENTS_SECRET: EVENTS_SECRET,
      WINNOW_SECRET_KEY: '0'.repeat(64),
    }),
    database,
    logger: false,
  });
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await drop();
    },
  };
}

/**
 * Percent-encodes every byte but the unreserved ones: any string is sent, a lone surrogate as
 * U+FFFD (what its UTF-8 encoding gives). encodeURIComponent leaves `!'()*` as they are.
 */
export function encodeComponent(value: string): string {
  return encodeURIComponent(value.replace(/\p{Cs}/gu, '\uFFFD')).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A stack frame, a source or dependency path: what a response must never show. */
const INTERNALS: readonly RegExp[] = [
  /\n\s*at \S/,
  /\bat [\w$.<>]+ \(/,
  /node_modules/,
  /(?:^|[\s"'(])\/(?:work|home|srv|usr|opt|tmp|app|root)\/\S*\.(?:ts|js|mjs|cjs)\b/,
  /\b(?:apps|packages)\/(?:server|engine|db|registry)\/(?:src|dist)\b/,
  // The lookbehind tries each run of name characters once: without it, a body echoing a
  // 10,000-character value cost 200 ms here (quadratic backtracking), most of a case's time.
  /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]+\.(?:ts|js):\d+(?::\d+)?/,
];

const VALIDATION_CODES = new Set([
  'WINNOW_VALIDATION_FAILED',
  'WINNOW_POLICY_INVALID',
  'WINNOW_INVENTORY_INVALID',
]);

interface ErrorBody {
  error?: {
    code?: unknown;
    message?: unknown;
    requestId?: unknown;
    issues?: { pointer?: unknown; message?: unknown }[];
  };
}

/**
 * Throws (with the request, for fast-check's counterexample) unless the response keeps the
 * properties: no 5xx; no stack trace or internal path; a 4xx is the standard error body, and a
 * validation error names the field (issues[].pointer).
 */
export function expectWellBehaved(request: unknown, response: LightMyRequestResponse): void {
  const fail = (why: string): never => {
    throw new Error(
      `${why}\nrequest: ${JSON.stringify(request).slice(0, 400)}\nresponse ${response.statusCode}: ${response.body.slice(0, 400)}`,
    );
  };
  if (response.statusCode >= 500) fail('a 5xx');
  for (const pattern of INTERNALS) if (pattern.test(response.body)) fail(`internals (${pattern})`);
  if (response.statusCode < 400) return;
  let body: ErrorBody;
  try {
    body = JSON.parse(response.body) as ErrorBody;
  } catch {
    return fail('a 4xx body that is not JSON');
  }
  const error = body.error;
  if (
    typeof error?.code !== 'string' ||
    typeof error.message !== 'string' ||
    typeof error.requestId !== 'string'
  ) {
    fail('a 4xx body not in the standard shape');
  }
  if (VALIDATION_CODES.has(error?.code as string)) {
    const issues = error?.issues;
    if (!Array.isArray(issues) || issues.length === 0) fail('a validation error naming no field');
    for (const issue of issues ?? []) {
      if (typeof issue.pointer !== 'string' || typeof issue.message !== 'string') {
        fail('an issue without pointer and message');
      }
    }
  }
}
