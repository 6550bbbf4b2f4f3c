import {
  formatDuration,
  parseTime,
  type DecisionCounts,
  type InventoryRepository,
  type TagDecision,
} from '@winnow/engine';
import { RE2JS } from 're2js';
import {
  DAY_MS,
  GUARD,
  NAMESPACE_RULES,
  type PolicyCoverage,
  REPOSITORY_RULES,
  SERVER_RULE,
} from './chain';

/**
 * The floor: the benchmarked chain written by hand with plain loops over index arrays, producing
 * the same decision records as the engine (same fields, reasons and order) so the two do the
 * same observable work. It implements only what this chain and the generated inventory need:
 * no accessories, untagged manifests, labels or blast-radius guard (the generator makes none,
 * and the benchmark runs without `maxDeleteRatio`). Regexes run on RE2 (re2js) like the
 * engine's; the `latest` glob is a string comparison, globs with a `*` become RE2 programs.
 */
export interface PlainEvaluation {
  readonly repository: string;
  readonly decisions: readonly TagDecision[];
  readonly counts: Readonly<DecisionCounts>;
}

type Scope = 'server' | 'namespace' | 'repository';

/** A glob without braces or brackets, as RE2: `*` within a segment, anchored at both ends. */
const globProgram = (glob: string): RE2JS =>
  RE2JS.compile(
    `^${glob
      .split('*')
      .map((part) => RE2JS.quote(part))
      .join('[^/]*')}$`,
  );

const describeAge = (days: number): string => `${days}d`;

interface NewestRule {
  readonly kind: 'newest';
  readonly scope: Scope;
  readonly name: string;
  readonly select: RE2JS;
  readonly n: number;
}

interface AgeRule {
  readonly kind: 'olderThan';
  readonly scope: Scope;
  readonly name: string;
  readonly select: RE2JS;
  readonly limitMs: number;
  readonly age: string;
}

type PlainRule = NewestRule | AgeRule;

const REPOSITORY_CHAIN: readonly PlainRule[] = [
  {
    kind: 'newest',
    scope: 'repository',
    name: REPOSITORY_RULES.keepMain.name,
    select: globProgram(REPOSITORY_RULES.keepMain.glob),
    n: REPOSITORY_RULES.keepMain.newest,
  },
  {
    kind: 'olderThan',
    scope: 'repository',
    name: REPOSITORY_RULES.expireFeatures.name,
    select: globProgram(REPOSITORY_RULES.expireFeatures.glob),
    limitMs: REPOSITORY_RULES.expireFeatures.olderThanDays * DAY_MS,
    age: describeAge(REPOSITORY_RULES.expireFeatures.olderThanDays),
  },
];

const NAMESPACE_CHAIN: readonly PlainRule[] = [
  {
    kind: 'newest',
    scope: 'namespace',
    name: NAMESPACE_RULES.keepReleases.name,
    select: RE2JS.compile(NAMESPACE_RULES.keepReleases.regex),
    n: NAMESPACE_RULES.keepReleases.newest,
  },
  {
    kind: 'olderThan',
    scope: 'namespace',
    name: NAMESPACE_RULES.expireBuilds.name,
    select: RE2JS.compile(NAMESPACE_RULES.expireBuilds.regex),
    limitMs: NAMESPACE_RULES.expireBuilds.olderThanDays * DAY_MS,
    age: describeAge(NAMESPACE_RULES.expireBuilds.olderThanDays),
  },
];

const SERVER_CHAIN: readonly PlainRule[] = [
  {
    kind: 'olderThan',
    scope: 'server',
    name: SERVER_RULE.name,
    select: RE2JS.compile(SERVER_RULE.regex),
    limitMs: SERVER_RULE.olderThanDays * DAY_MS,
    age: describeAge(SERVER_RULE.olderThanDays),
  },
];

const GUARD_REASON = `selected by tags glob ${JSON.stringify(GUARD.glob)}`;
const IMMUTABLE_REASON = 'immutable tag: never deleted';
const DEFAULT_REASON = 'no rule decided: kept by default';

/** One repository's tags with their times parsed once, and the records decided so far. */
interface Work {
  readonly path: string;
  readonly namespace: string;
  readonly tags: InventoryRepository['tags'];
  readonly pushed: Float64Array;
  /** Pull time, or the push time for a never-pulled tag (the order's tie-breaker). */
  readonly pulled: Float64Array;
  readonly decisions: (TagDecision | undefined)[];
}

function record(
  work: Work,
  i: number,
  decision: 'keep' | 'delete',
  stage: TagDecision['stage'],
  scope: Scope | null,
  policy: string | null,
  rule: string | null,
  reason: string,
): TagDecision {
  const tag = work.tags[i];
  if (!tag) throw new Error(`no tag ${i} in ${work.path}`);
  return {
    repository: work.path,
    tag: tag.name,
    digest: tag.digest,
    decision,
    stage,
    scope,
    policy,
    rule,
    reason,
  };
}

function nameOf(work: Work, i: number): string {
  return (work.tags[i] as InventoryRepository['tags'][number]).name;
}

/** `newest: n`, then keep: ranks only what is undecided and selected; the rest passes. */
function applyNewest(work: Work, rule: NewestRule, policy: string, undecided: number[]): number[] {
  const selected: number[] = [];
  const rest: number[] = [];
  for (const i of undecided) {
    if (rule.select.test(nameOf(work, i))) selected.push(i);
    else rest.push(i);
  }
  const { pushed, pulled } = work;
  selected.sort((a, b) => {
    const pa = pushed[a] as number;
    const pb = pushed[b] as number;
    if (pa !== pb) return pa > pb ? -1 : 1;
    const la = pulled[a] as number;
    const lb = pulled[b] as number;
    if (la !== lb) return la > lb ? -1 : 1;
    const na = nameOf(work, a);
    const nb = nameOf(work, b);
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  for (let rank = 0; rank < selected.length; rank++) {
    const i = selected[rank] as number;
    if (rank >= rule.n) {
      rest.push(i);
      continue;
    }
    const reason = `one of the ${rule.n} newest by pushed (#${rank + 1})`;
    work.decisions[i] = record(work, i, 'keep', 'rule', rule.scope, policy, rule.name, reason);
  }
  return rest;
}

/** `olderThan`, then delete: the hits are deleted, everything else passes. */
function applyOlderThan(
  work: Work,
  rule: AgeRule,
  policy: string,
  now: number,
  undecided: number[],
): number[] {
  const rest: number[] = [];
  for (const i of undecided) {
    // Select, then match, in the language's order: testing the age first would skip most regex
    // runs, a shortcut specific to `then: delete, else: pass` that would flatter the floor.
    const age = now - (work.pushed[i] as number);
    if (rule.select.test(nameOf(work, i)) && age > rule.limitMs) {
      const reason = `older than ${rule.age} by pushed (age ${formatDuration(age)})`;
      work.decisions[i] = record(work, i, 'delete', 'rule', rule.scope, policy, rule.name, reason);
    } else {
      rest.push(i);
    }
  }
  return rest;
}

function applyChain(
  work: Work,
  rules: readonly PlainRule[],
  policy: string,
  now: number,
  undecided: number[],
): number[] {
  let left = undecided;
  for (const rule of rules) {
    if (left.length === 0) break;
    left =
      rule.kind === 'newest'
        ? applyNewest(work, rule, policy, left)
        : applyOlderThan(work, rule, policy, now, left);
  }
  return left;
}

/**
 * A delete on a digest that some kept tag also carries is kept. Like the engine, deletes are
 * visited by name and the reason names the first kept tag by name at that moment. One pass
 * suffices: a tag only turns to keep when its digest already had a kept tag.
 */
function reconcile(work: Work, byName: readonly number[]): void {
  const firstKept = new Map<string, string>();
  let deletes = 0;
  for (const r of work.decisions) {
    if (!r) continue;
    if (r.decision === 'delete') {
      deletes++;
      continue;
    }
    const seen = firstKept.get(r.digest);
    if (r.tag !== null && (seen === undefined || r.tag < seen)) firstKept.set(r.digest, r.tag);
  }
  if (deletes === 0) return;
  for (const i of byName) {
    const r = work.decisions[i];
    if (r?.decision !== 'delete' || r.tag === null) continue;
    const kept = firstKept.get(r.digest);
    if (kept === undefined) continue;
    const said = r.rule === null ? 'was marked delete' : `rule "${r.rule}" said delete`;
    const reason = `shares its digest with kept tag "${kept}" (deleting the digest would remove both; ${said})`;
    work.decisions[i] = record(work, i, 'keep', 'reconcile', null, null, null, reason);
    if (r.tag < kept) firstKept.set(r.digest, r.tag);
  }
}

export type PlainEvaluator = (repository: InventoryRepository) => PlainEvaluation;

/** The floor evaluator for one coverage of policies and one `now`. */
export function plainLoop(coverage: PolicyCoverage, now: Date): PlainEvaluator {
  const nowMs = now.getTime();
  return (repository) => {
    const { namespace, tags } = repository;
    const path = `${namespace}/${repository.name}`;
    const n = tags.length;
    const work: Work = {
      path,
      namespace,
      tags,
      pushed: new Float64Array(n),
      pulled: new Float64Array(n),
      decisions: new Array<TagDecision | undefined>(n),
    };
    let undecided: number[] = [];
    for (let i = 0; i < n; i++) {
      const tag = tags[i] as InventoryRepository['tags'][number];
      const pushed = parseTime(tag.pushedAt ?? '');
      if (Number.isNaN(pushed)) throw new Error(`${path}: tag "${tag.name}" has no pushedAt`);
      work.pushed[i] = pushed;
      work.pulled[i] = typeof tag.lastPulledAt === 'string' ? parseTime(tag.lastPulledAt) : pushed;
      if (tag.immutable === true) {
        work.decisions[i] = record(
          work,
          i,
          'keep',
          'immutable',
          null,
          null,
          null,
          IMMUTABLE_REASON,
        );
      } else if (tag.name === GUARD.glob) {
        work.decisions[i] = record(
          work,
          i,
          'keep',
          'guard',
          'server',
          'server',
          GUARD.name,
          GUARD_REASON,
        );
      } else {
        undecided.push(i);
      }
    }
    if (coverage.repositories.has(path)) {
      undecided = applyChain(work, REPOSITORY_CHAIN, path, nowMs, undecided);
    }
    if (coverage.namespaces.has(namespace)) {
      undecided = applyChain(work, NAMESPACE_CHAIN, namespace, nowMs, undecided);
    }
    undecided = applyChain(work, SERVER_CHAIN, 'server', nowMs, undecided);
    for (const i of undecided) {
      work.decisions[i] = record(work, i, 'keep', 'default', null, null, null, DEFAULT_REASON);
    }
    const byName = nameOrder(work);
    reconcile(work, byName);
    return output(work, byName);
  };
}

/** Tag indexes by name: the output order, and the order reconcile visits. */
function nameOrder(work: Work): number[] {
  const order = Array.from({ length: work.tags.length }, (_, i) => i);
  return order.sort((a, b) => {
    const na = nameOf(work, a);
    const nb = nameOf(work, b);
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

/** Records in output order, with their counts. */
function output(work: Work, byName: readonly number[]): PlainEvaluation {
  const decisions: TagDecision[] = [];
  const counts: DecisionCounts = { tags: 0, keep: 0, delete: 0 };
  for (const i of byName) {
    const r = work.decisions[i];
    if (!r) continue;
    decisions.push(r);
    counts.tags++;
    counts[r.decision]++;
  }
  return { repository: work.path, decisions, counts };
}
