import type { RegistryRecord } from '@winnow/db';
import { type Credentials, type DistributionClientOptions, RegistryError } from '@winnow/registry';
import { connect } from './connectors';
import { decryptSecret, SecretError } from './secrets';

/** What a connection check found: the registry answered `GET /v2/` and took the credentials. */
export type CheckResult =
  { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/** The credentials of a registry connection, its secret decrypted; none when anonymous. */
export function credentialsOf(
  registry: RegistryRecord,
  secretKey: Buffer | undefined,
): Credentials | undefined {
  if (registry.authKind === 'anonymous') return undefined;
  return {
    username: registry.username ?? '',
    password: registry.secret === null ? '' : decryptSecret(registry.secret, secretKey),
  };
}

/** The client options of a registry connection: TLS, request cap, rate limit and timeout. */
export function clientOptions(
  registry: RegistryRecord,
  credentials: Credentials | undefined,
): DistributionClientOptions {
  return {
    url: registry.url,
    timeoutMs: registry.timeoutMs,
    concurrency: registry.concurrency,
    ...(registry.requestsPerSecond !== null && { requestsPerSecond: registry.requestsPerSecond }),
    ...((registry.tls.caCertificate !== undefined || registry.tls.insecureSkipVerify === true) && {
      tls: registry.tls,
    }),
    ...(credentials !== undefined && { credentials }),
  };
}

/**
 * Pings the registry with its credentials. A failure is a result, not an error: its stable code
 * and a message that never holds the secret. Anything unforeseen is thrown (a 500, logged).
 */
export async function checkRegistry(
  registry: RegistryRecord,
  secretKey: Buffer | undefined,
): Promise<CheckResult> {
  let credentials: Credentials | undefined;
  try {
    credentials = credentialsOf(registry, secretKey);
    await connect(registry, credentials).ping();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof RegistryError || error instanceof SecretError)) throw error;
    const secret = credentials?.password ?? '';
    // The client keeps credentials out of its messages; a registry could still echo one back.
    const message = secret === '' ? error.message : error.message.split(secret).join('***');
    return { ok: false, code: error.code, message };
  }
}
