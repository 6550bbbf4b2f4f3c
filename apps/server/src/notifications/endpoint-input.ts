import type {
  NewNotificationEndpoint,
  NotificationEndpointChanges,
  NotificationEndpointRecord,
  TransactionStores,
} from '@winnow/db';
import type { ValidationIssue } from '@winnow/engine';
import { ApiError } from '../errors';
import { parseHttpUrl } from '../http-url';
import { encryptSecret } from '../registries/secrets';
import type { ChangeBody, CreateBody } from '../routes/notification-schemas';
import { RUN_EVENTS } from './payload';

const EXPECTED_URL = 'expected an http or https URL such as https://hooks.example/winnow';

/** The URL's issue, if any. It is never echoed: a Slack webhook URL is a credential. */
function urlIssue(text: string): ValidationIssue | undefined {
  const parsed = parseHttpUrl(text, EXPECTED_URL);
  return 'issue' in parsed ? parsed.issue : undefined;
}

/** The stored columns of a change (the secret encrypted); 400 for a malformed URL. */
export function changesOf(
  body: ChangeBody,
  secretKey: Buffer | undefined,
): NotificationEndpointChanges {
  const issue = body.url === undefined ? undefined : urlIssue(body.url);
  if (issue !== undefined) throw new ApiError('validation', 'invalid body', [issue]);
  const { secret, ...plain } = body;
  if (typeof secret === 'string' && secretKey === undefined) {
    const message =
      'WINNOW_SECRET_KEY is not set: the server cannot store secrets; set it to 32 random bytes (64 hex digits or base64)';
    throw new ApiError('secretKeyMissing', message, [{ pointer: '/body/secret', message }]);
  }
  return {
    ...plain,
    ...(secret !== undefined && {
      secret: secret === null ? null : encryptSecret(secret, secretKey),
    }),
  };
}

/** A new endpoint from its body: server scope, generic format, every event, enabled. */
export function newEndpointOf(
  body: CreateBody,
  secretKey: Buffer | undefined,
): NewNotificationEndpoint {
  return {
    name: body.name,
    scope: 'server',
    namespace: null,
    url: body.url,
    format: 'generic',
    secret: null,
    events: [...RUN_EVENTS],
    enabled: true,
    ...changesOf(body, secretKey),
  };
}

/**
 * A 400 naming the field when the endpoint, as the body leaves it, does not hold together: a
 * namespace endpoint names an existing namespace, a server one none; a generic endpoint is signed.
 */
export async function assertConsistent(
  stores: TransactionStores,
  endpoint: Pick<NotificationEndpointRecord, 'scope' | 'namespace' | 'format' | 'secret'>,
): Promise<void> {
  const issues: ValidationIssue[] = [];
  if (endpoint.scope === 'namespace') {
    if (endpoint.namespace === null) {
      issues.push({
        pointer: '/body/namespace',
        message: 'expected a namespace for scope namespace',
      });
    } else if ((await stores.namespaces.get(endpoint.namespace)) === null) {
      issues.push({
        pointer: '/body/namespace',
        message: `expected an existing namespace, got "${endpoint.namespace}" (create it first)`,
      });
    }
  } else if (endpoint.namespace !== null) {
    issues.push({
      pointer: '/body/namespace',
      message: 'expected no namespace for scope server (or scope namespace)',
    });
  }
  if (endpoint.format === 'generic' && endpoint.secret === null) {
    issues.push({
      pointer: '/body/secret',
      message:
        'expected a secret for the generic format: its deliveries are signed (at least 16 characters, e.g. openssl rand -hex 32)',
    });
  }
  if (issues.length > 0) throw new ApiError('validation', 'invalid body', issues);
}
