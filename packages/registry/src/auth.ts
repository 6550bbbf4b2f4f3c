import { parseChallenge } from './challenge';
import { RegistryError, RegistryErrorCode } from './errors';
import type { Transport } from './transport';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface Token {
  readonly value: string;
  readonly expiresAt: number;
}

/** Tokens are refreshed this long before the registry says they expire. */
const TOKEN_MARGIN_MS = 10_000;
/** The spec's default lifetime when a token response gives none. */
const DEFAULT_TOKEN_SECONDS = 60;

const basic = ({ username, password }: Credentials): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/**
 * Answers a registry's `WWW-Authenticate` challenge: Basic with the credentials, or the
 * distribution token flow (a token from the challenge's realm for its service and scope, kept
 * per scope until shortly before it expires). No credential or token is part of a message.
 */
export class Authenticator {
  private readonly tokens = new Map<string, Token>();
  /** The scheme the registry asked for last: sent at once on the next requests. */
  private scheme: 'none' | 'basic' | 'bearer' = 'none';

  constructor(
    private readonly transport: Transport,
    private readonly credentials?: Credentials,
  ) {}

  /** The `Authorization` header for a request in `scope`, if there is one to send yet. */
  header(scope: string): string | undefined {
    if (this.scheme === 'basic' && this.credentials !== undefined) return basic(this.credentials);
    if (this.scheme === 'bearer') {
      const token = this.tokens.get(scope);
      if (token !== undefined && token.expiresAt > Date.now()) return `Bearer ${token.value}`;
    }
    return undefined;
  }

  /** Prepares the answer to the challenge of a 401 (`what` names the request), or throws. */
  async answer(response: Response, scope: string, what: string): Promise<void> {
    const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
    await response.body?.cancel();
    const refused = (reason: string) =>
      new RegistryError(RegistryErrorCode.unauthorized, `${what}: ${reason}`, 401);
    if (challenge === null) throw refused('401 without a challenge');
    if (challenge.scheme === 'bearer') {
      this.scheme = 'bearer';
      await this.fetchToken(challenge.params, scope);
    } else if (challenge.scheme === 'basic') {
      // Basic sent already and refused again: the credentials are wrong.
      if (this.credentials === undefined || this.scheme === 'basic') {
        throw refused('the registry refused the credentials');
      }
      this.scheme = 'basic';
    } else {
      throw refused(`unsupported auth scheme ${challenge.scheme}`);
    }
  }

  /** The distribution token flow: GET realm?service=...&scope=..., Basic auth if any. */
  private async fetchToken(params: Readonly<Record<string, string>>, scope: string): Promise<void> {
    const realm = params.realm;
    if (realm === undefined || realm === '') {
      throw new RegistryError(
        RegistryErrorCode.unauthorized,
        'bearer challenge without a realm',
        401,
      );
    }
    const url = new URL(realm);
    if (params.service !== undefined) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    const headers: Record<string, string> =
      this.credentials === undefined ? {} : { authorization: basic(this.credentials) };
    const response = await this.transport.send({ method: 'GET', url: url.href, headers });
    if (!response.ok) {
      await response.body?.cancel();
      throw new RegistryError(
        response.status === 401 || response.status === 403
          ? RegistryErrorCode.unauthorized
          : RegistryErrorCode.unavailable,
        `token from ${url.origin}: ${response.status}`,
        response.status,
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    const value = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof value !== 'string' || value === '') {
      throw new RegistryError(
        RegistryErrorCode.protocol,
        `token from ${url.origin}: no token in the answer`,
      );
    }
    const seconds = typeof body.expires_in === 'number' ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    this.tokens.set(scope, {
      value,
      expiresAt: Date.now() + Math.max(0, seconds * 1000 - TOKEN_MARGIN_MS),
    });
  }
}
