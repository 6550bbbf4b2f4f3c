import { createHash } from 'node:crypto';
import {
  compilePolicies,
  evaluateInventory,
  type EvaluationReport,
  type Inventory,
  type InventoryManifest,
  type InventoryRepository,
  type InventoryTag,
  loadPolicyTexts,
  type TagDecision,
} from '../src';

/** The evaluation instant every test uses unless it says otherwise. */
export const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

export const digestOf = (seed: string): string =>
  `sha256:${createHash('sha256').update(seed).digest('hex')}`;
export const ago = (days: number, now: Date = NOW): string =>
  new Date(now.getTime() - days * DAY).toISOString();

/** A tag pushed `days` ago, on its own digest unless `digest` is given. */
export function tag(name: string, days: number, extra: Partial<InventoryTag> = {}): InventoryTag {
  return { name, digest: digestOf(name), pushedAt: ago(days), lastPulledAt: null, ...extra };
}

export function repository(
  path: string,
  tags: readonly InventoryTag[],
  manifests?: readonly InventoryManifest[],
): InventoryRepository {
  const slash = path.indexOf('/');
  return {
    namespace: path.slice(0, slash),
    name: path.slice(slash + 1),
    tags,
    ...(manifests ? { manifests } : {}),
  };
}

export function inventory(...repositories: InventoryRepository[]): Inventory {
  return { apiVersion: 'winnow/v1', kind: 'Inventory', repositories };
}

/** Policies given as YAML texts (several documents allowed), evaluated at NOW. */
export function evaluate(
  policyYaml: string | readonly string[],
  snapshot: Inventory,
  options: { now?: Date; maxDeleteRatio?: number } = {},
): EvaluationReport {
  const texts = (typeof policyYaml === 'string' ? [policyYaml] : policyYaml).map((text, i) => ({
    text,
    file: `policy-${i}.yaml`,
  }));
  const policies = compilePolicies(loadPolicyTexts(texts).map((l) => l.policy));
  return evaluateInventory(snapshot, policies, {
    now: options.now ?? NOW,
    ...(options.maxDeleteRatio === undefined ? {} : { maxDeleteRatio: options.maxDeleteRatio }),
  });
}

/** `{ tagName: 'keep' | 'delete' }` for one report. */
export function decisionsByTag(report: EvaluationReport): Record<string, TagDecision['decision']> {
  return Object.fromEntries(report.decisions.map((d) => [d.tag ?? d.digest, d.decision]));
}

export function recordOf(report: EvaluationReport, tagName: string): TagDecision {
  const record = report.decisions.find((d) => d.tag === tagName);
  if (!record) throw new Error(`no decision for tag ${tagName}`);
  return record;
}

/** A repository-scope policy for `acme/app` with the given rules (YAML list items, indented 2). */
export function repositoryPolicy(rules: string, path = 'acme/app'): string {
  const slash = path.indexOf('/');
  return `apiVersion: winnow/v1
kind: RetentionPolicy
scope: { level: repository, namespace: ${path.slice(0, slash)}, repository: ${path.slice(slash + 1)} }
rules:
${rules}`;
}

/** Deterministic shuffle (seeded), to show that input order does not matter. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = items.slice();
  let state = seed >>> 0 || 1;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
