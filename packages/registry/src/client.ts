import { createHash } from 'node:crypto';
import { Authenticator, type Credentials } from './auth';
import { nextLink } from './challenge';
import { RegistryError, RegistryErrorCode } from './errors';
import { isIndex, MANIFEST_ACCEPT, MediaType } from './media-types';
import { fallbackTag, type Referrers, referrersOf } from './referrers';
import { redacted, Transport, type TransportOptions } from './transport';

/** The registry, the credentials, and how to talk to it (timeouts, retries, limits, TLS). */
export interface DistributionClientOptions extends TransportOptions {
  /** The registry's base URL, e.g. `https://registry.example` (the API is under `/v2/`). */
  readonly url: string;
  /** Sent as Basic auth, or exchanged for a bearer token, as the registry's challenge asks. */
  readonly credentials?: Credentials;
}

/** What a manifest HEAD says. */
export interface ManifestHead {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface Manifest extends ManifestHead {
  readonly body: Buffer;
}

const sha256 = (data: Buffer): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Image configs are small: a larger blob read as one is refused (`getBlob`'s default). */
const DEFAULT_MAX_BLOB_BYTES = 4 * 1024 * 1024;

/**
 * A client of the OCI distribution API: catalog and tag listing with `n`/`last`/`Link`
 * pagination, manifest HEAD/GET/PUT/DELETE with the OCI and Docker media types, referrers (with
 * the tag fallback), blob reads and monolithic uploads. Requests go through a `Transport`
 * (retries, limits, TLS) and answer the registry's authentication challenge (`Authenticator`).
 * Credentials are never part of an error message.
 */
export class DistributionClient {
  private readonly base: URL;
  private readonly transport: Transport;
  private readonly auth: Authenticator;

  constructor(options: DistributionClientOptions) {
    this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    this.transport = new Transport(options);
    this.auth = new Authenticator(this.transport, options.credentials);
  }

  /** `GET /v2/`: the registry speaks the API and accepts the credentials. */
  async ping(): Promise<void> {
    const response = await this.request('GET', 'v2/', 'registry:catalog:*');
    await this.expect(response, [200], 'GET /v2/');
  }

  /** Every repository name, `pageSize` per request. */
  async *repositories(pageSize = 100): AsyncGenerator<string> {
    let path: string | null = `v2/_catalog?n=${pageSize}`;
    while (path !== null) {
      const response = await this.request('GET', path, 'registry:catalog:*');
      const body = await this.json<{ repositories?: unknown }>(response, 'catalog');
      yield* strings(body.repositories, 'repositories');
      path = this.nextPath(response);
    }
  }

  /** Every tag of `name`, `pageSize` per request (a registry that ignores `n` sends them all). */
  async *tags(name: string, pageSize = 100): AsyncGenerator<string> {
    let path: string | null = `v2/${name}/tags/list?n=${pageSize}`;
    while (path !== null) {
      const response = await this.request('GET', path, `repository:${name}:pull`);
      if (response.status === 404) {
        await response.body?.cancel();
        return;
      }
      const body = await this.json<{ tags?: unknown }>(response, `tags of ${name}`);
      yield* strings(body.tags ?? [], 'tags');
      path = this.nextPath(response);
    }
  }

  /** The manifest's digest, media type and size; null if there is none. */
  async headManifest(name: string, reference: string): Promise<ManifestHead | null> {
    const response = await this.request(
      'HEAD',
      `v2/${name}/manifests/${reference}`,
      `repository:${name}:pull`,
      { accept: MANIFEST_ACCEPT },
    );
    if (response.status === 404) return null;
    await this.expect(response, [200], `HEAD manifest ${name}:${reference}`);
    const digest = response.headers.get('docker-content-digest');
    if (digest === null) {
      throw new RegistryError(
        RegistryErrorCode.protocol,
        `HEAD manifest ${name}:${reference}: no Docker-Content-Digest header`,
      );
    }
    return {
      digest,
      mediaType: response.headers.get('content-type') ?? '',
      size: Number(response.headers.get('content-length') ?? 0),
    };
  }

  /** The manifest and its bytes (the digest is checked against them); null if there is none. */
  async getManifest(name: string, reference: string): Promise<Manifest | null> {
    const response = await this.request(
      'GET',
      `v2/${name}/manifests/${reference}`,
      `repository:${name}:pull`,
      { accept: MANIFEST_ACCEPT },
    );
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    await this.expect(response, [200], `GET manifest ${name}:${reference}`, false);
    const body = Buffer.from(await response.arrayBuffer());
    const digest = sha256(body);
    const claimed = response.headers.get('docker-content-digest');
    if (
      (claimed !== null && claimed !== digest) ||
      (reference.startsWith('sha256:') && reference !== digest)
    ) {
      throw new RegistryError(
        RegistryErrorCode.protocol,
        `GET manifest ${name}:${reference}: the bytes do not match the digest`,
      );
    }
    return {
      digest,
      mediaType: response.headers.get('content-type') ?? '',
      size: body.length,
      body,
    };
  }

  /** Deletes the manifest (every tag on it goes with it); false if there was none. */
  async deleteManifest(name: string, digest: string): Promise<boolean> {
    const response = await this.request(
      'DELETE',
      `v2/${name}/manifests/${digest}`,
      `repository:${name}:delete`,
    );
    if (response.status === 404) {
      await response.body?.cancel();
      return false;
    }
    await this.expect(response, [202], `DELETE manifest ${name}@${digest}`);
    return true;
  }

  /** Uploads a manifest under `reference` (a tag or its digest); returns its digest. */
  async putManifest(
    name: string,
    reference: string,
    mediaType: string,
    body: Buffer,
  ): Promise<string> {
    const response = await this.request(
      'PUT',
      `v2/${name}/manifests/${reference}`,
      `repository:${name}:pull,push`,
      { 'content-type': mediaType },
      { body },
    );
    await this.expect(response, [201], `PUT manifest ${name}:${reference}`);
    return response.headers.get('docker-content-digest') ?? sha256(body);
  }

  /**
   * The manifests that refer to `digest`: the OCI 1.1 referrers API, or, where the registry has
   * none (404: distribution 2.8), the index tagged `sha256-<hex>` (the fallback tag schema).
   */
  async referrers(name: string, digest: string): Promise<Referrers> {
    const what = `referrers of ${name}@${digest}`;
    const response = await this.request(
      'GET',
      `v2/${name}/referrers/${digest}`,
      `repository:${name}:pull`,
      { accept: MediaType.ociIndex },
    );
    if (response.status !== 404) {
      return { supported: true, referrers: referrersOf(await this.json(response, what), what) };
    }
    await response.body?.cancel();
    const index = await this.getManifest(name, fallbackTag(digest));
    if (index === null || !isIndex(index.mediaType)) return { supported: false, referrers: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(index.body.toString('utf8'));
    } catch {
      throw new RegistryError(RegistryErrorCode.protocol, `${what}: the index is not JSON`);
    }
    return { supported: false, referrers: referrersOf(parsed, what) };
  }

  /**
   * A blob's bytes (redirects followed, the digest checked); null if there is none. A blob larger
   * than `maxBytes` (default 4 MiB: this is for configs, not layers) is a protocol error.
   */
  async getBlob(
    name: string,
    digest: string,
    maxBytes = DEFAULT_MAX_BLOB_BYTES,
  ): Promise<Buffer | null> {
    const what = `GET blob ${name}@${digest}`;
    const algorithm = digest.split(':')[0] ?? '';
    if (algorithm !== 'sha256' && algorithm !== 'sha512') {
      throw new RegistryError(RegistryErrorCode.protocol, `${what}: unsupported digest algorithm`);
    }
    const response = await this.request(
      'GET',
      `v2/${name}/blobs/${digest}`,
      `repository:${name}:pull`,
      {},
      { maxBytes },
    );
    if (response.status === 404) return null;
    await this.expect(response, [200], what, false);
    const body = Buffer.from(await response.arrayBuffer());
    if (`${algorithm}:${createHash(algorithm).update(body).digest('hex')}` !== digest) {
      throw new RegistryError(
        RegistryErrorCode.protocol,
        `${what}: the bytes do not match the digest`,
      );
    }
    return body;
  }

  /** Uploads a blob in one request (POST then PUT); returns its digest. */
  async pushBlob(name: string, data: Buffer): Promise<string> {
    const digest = sha256(data);
    const scope = `repository:${name}:pull,push`;
    const started = await this.request('POST', `v2/${name}/blobs/uploads/`, scope);
    await this.expect(started, [202], `start upload to ${name}`);
    const location = started.headers.get('location');
    if (location === null) {
      throw new RegistryError(RegistryErrorCode.protocol, `upload to ${name}: no Location header`);
    }
    const target = new URL(location, this.base);
    target.searchParams.set('digest', digest);
    const put = await this.request(
      'PUT',
      target.href,
      scope,
      { 'content-type': 'application/octet-stream' },
      { body: data },
    );
    await this.expect(put, [201], `upload to ${name}`);
    return digest;
  }

  /** A request, answering an authentication challenge once. */
  private async request(
    method: string,
    path: string,
    scope: string,
    headers: Record<string, string> = {},
    payload: { readonly body?: Buffer; readonly maxBytes?: number } = {},
  ): Promise<Response> {
    const url = new URL(path, this.base).href;
    const send = (): Promise<Response> => {
      const authorization = this.auth.header(scope);
      return this.transport.send({
        method,
        url,
        headers: { ...headers, ...(authorization && { authorization }) },
        ...payload,
      });
    };
    const response = await send();
    if (response.status !== 401) return response;
    await this.auth.answer(response, scope, `${method} ${redacted(url)}`);
    const retried = await send();
    if (retried.status === 401) {
      await retried.body?.cancel();
      throw new RegistryError(
        RegistryErrorCode.unauthorized,
        `${method} ${redacted(url)}: the registry refused the credentials`,
        401,
      );
    }
    return retried;
  }

  private nextPath(response: Response): string | null {
    const next = nextLink(response.headers.get('link'));
    if (next === null) return null;
    const url = new URL(next, this.base);
    if (url.origin !== this.base.origin) {
      throw new RegistryError(
        RegistryErrorCode.protocol,
        `pagination leads to another origin: ${url.origin}`,
      );
    }
    return url.href;
  }

  private async json<T>(response: Response, what: string): Promise<T> {
    await this.expect(response, [200], what, false);
    try {
      return (await response.json()) as T;
    } catch {
      throw new RegistryError(RegistryErrorCode.protocol, `${what}: the answer is not JSON`);
    }
  }

  /** Throws a RegistryError unless the status is one of `ok`; drains the body when asked. */
  private async expect(
    response: Response,
    ok: readonly number[],
    what: string,
    drain = true,
  ): Promise<void> {
    if (ok.includes(response.status)) {
      if (drain) await response.body?.cancel();
      return;
    }
    const text = (await response.text().catch(() => '')).slice(0, 200);
    const code =
      response.status === 429 || response.status >= 500
        ? RegistryErrorCode.unavailable
        : response.status === 401 || response.status === 403
          ? RegistryErrorCode.unauthorized
          : RegistryErrorCode.refused;
    throw new RegistryError(code, `${what}: ${response.status} ${text}`.trim(), response.status);
  }
}

function* strings(value: unknown, field: string): Generator<string> {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new RegistryError(
      RegistryErrorCode.protocol,
      `expected "${field}" to be a list of names`,
    );
  }
  yield* value;
}
