import type {
  NewRegistry,
  RegistryChanges,
  RegistrySyncSchedule,
  TransactionStores,
} from '@winnow/db';
import type { ValidationIssue } from '@winnow/engine';
import { ApiError } from '../errors';
import { parseHttpUrl } from '../http-url';
import type { AuthBody, ChangeBody, CreateBody, SyncBody } from '../routes/registry-schemas';
import { checkSchedule, normalizeCron } from '../schedules/cron';
import { encryptSecret } from './secrets';

/** What turning a body into a registry needs: the time of the next sync, the secrets' key. */
export interface InputContext {
  readonly now: Date;
  readonly secretKey: Buffer | undefined;
}

const EXPECTED_URL = 'expected an http or https URL such as https://registry.example';

/**
 * The base URL as stored (no trailing slash), or what is wrong with it. The URL is never echoed:
 * it may hold a password.
 */
function parseUrl(text: string): { url: string } | { issue: ValidationIssue } {
  const parsed = parseHttpUrl(text, EXPECTED_URL, ': give credentials in auth');
  if ('issue' in parsed) return parsed;
  const { url } = parsed;
  const issue = (message: string) => ({ issue: { pointer: '/body/url', message } });
  if (url.search !== '' || text.includes('?')) {
    return issue(`${EXPECTED_URL}, without query or fragment`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/v2$/.test(path)) return issue(`${EXPECTED_URL}, without /v2/ (the API's root)`);
  return { url: `${url.origin}${path}` };
}

function syncOf(body: SyncBody, now: Date): RegistrySyncSchedule | { issue: ValidationIssue } {
  const input = { cron: normalizeCron(body.cron), timezone: body.timezone ?? 'UTC' };
  const checked = checkSchedule(input, now);
  if ('issue' in checked) {
    const { pointer, message } = checked.issue;
    return { issue: { pointer: pointer.replace('/body/', '/body/sync/'), message } };
  }
  return { ...input, nextSyncAt: checked.nextRunAt };
}

/** The auth columns of `auth`; a secret omitted is left out (kept), null clears it. */
function authOf(auth: AuthBody, secretKey: Buffer | undefined): RegistryChanges {
  if (auth.kind === 'anonymous') return { authKind: 'anonymous', username: null, secret: null };
  if (typeof auth.secret === 'string' && secretKey === undefined) {
    const message =
      'WINNOW_SECRET_KEY is not set: the server cannot store secrets; set it to 32 random bytes (64 hex digits or base64), or use anonymous auth';
    throw new ApiError('secretKeyMissing', message, [{ pointer: '/body/auth/secret', message }]);
  }
  return {
    authKind: auth.kind,
    username: auth.username ?? null,
    ...(auth.secret !== undefined && {
      secret: auth.secret === null ? null : encryptSecret(auth.secret, secretKey),
    }),
  };
}

/** The columns a change sets; throws a 400 naming every field that is wrong. */
export function changesOf(body: ChangeBody, { now, secretKey }: InputContext): RegistryChanges {
  const { auth, url: urlText, sync: syncBody, ...plain } = body;
  const url = urlText === undefined ? undefined : parseUrl(urlText);
  const sync = syncBody === undefined || syncBody === null ? syncBody : syncOf(syncBody, now);
  const issues = [url, sync].flatMap((parsed) =>
    parsed !== undefined && parsed !== null && 'issue' in parsed ? [parsed.issue] : [],
  );
  if (issues.length > 0) throw new ApiError('validation', 'invalid body', issues);
  return {
    ...plain,
    ...(url !== undefined && 'url' in url && { url: url.url }),
    ...(sync !== undefined && (sync === null || 'cron' in sync) && { sync }),
    ...(auth !== undefined && authOf(auth, secretKey)),
  };
}

/** A new registry from its body: what is absent takes its default. */
export function newRegistryOf(body: CreateBody, context: InputContext): NewRegistry {
  return {
    name: body.name,
    kind: body.kind ?? 'distribution',
    url: body.url,
    authKind: 'anonymous',
    username: null,
    secret: null,
    namespaces: [],
    tls: {},
    concurrency: 8,
    requestsPerSecond: null,
    timeoutMs: 30_000,
    deleteImmediately: false,
    sync: null,
    ...changesOf(body, context),
  };
}

/** A 400 naming the first namespace of the body that does not exist. */
export async function assertNamespacesExist(
  stores: TransactionStores,
  namespaces: readonly string[] | undefined,
): Promise<void> {
  for (const [index, name] of (namespaces ?? []).entries()) {
    if ((await stores.namespaces.get(name)) === null) {
      throw new ApiError('validation', 'invalid body', [
        {
          pointer: `/body/namespaces/${index}`,
          message: `expected an existing namespace, got "${name}" (create it first)`,
        },
      ]);
    }
  }
}
