import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { TagDecision } from '../../model/decision';
import type { InventoryManifest } from '../../model/inventory';
import { compareCodePoints } from '../../text/compare';
import type { Candidate } from '../candidate';
import { compareIdentity } from '../order';
import { type Accessory, decide, NO_RULE, type RepositoryState, shortDigest } from '../state';

const RECONCILE = NO_RULE('reconcile');
const ACCESSORY = NO_RULE('accessory');

/** Lookups, and every list in a canonical order so that results never depend on input order. */
interface Index {
  readonly tagsByDigest: ReadonlyMap<string, Candidate[]>;
  readonly untaggedByDigest: ReadonlyMap<string, Candidate>;
  readonly tags: readonly Candidate[];
  readonly accessories: readonly Accessory[];
  readonly indexes: readonly InventoryManifest[];
}

function indexOf(state: RepositoryState): Index {
  const tagsByDigest = new Map<string, Candidate[]>();
  const untaggedByDigest = new Map<string, Candidate>();
  const tags: Candidate[] = [];
  // `ordered` is canonical, so every list built from it is too.
  for (const c of state.ordered) {
    if (c.tag === null) {
      untaggedByDigest.set(c.digest, c);
      continue;
    }
    tags.push(c);
    const list = tagsByDigest.get(c.digest);
    if (list) list.push(c);
    else tagsByDigest.set(c.digest, [c]);
  }
  const accessories = state.accessories
    .slice()
    .sort((a, b) => compareIdentity(a.candidate, b.candidate));
  const indexes = [...state.manifests.values()]
    .filter((m) => (m.children?.length ?? 0) > 0)
    .sort((a, b) => compareCodePoints(a.digest, b.digest));
  return { tagsByDigest, untaggedByDigest, tags, accessories, indexes };
}

/** The first kept tag on a digest, or the kept untagged record; undefined if none. */
function keptOn(state: RepositoryState, index: Index, digest: string): TagDecision | undefined {
  for (const c of index.tagsByDigest.get(digest) ?? []) {
    const record = state.decisions[c.id];
    if (record?.decision === 'keep') return record;
  }
  const untagged = index.untaggedByDigest.get(digest);
  const record = untagged ? state.decisions[untagged.id] : undefined;
  return record?.decision === 'keep' ? record : undefined;
}

/** An accessory follows its subject; undefined while some subject tag is still undecided. */
function followSubject(
  state: RepositoryState,
  index: Index,
  accessory: Accessory,
): ['keep' | 'delete', string] | undefined {
  const subjectTags = (index.tagsByDigest.get(accessory.subject) ?? []).filter(
    (c) => c !== accessory.candidate,
  );
  const subject = shortDigest(accessory.subject);
  if (subjectTags.length === 0)
    return ['keep', `accessory of ${subject}, which has no tag in this repository: kept`];
  let pending = false;
  for (const c of subjectTags) {
    const record = state.decisions[c.id];
    if (record?.decision === 'keep')
      return ['keep', `accessory of ${subject}: follows its kept tag "${c.tag ?? ''}"`];
    if (!record) pending = true;
  }
  return pending
    ? undefined
    : ['delete', `accessory of ${subject}: follows its subject, whose tags are all deleted`];
}

/** A kept index: it has a kept record, or no record of its own at all (untagged, never selected). */
function isKeptIndex(state: RepositoryState, index: Index, digest: string): boolean {
  if (keptOn(state, index, digest)) return true;
  const untagged = index.untaggedByDigest.get(digest);
  const hasRecord =
    (index.tagsByDigest.get(digest)?.length ?? 0) > 0 ||
    (untagged !== undefined && state.decisions[untagged.id] !== undefined);
  return !hasRecord;
}

/** One pass; returns whether anything changed. */
function pass(state: RepositoryState, index: Index): boolean {
  let changed = false;
  for (const accessory of index.accessories) {
    const current = state.decisions[accessory.candidate.id];
    if (current && current.stage !== 'accessory') continue;
    const next = followSubject(state, index, accessory);
    if (next && next[0] !== current?.decision) {
      decide(state, accessory.candidate, next[0], ACCESSORY, next[1]);
      changed = true;
    }
  }
  for (const c of index.tags) {
    const record = state.decisions[c.id];
    if (record?.decision !== 'delete') continue;
    const kept = keptOn(state, index, c.digest);
    if (kept) {
      decide(
        state,
        c,
        'keep',
        RECONCILE,
        `shares its digest with kept tag "${kept.tag ?? ''}" (deleting the digest would remove both; ${record.rule ? `rule "${record.rule}" said delete` : 'was marked delete'})`,
      );
      changed = true;
    }
  }
  for (const manifest of index.indexes) {
    if (!isKeptIndex(state, index, manifest.digest)) continue;
    for (const child of manifest.children ?? []) {
      for (const c of index.tagsByDigest.get(child) ?? []) {
        const record = state.decisions[c.id];
        if (record?.decision !== 'delete') continue;
        decide(
          state,
          c,
          'keep',
          RECONCILE,
          `its digest is a platform of kept index ${shortDigest(manifest.digest)}${record.rule ? ` (rule "${record.rule}" said delete)` : ''}`,
        );
        changed = true;
      }
    }
  }
  return changed;
}

/** §4.6: shared digests, children of kept indexes and accessories, repeated until nothing changes. */
export function reconcileStage(): MonoTypeOperatorFunction<RepositoryState> {
  return map((state) => {
    // Reconcile only turns deletes into keeps and decides accessories: without either, no work.
    if (state.accessories.length === 0 && !state.decisions.some((d) => d?.decision === 'delete')) {
      return state;
    }
    const index = indexOf(state);
    if (index.accessories.length === 0 && index.indexes.length === 0) {
      // Only shared digests: one pass reaches the fixpoint (a flip adds a keep where one was).
      pass(state, index);
    } else {
      while (pass(state, index));
    }
    // An accessory whose subject never resolved (a cycle of accessories) is kept.
    for (const accessory of index.accessories) {
      if (!state.decisions[accessory.candidate.id]) {
        decide(
          state,
          accessory.candidate,
          'keep',
          ACCESSORY,
          `accessory of ${shortDigest(accessory.subject)}, whose subject is itself undecided: kept`,
        );
      }
    }
    return state;
  });
}
