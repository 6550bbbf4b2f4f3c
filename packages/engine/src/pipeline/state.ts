import { parseTime } from '../text/time';
import type { InventoryManifest, InventoryRepository, InventoryTag } from '../model/inventory';
import type { Decision, Stage, TagDecision } from '../model/decision';
import type { ScopeLevel } from '../model/policy';
import type { Candidate } from './candidate';
import { compareIdentity } from './order';

/** A cosign-style accessory tag: `sha256-<64 hex>.sig|.att|.sbom`. */
const COSIGN_TAG = /^sha256-([0-9a-f]{64})\.(?:sig|att|sbom)$/;

export interface Accessory {
  readonly candidate: Candidate;
  readonly subject: string;
}

/**
 * One repository on its way through the pipeline. Each stage owns it while it runs and fills
 * `decisions`; `undecided` is what later stages still see.
 */
export interface RepositoryState {
  readonly namespace: string;
  readonly name: string;
  readonly path: string;
  /** JSON pointer of the repository in the inventory. */
  readonly pointer: string;
  readonly now: number;
  /** Tags (input order), then the untagged manifests a rule may select. */
  readonly candidates: readonly Candidate[];
  /** The candidates in output order: tags by name, then untagged manifests by digest. */
  readonly ordered: readonly Candidate[];
  readonly tagCount: number;
  readonly immutable: ReadonlySet<number>;
  readonly accessories: readonly Accessory[];
  readonly manifests: ReadonlyMap<string, InventoryManifest>;
  undecided: Candidate[];
  /** By candidate id. */
  readonly decisions: (TagDecision | undefined)[];
  /** Untagged manifests some rule selected: they get a record even when every rule passed. */
  readonly selectedUntagged: Set<number>;
  blocked: boolean;
}

const timeOrNaN = (text: string | null | undefined): number =>
  typeof text === 'string' ? parseTime(text) : Number.NaN;

export function createState(
  repository: InventoryRepository,
  pointer: string,
  now: number,
): RepositoryState {
  const path = `${repository.namespace}/${repository.name}`;
  const manifests = new Map<string, InventoryManifest>();
  const children = new Set<string>();
  for (const manifest of repository.manifests ?? []) {
    manifests.set(manifest.digest, manifest);
    for (const child of manifest.children ?? []) children.add(child);
  }
  const hasManifests = manifests.size > 0;
  const candidates: Candidate[] = [];
  const immutable = new Set<number>();
  const accessories: Accessory[] = [];
  const tags = repository.tags;
  for (let index = 0; index < tags.length; index++) {
    const tag = tags[index] as InventoryTag;
    const candidate: Candidate = {
      id: index,
      tag: tag.name,
      digest: tag.digest,
      pushed: timeOrNaN(tag.pushedAt),
      pulled: timeOrNaN(tag.lastPulledAt),
      labels: tag.labels ?? NO_LABELS,
      source: index,
      semver: undefined,
    };
    candidates.push(candidate);
    if (tag.immutable === true) immutable.add(index);
    const cosign = tag.name.startsWith('sha256-') ? COSIGN_TAG.exec(tag.name) : null;
    const subject = cosign
      ? `sha256:${cosign[1] ?? ''}`
      : hasManifests
        ? manifests.get(tag.digest)?.subject
        : undefined;
    if (typeof subject === 'string') accessories.push({ candidate, subject });
  }
  const tagCount = candidates.length;
  if (hasManifests) addUntagged(repository, candidates, children);
  return {
    namespace: repository.namespace,
    name: repository.name,
    path,
    pointer,
    now,
    candidates,
    ordered: inOutputOrder(candidates),
    tagCount,
    immutable,
    accessories,
    manifests,
    undecided: candidates,
    decisions: new Array<TagDecision | undefined>(candidates.length),
    selectedUntagged: new Set(),
    blocked: false,
  };
}

/** JSON pointer of a candidate's tag or manifest in the inventory. */
export function pointerOf(state: RepositoryState, candidate: Candidate): string {
  return `${state.pointer}/${candidate.tag === null ? 'manifests' : 'tags'}/${candidate.source}`;
}

const NO_LABELS: readonly string[] = [];

/** Candidates in output order; snapshots usually list tags sorted already, which costs one pass. */
function inOutputOrder(candidates: readonly Candidate[]): Candidate[] {
  for (let i = 1; i < candidates.length; i++) {
    if (compareIdentity(candidates[i - 1] as Candidate, candidates[i] as Candidate) > 0) {
      return candidates.slice().sort(compareIdentity);
    }
  }
  return candidates.slice();
}

/** The untagged manifests a rule may select: not tagged, not an index child, not a referrer. */
function addUntagged(
  repository: InventoryRepository,
  candidates: Candidate[],
  children: ReadonlySet<string>,
): void {
  const tagged = new Set(repository.tags.map((t) => t.digest));
  (repository.manifests ?? []).forEach((manifest, index) => {
    if (tagged.has(manifest.digest) || children.has(manifest.digest)) return;
    if (typeof manifest.subject === 'string') return;
    candidates.push({
      id: candidates.length,
      tag: null,
      digest: manifest.digest,
      pushed: timeOrNaN(manifest.pushedAt),
      pulled: Number.NaN,
      labels: NO_LABELS,
      source: index,
      semver: undefined,
    });
  });
}

export interface Decider {
  readonly stage: Stage;
  readonly scope: ScopeLevel | null;
  readonly policy: string | null;
  readonly rule: string | null;
}

export const NO_RULE = (stage: Stage): Decider => ({
  stage,
  scope: null,
  policy: null,
  rule: null,
});

export function decide(
  state: RepositoryState,
  candidate: Candidate,
  decision: Decision,
  by: Decider,
  reason: string,
): void {
  state.decisions[candidate.id] = {
    repository: state.path,
    tag: candidate.tag,
    digest: candidate.digest,
    decision,
    stage: by.stage,
    scope: by.scope,
    policy: by.policy,
    rule: by.rule,
    reason,
  };
}

/** Removes decided candidates from the stream. */
export function dropDecided(state: RepositoryState): void {
  state.undecided = state.undecided.filter((c) => state.decisions[c.id] === undefined);
}

export const shortDigest = (digest: string): string => {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest : digest.slice(0, colon + 13);
};
