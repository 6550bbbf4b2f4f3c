import type { Database, RepositoryRef, TagUpstreamCheck, UpstreamHealth } from '@winnow/db';
import {
  type CompiledPolicies,
  type CompiledRule,
  compilePolicies,
  formatDuration,
  type TagDecision,
} from '@winnow/engine';
import { type ProxyCacheRules, proxyCacheRules } from './settings';

/** How decision records name what the proxy cache decided. */
export const CACHE_POLICY = 'proxy-cache';
export const CACHE_TTL_RULE = 'cache-ttl';
export const STALENESS_RULE = 'upstream-staleness';

/**
 * The cache TTL as a rule of the engine's own language: `olderThan: <cacheTtl>, by: pulled`
 * (the last pull, else the push), `then: delete`. It runs after the server's guards and before
 * every policy: a policy may expire a cached tag sooner, never keep it past its TTL.
 */
function cacheTtlRule(namespace: string, rules: ProxyCacheRules): CompiledRule {
  const compiled = compilePolicies([
    {
      apiVersion: 'winnow/v1',
      kind: 'RetentionPolicy',
      scope: { level: 'namespace', namespace },
      rules: [
        {
          name: CACHE_TTL_RULE,
          match: { olderThan: rules.cacheTtl, by: 'pulled' },
          then: 'delete',
        },
      ],
    },
  ]);
  const [rule] = compiled.namespaces.get(namespace) ?? [];
  if (rule === undefined) throw new Error('the cache TTL rule did not compile');
  return { ...rule, policy: CACHE_POLICY };
}

/** A run's proxy-cache additions for the repositories of one `proxy_cache` namespace. */
export interface ProxyCacheRun {
  /** The run's policies with the cache TTL rule. */
  policies(policies: CompiledPolicies): CompiledPolicies;
  /** The staleness guard over the engine's decisions (a no-op while the upstream is up). */
  guard(
    repository: RepositoryRef,
    decisions: readonly TagDecision[],
    now: Date,
  ): Promise<readonly TagDecision[]>;
}

/** The namespace's proxy-cache additions; undefined for a normal namespace. */
export async function proxyCacheRun(
  database: Database,
  namespace: string,
): Promise<ProxyCacheRun | undefined> {
  const cache = await database.proxyCache.namespace(namespace);
  const rules = cache === null ? undefined : proxyCacheRules(cache.settings);
  if (cache === null || rules === undefined) return undefined;
  const ttl = cacheTtlRule(namespace, rules);
  return {
    policies: (policies) => ({ ...policies, guards: [...policies.guards, ttl] }),
    guard: async (repository, decisions, now) => {
      if (cache.upstream.status !== 'down') return decisions;
      if (!decisions.some((d) => d.decision === 'delete')) return decisions;
      const checks = await database.proxyCache.tagChecks(repository);
      return guardStaleness(decisions, { checks, upstream: cache.upstream, rules, now });
    },
  };
}

interface GuardInput {
  readonly checks: ReadonlyMap<string, TagUpstreamCheck>;
  readonly upstream: UpstreamHealth;
  readonly rules: ProxyCacheRules;
  readonly now: Date;
}

/**
 * While the upstream is down, a tag whose last upstream check (else its push) is within the
 * staleness period is kept, whatever the engine decided: the cache may be all there is of it.
 * Tags that share a digest with such a tag are kept too (deleting the digest removes both).
 * Pure. The records have stage `guard` (what a guard keeps is kept, outcome `kept`), not
 * `safety`, which is the blast-radius guard's: its outcome `blocked` counts a blocked repository.
 */
export function guardStaleness(
  decisions: readonly TagDecision[],
  input: GuardInput,
): TagDecision[] {
  const { checks, upstream, rules, now } = input;
  const down = `upstream ${rules.upstream.url} unreachable (last checked ${upstream.checkedAt?.toISOString() ?? 'never'}${upstream.error === null ? '' : `: ${upstream.error}`})`;
  const guarded = decisions.map((record) => {
    if (record.decision !== 'delete' || record.tag === null) return record;
    const check = checks.get(record.tag);
    const last = check?.upstreamCheckedAt ?? check?.pushedAt ?? null;
    const since = last === null ? 0 : now.getTime() - last.getTime();
    if (last !== null && since > rules.stalenessPeriodMs) return record;
    const what = check?.upstreamCheckedAt ? 'last upstream check' : 'pushed (never checked)';
    return kept(
      record,
      `${down}; ${what} ${formatDuration(since)} ago, within the staleness period ${rules.stalenessPeriod}: kept (${reasonOf(record)})`,
    );
  });
  const keptDigests = new Map<string, string>();
  for (const record of guarded) {
    if (record.decision === 'keep' && record.tag !== null)
      keptDigests.set(record.digest, record.tag);
  }
  return guarded.map((record) => {
    const keeper = record.decision === 'delete' ? keptDigests.get(record.digest) : undefined;
    if (keeper === undefined) return record;
    return kept(
      record,
      `${down}; shares its digest with kept tag "${keeper}": kept (${reasonOf(record)})`,
    );
  });
}

const reasonOf = (record: TagDecision): string =>
  record.rule === null ? 'was marked delete' : `rule "${record.rule}" said delete`;

const kept = (record: TagDecision, reason: string): TagDecision => ({
  ...record,
  decision: 'keep',
  stage: 'guard',
  scope: 'namespace',
  policy: CACHE_POLICY,
  rule: STALENESS_RULE,
  reason,
});
