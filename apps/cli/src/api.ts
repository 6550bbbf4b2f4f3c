import { RemoteError, UsageError } from './errors';

/** Talks to a running Winnow server: `--server URL`, else WINNOW_URL, else the default address. */
const DEFAULT_SERVER = 'http://127.0.0.1:8080';

interface ErrorBody {
  error?: { code?: string; message?: string; issues?: { pointer: string; message: string }[] };
}

/** The server's base URL, without a trailing slash. */
export function serverOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const url = flag ?? env.WINNOW_URL ?? DEFAULT_SERVER;
  if (!/^https?:\/\//.test(url))
    throw new UsageError(`--server: expected an http(s) URL, got "${url}"`);
  return url.replace(/\/+$/, '');
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
    response = await fetch(`${server}${path}`, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new RemoteError(
      [`cannot reach the server at ${server}: ${cause?.code ?? cause?.message ?? String(error)}`],
      1,
    );
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  const issues = body.error?.issues ?? [];
  const lines =
    issues.length > 0
      ? issues.map((i) => `${what}: ${i.pointer === '' ? '(document)' : i.pointer}: ${i.message}`)
      : [`${what}: ${response.status} ${body.error?.message ?? response.statusText}`];
  throw new RemoteError(lines, response.status === 400 ? 2 : 1);
}
