import { RemoteError, UnreachableError, UsageError } from './errors';

/** Talks to a running Winnow server: `--server URL`, else WINNOW_URL, else the default address. */
const DEFAULT_SERVER = 'http://127.0.0.1:8080';

interface ErrorBody {
  error?: { code?: string; message?: string; issues?: { pointer: string; message: string }[] };
}

/** The server's base URL, without a trailing slash. */
export function serverOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const url = flag ?? env.WINNOW_URL ?? DEFAULT_SERVER;
  if (!/^https?:\/\/[^/\s]+/.test(url))
    throw new UsageError(`--server: expected an http(s) URL, got "${url}"`);
  return url.replace(/\/+$/, '');
}

/** The API token of this invocation: `--token`, else WINNOW_TOKEN (set once by main). */
let token: string | undefined;
export function useToken(value: string | undefined): void {
  token = value === '' ? undefined : value;
}

/** Adds `Authorization: Bearer <WINNOW_TOKEN>` when a token is set (docs/security.md). */
function withToken(init: RequestInit, bearer: string | undefined): RequestInit {
  if (bearer === undefined) return init;
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${bearer}`);
  return { ...init, headers };
}

/** Why fetch failed, in a word: ECONNREFUSED, ENOTFOUND, ... */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** A Winnow error body, or nothing when the answer is not one (another kind of server). */
async function errorBodyOf(response: Response): Promise<ErrorBody['error']> {
  const body = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
  return typeof body?.error === 'object' ? body.error : undefined;
}

/**
 * One request; a refusal becomes a RemoteError naming `what` (exit 2 for a 400, 1 otherwise),
 * and so does a server that cannot be reached (exit 1).
 */
export async function call(
  server: string,
  path: string,
  init: RequestInit = {},
  what = path,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${server}${path}`, withToken(init, token));
  } catch (error) {
    throw new UnreachableError(server, reasonOf(error));
  }
  if (response.ok) return response;
  const error = await errorBodyOf(response);
  if (error === undefined) {
    throw new RemoteError(
      [
        `${what}: ${response.status} ${response.statusText} from ${server}${path} (is ${server} a Winnow server?)`,
      ],
      1,
    );
  }
  const issues = error.issues ?? [];
  const lines =
    issues.length > 0
      ? issues.map((i) => `${what}: ${i.pointer === '' ? '(document)' : i.pointer}: ${i.message}`)
      : [`${what}: ${response.status} ${error.message ?? response.statusText}`];
  throw new RemoteError(lines, response.status === 400 ? 2 : 1);
}

/** `call`, then the JSON body; an answer that is not JSON is the wrong server (exit 1). */
// T is the shape docs/api.md gives the answer: the caller names it, the server's schema holds it.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export async function callJson<T>(
  server: string,
  path: string,
  init: RequestInit = {},
  what = path,
): Promise<{ body: T; response: Response }> {
  const response = await call(server, path, init, what);
  try {
    return { body: (await response.json()) as T, response };
  } catch {
    throw new RemoteError(
      [`${what}: the answer of ${server}${path} is not JSON (is ${server} a Winnow server?)`],
      1,
    );
  }
}
