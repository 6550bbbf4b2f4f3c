import { parseAge, type ValidationIssue } from '@winnow/engine';

/** The `settings` of a `proxy_cache` namespace, as the API takes them (docs/registry.md). */
export interface ProxyCacheSettings {
  readonly upstream: {
    /** Base URL of the upstream registry (http or https). */
    readonly url: string;
    /** A registry connection whose credentials and TLS options the upstream checks use. */
    readonly registry?: string;
    /** Upstream path = prefix + repository name (default: no prefix). */
    readonly repositoryPrefix?: string;
  };
  /** A tag not pulled for this long (by `lastPulledAt`, else `pushedAt`) is expired. */
  readonly cacheTtl: string;
  /** While the upstream is down, tags checked within this long are not expired. */
  readonly stalenessPeriod: string;
}

/** The settings with their durations in milliseconds. */
export interface ProxyCacheRules extends ProxyCacheSettings {
  readonly cacheTtlMs: number;
  readonly stalenessPeriodMs: number;
}

const DURATION = 'expected a duration: a positive integer and a unit s, m, h, d, w or y, e.g. 14d';
const URL_EXPECTED = 'expected an http or https URL such as https://registry-1.docker.io';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function urlIssue(value: unknown): string | undefined {
  if (typeof value !== 'string') return URL_EXPECTED;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return URL_EXPECTED;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return URL_EXPECTED;
  if (url.username !== '' || url.password !== '') {
    return `${URL_EXPECTED}, without user information: name a registry connection in upstream.registry`;
  }
  return undefined;
}

/**
 * What is wrong with a proxy-cache namespace's settings, each issue at its JSON pointer under
 * `pointer` (the same duration syntax as the policy language's ages). Empty when valid.
 */
export function proxyCacheSettingsIssues(settings: unknown, pointer: string): ValidationIssue[] {
  if (!isObject(settings)) return [{ pointer, message: 'expected an object' }];
  const issues: ValidationIssue[] = [];
  const upstream = settings.upstream;
  if (!isObject(upstream)) {
    issues.push({ pointer: `${pointer}/upstream`, message: 'expected an object with url' });
  } else {
    const url = urlIssue(upstream.url);
    if (url !== undefined) issues.push({ pointer: `${pointer}/upstream/url`, message: url });
    if (upstream.registry !== undefined && typeof upstream.registry !== 'string') {
      issues.push({
        pointer: `${pointer}/upstream/registry`,
        message: 'expected the name of a registry connection',
      });
    }
    if (upstream.repositoryPrefix !== undefined && typeof upstream.repositoryPrefix !== 'string') {
      issues.push({
        pointer: `${pointer}/upstream/repositoryPrefix`,
        message: 'expected a string such as library/',
      });
    }
  }
  for (const key of ['cacheTtl', 'stalenessPeriod'] as const) {
    const value = settings[key];
    if (typeof value !== 'string' || parseAge(value) === undefined) {
      issues.push({ pointer: `${pointer}/${key}`, message: DURATION });
    }
  }
  return issues;
}

/** The rules of valid settings (checked at the API); undefined when they do not validate. */
export function proxyCacheRules(settings: unknown): ProxyCacheRules | undefined {
  if (proxyCacheSettingsIssues(settings, '').length > 0) return undefined;
  const valid = settings as ProxyCacheSettings;
  return {
    ...valid,
    cacheTtlMs: parseAge(valid.cacheTtl)?.ms ?? Number.POSITIVE_INFINITY,
    stalenessPeriodMs: parseAge(valid.stalenessPeriod)?.ms ?? Number.POSITIVE_INFINITY,
  };
}
