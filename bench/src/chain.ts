/**
 * The benchmarked chain, as data: the policy documents (policies.ts) and the plain-loop floor
 * (plain-loop.ts) are both written from these constants, so the two cannot drift apart.
 *
 * A repository with all three policies runs six rules: the server guard, its own two rules, its
 * namespace's two, then the server's one. Together they use a glob, regexes, `newest`,
 * `olderThan` and a guard.
 */
export const DAY_MS = 86_400_000;

/** The evaluation's clock; generated times lie in the two years before it. */
export const NOW = new Date('2026-06-01T00:00:00Z');

export const GUARD = { name: 'keep-latest', glob: 'latest' } as const;

/** Repository scope: keep the 5 newest main builds, expire feature builds after 30 days. */
export const REPOSITORY_RULES = {
  keepMain: { name: 'keep-recent-main', glob: 'main-*', newest: 5 },
  expireFeatures: { name: 'expire-features', glob: 'feature-*', olderThanDays: 30 },
} as const;

/** Namespace scope: keep the 10 newest releases, expire branch builds after 90 days. */
export const NAMESPACE_RULES = {
  keepReleases: {
    name: 'keep-recent-releases',
    regex: '^v[0-9]+\\.[0-9]+\\.[0-9]+$',
    newest: 10,
  },
  expireBuilds: { name: 'expire-builds', regex: '^(?:main|feature)-', olderThanDays: 90 },
} as const;

/** Server scope: what is left of releases and nightlies goes after 180 days. */
export const SERVER_RULE = {
  name: 'expire-old',
  regex: '^(?:v[0-9]|nightly-)',
  olderThanDays: 180,
} as const;

/** Which scopes have a policy: every namespace has one, about a tenth of repositories do. */
export interface PolicyCoverage {
  readonly namespaces: ReadonlySet<string>;
  /** By `namespace/name`. */
  readonly repositories: ReadonlySet<string>;
}
