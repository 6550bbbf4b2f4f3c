import type { Database, PendingCheck, ProxyCacheNamespace } from '@winnow/db';
import { DistributionClient, RegistryError, RegistryErrorCode } from '@winnow/registry';
import type { Log } from '../log';
import type { Metrics } from '../metrics';
import { clientOptions, credentialsOf } from '../registries/check';
import { type ProxyCacheRules, proxyCacheRules } from './settings';

export interface UpstreamChecksOptions {
  readonly database: Database;
  readonly metrics: Metrics;
  readonly log: Log;
  readonly secretKey: Buffer | undefined;
  /** Tags checked per namespace and cycle at most. */
  readonly batchSize: number;
  readonly clock: () => Date;
}

/** Per request; an upstream slower than this is down for the check. */
const DEFAULT_TIMEOUT_MS = 10_000;

type CheckResult = 'confirmed' | 'changed' | 'unreachable';

/**
 * The worker's proxy-cache step, before the runs of each cycle: for each `proxy_cache`
 * namespace, ping the upstream (`GET /v2/`) and record its health; while it is up, `HEAD` the
 * tags pulled since their last check, a batch per cycle, and record whether the upstream still
 * has the cached digest. No network I/O happens in a database transaction.
 */
export class UpstreamChecks {
  constructor(private readonly options: UpstreamChecksOptions) {}

  async cycle(stopping: () => boolean): Promise<void> {
    for (const namespace of await this.options.database.proxyCache.namespaces()) {
      if (stopping()) return;
      try {
        await this.checkNamespace(namespace, stopping);
      } catch (error) {
        this.options.metrics.errors.inc({ kind: 'registry' });
        this.options.log.error(
          { err: error, namespace: namespace.name },
          'proxy cache: check failed',
        );
      }
    }
  }

  private async checkNamespace(namespace: ProxyCacheNamespace, stopping: () => boolean) {
    const rules = proxyCacheRules(namespace.settings);
    if (rules === undefined) {
      // Written before settings were validated: left alone, and said so.
      this.options.log.warn({ namespace: namespace.name }, 'proxy cache: settings are not valid');
      return;
    }
    const upstream = await this.upstreamOf(rules);
    try {
      await upstream.ping();
    } catch (error) {
      await this.recordDown(namespace.name, error);
      return;
    }
    await this.recordUp(namespace.name);
    const pending = await this.options.database.proxyCache.pendingChecks(
      namespace.name,
      this.options.batchSize,
    );
    const counts = { confirmed: 0, changed: 0, unreachable: 0, refused: 0 };
    for (const check of pending) {
      if (stopping()) break;
      const result = await this.checkTag(namespace.name, rules, upstream, check);
      counts[result ?? 'refused'] += 1;
      if (result === undefined) continue;
      this.options.metrics.proxyCacheChecks.inc({ namespace: namespace.name, result });
      if (result === 'unreachable') break;
    }
    if (pending.length > 0) {
      this.options.log.debug({ namespace: namespace.name, ...counts }, 'proxy cache: tags checked');
    }
  }

  private async checkTag(
    namespace: string,
    rules: ProxyCacheRules,
    upstream: DistributionClient,
    check: PendingCheck,
  ): Promise<CheckResult | undefined> {
    let digest: string | undefined;
    try {
      digest = (await upstream.headManifest(upstreamPath(rules, check.repository), check.tag))
        ?.digest;
    } catch (error) {
      if (isUnreachable(error)) {
        await this.recordDown(namespace, error);
        return 'unreachable';
      }
      if (!(error instanceof RegistryError)) throw error;
      // Refused for this tag (credentials, a 4xx): left pending, the other tags go on.
      this.options.log.warn(
        { namespace, repository: check.repository, tag: check.tag, code: error.code },
        'proxy cache: upstream check refused',
      );
      return undefined;
    }
    const stale = digest !== check.digest;
    await this.options.database.proxyCache.recordCheck(check, {
      checkedAt: this.options.clock(),
      stale,
    });
    return stale ? 'changed' : 'confirmed';
  }

  private async upstreamOf(rules: ProxyCacheRules): Promise<DistributionClient> {
    const name = rules.upstream.registry;
    const registry = name === undefined ? null : await this.options.database.registries.get(name);
    const base =
      registry === null
        ? { url: rules.upstream.url, timeoutMs: DEFAULT_TIMEOUT_MS }
        : clientOptions(registry, credentialsOf(registry, this.options.secretKey));
    // One retry: the next cycle checks again anyway.
    return new DistributionClient({ ...base, url: rules.upstream.url, retries: 1 });
  }

  private recordUp(namespace: string): Promise<void> {
    return this.options.database.proxyCache.recordHealth(namespace, {
      status: 'up',
      checkedAt: this.options.clock(),
      error: null,
    });
  }

  private async recordDown(namespace: string, error: unknown): Promise<void> {
    // Any registry error of the ping (refused credentials too): the upstream cannot confirm.
    if (!(error instanceof RegistryError)) throw error;
    const message = error.message;
    this.options.log.warn(
      { namespace, code: error.code, reason: message },
      'proxy cache: upstream unreachable',
    );
    await this.options.database.proxyCache.recordHealth(namespace, {
      status: 'down',
      checkedAt: this.options.clock(),
      error: message,
    });
  }
}

/** Connection refused, DNS failure, timeout, 5xx, 429: the client's UNAVAILABLE. */
function isUnreachable(error: unknown): boolean {
  return error instanceof RegistryError && error.code === RegistryErrorCode.unavailable;
}

/** The tag's repository on the upstream: prefix + the repository's name in the namespace. */
export function upstreamPath(rules: ProxyCacheRules, repository: string): string {
  return `${rules.upstream.repositoryPrefix ?? ''}${repository}`;
}
