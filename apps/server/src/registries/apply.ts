import type { Database, DueRepository, NewDeletion } from '@winnow/db';
import { RegistryError } from '@winnow/registry';

import type { Log } from '../log';
import type { RegistrySource } from './source';

export interface ApplyTarget {
  readonly id: number;
  readonly namespaces: readonly string[];
  /** Delete as soon as a run expires a tag, instead of when its restore window ends. */
  readonly deleteImmediately: boolean;
}

export interface ApplyOptions {
  readonly database: Database;
  readonly source: RegistrySource;
  readonly registry: ApplyTarget;
  readonly windowMs: number;
  readonly now: Date;
  /** Repositories handled per pass. */
  readonly batchSize: number;
  readonly actor: string;
  readonly stopping?: () => boolean;
  /** Each repository's outcomes at debug, each failed digest at warn (the registry's child). */
  readonly log?: Log;
}

export interface ApplySummary {
  readonly deleted: number;
  readonly absent: number;
  readonly skipped: number;
  readonly failed: number;
  readonly purgedTags: number;
  /** Purged tags by namespace (for winnow_tags_purged_total). */
  readonly purgedByNamespace: ReadonlyMap<string, number>;
  /**
   * Bytes of the manifests deleted, by namespace, as the inventory knows their sizes (for
   * winnow_reclaimed_bytes_total); a manifest of unknown size counts 0.
   */
  readonly reclaimedBytesByNamespace: ReadonlyMap<string, number>;
}

/** The verdict of a digest whose other tags are expired but still restorable. */
const WAIT = 'wait';

/**
 * Deletes in the registry what runs expired, once the restore window has ended (or at once when
 * the connection says so), repository by repository:
 *
 * - every tag the registry lists in the repository is looked up afresh (HEAD), so that a tag
 *   pushed or moved since the last sync is seen;
 * - a digest is deleted (`DELETE /v2/<name>/manifests/<digest>`) only when every tag the registry
 *   has on it is an expired tag whose time has come, and no index that stays lists it;
 * - then its accessories (referrers, the referrers tag schema's index) and an index's children
 *   that nothing else keeps, which the registry does not delete by itself;
 * - the expired tags' rows are purged, except where the registry failed: those are tried again
 *   on the next pass. A tag that moved to another digest is purged too (the next sync brings it
 *   back at its new digest, live).
 *
 * Each digest's outcome (deleted, absent, skipped with the reason, failed with the error) is
 * recorded with the run that expired its tags.
 */
export async function applyRegistryDeletions(options: ApplyOptions): Promise<ApplySummary> {
  const { database, registry } = options;
  const cutoff = registry.deleteImmediately
    ? options.now
    : new Date(options.now.getTime() - options.windowMs);
  const summary = { deleted: 0, absent: 0, skipped: 0, failed: 0, purgedTags: 0 };
  const purgedByNamespace = new Map<string, number>();
  const reclaimedBytesByNamespace = new Map<string, number>();
  const result = (): ApplySummary => ({ ...summary, purgedByNamespace, reclaimedBytesByNamespace });
  // One pass over the due repositories, by id: what waits or failed is seen again next time.
  let afterId = 0;
  for (;;) {
    const due = await database.registryDeletions.dueRepositories({
      namespaces: registry.namespaces,
      cutoff,
      limit: options.batchSize,
      afterId,
    });
    for (const repository of due) {
      afterId = repository.repositoryId;
      const plan = await applyRepository(options.source, registry.id, repository, options.now);
      for (const deletion of plan.deletions) summary[deletion.outcome] += 1;
      if (options.log !== undefined) logPlan(options.log, repository, plan);
      const { purgedTags } = await database.registryDeletions.complete({
        deletions: plan.deletions,
        purgeTags: plan.purgeTags,
        purgeManifests: plan.purgeManifests,
        cutoff,
        actor: options.actor,
      });
      summary.purgedTags += purgedTags;
      const namespace = repository.namespace;
      if (purgedTags > 0) {
        purgedByNamespace.set(namespace, (purgedByNamespace.get(namespace) ?? 0) + purgedTags);
      }
      const reclaimed = deletedBytes(repository, plan.deletions);
      if (reclaimed > 0) {
        reclaimedBytesByNamespace.set(
          namespace,
          (reclaimedBytesByNamespace.get(namespace) ?? 0) + reclaimed,
        );
      }
      if (options.stopping?.() === true) return result();
    }
    if (due.length < options.batchSize) return result();
  }
}

/** The inventory's sizes of the manifests a repository's pass deleted. */
function deletedBytes(repository: DueRepository, deletions: readonly NewDeletion[]): number {
  const sizes = new Map(repository.manifests.map((m) => [m.digest, m.sizeBytes ?? 0]));
  let bytes = 0;
  for (const d of deletions) if (d.outcome === 'deleted') bytes += sizes.get(d.digest) ?? 0;
  return bytes;
}

/** One repository's outcomes: each digest at debug, a failure at warn with the registry's error. */
function logPlan(parent: Log, repository: DueRepository, plan: RepositoryPlan): void {
  const log = parent.child({
    namespace: repository.namespace,
    repository: `${repository.namespace}/${repository.name}`,
  });
  for (const { digest, tags, runId, outcome, message } of plan.deletions) {
    const facts = { runId, digest, tags, outcome, ...(message !== null && { reason: message }) };
    if (outcome === 'failed') log.warn(facts, 'registry deletion failed');
    else log.debug(facts, `registry deletion: ${outcome}`);
  }
}

interface RepositoryPlan {
  readonly deletions: NewDeletion[];
  readonly purgeTags: number[];
  readonly purgeManifests: number[];
}

async function applyRepository(
  source: RegistrySource,
  registryId: number,
  repository: DueRepository,
  now: Date,
): Promise<RepositoryPlan> {
  const path = `${repository.namespace}/${repository.name}`;
  const deletions: NewDeletion[] = [];
  const purgeTags: number[] = [];
  const purgeManifests: number[] = [];
  const due = repository.tags.filter((tag) => tag.due);
  const record = (
    digest: string,
    tags: readonly string[],
    runId: number | null,
    outcome: NewDeletion['outcome'],
    message: string | null,
  ): void => {
    deletions.push({
      registryId,
      runId,
      repository: path,
      digest,
      tags,
      outcome,
      message,
      at: now,
    });
  };

  // What the registry holds now: every tag's digest.
  let current: Map<string, string>;
  try {
    current = await currentTags(source, path);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    for (const [digest, tags] of groupByDigest(due)) {
      record(digest, names(tags), tags[0]?.runId ?? null, 'failed', error.message);
    }
    return { deletions, purgeTags, purgeManifests };
  }
  const tagsAt = new Map<string, string[]>();
  for (const [tag, digest] of current) {
    const list = tagsAt.get(digest);
    if (list === undefined) tagsAt.set(digest, [tag]);
    else list.push(tag);
  }
  const manifests = new Map(repository.manifests.map((m) => [m.digest, m]));
  const dueNames = new Set(due.map((tag) => tag.name));
  const expiredNames = new Set(repository.tags.filter((t) => t.expired).map((t) => t.name));
  const deleting = new Set<string>();
  const candidates = groupByDigest(due);

  // Decide first, so that an index and its children deleted in one pass see each other.
  const verdicts = new Map<string, string | null>();
  for (const [digest, tags] of candidates) {
    const others = (tagsAt.get(digest) ?? []).filter((name) => !dueNames.has(name));
    // Another tag on it is expired too but still restorable: wait for it, decide then.
    if (others.length > 0 && others.every((name) => expiredNames.has(name))) {
      verdicts.set(digest, WAIT);
      continue;
    }
    const keeping = others;
    if (keeping.length > 0) {
      verdicts.set(digest, `tag ${keeping.sort().join(', ')} points at it and is not expired`);
      continue;
    }
    const moved = tags.filter((tag) => current.has(tag.name) && current.get(tag.name) !== digest);
    if (moved.length === tags.length && (tagsAt.get(digest) ?? []).length === 0) {
      // Every expired tag moved on: nothing the run decided points at this digest any more.
      verdicts.set(digest, `tag ${names(moved).join(', ')} now points at another digest`);
      continue;
    }
    verdicts.set(digest, null);
    deleting.add(digest);
  }
  for (const digest of [...deleting]) {
    const keptIndex = [...tagsAt.keys()].find(
      (index) => !deleting.has(index) && (manifests.get(index)?.children ?? []).includes(digest),
    );
    if (keptIndex !== undefined) {
      deleting.delete(digest);
      verdicts.set(digest, `a child of the index ${keptIndex}, which stays`);
    }
  }

  // The digests first, all at once (the client caps the requests in flight).
  await Promise.all(
    [...candidates].map(async ([digest, tags]) => {
      const runId = tags[0]?.runId ?? null;
      const verdict = verdicts.get(digest) ?? null;
      if (verdict === WAIT) return;
      if (verdict !== null) {
        record(digest, names(tags), runId, 'skipped', verdict);
        purgeTags.push(...tags.map((tag) => tag.id));
        return;
      }
      try {
        const deleted = await source.deleteManifest(path, digest);
        record(digest, names(tags), runId, deleted ? 'deleted' : 'absent', null);
        purgeTags.push(...tags.map((tag) => tag.id));
        const manifest = manifests.get(digest);
        if (manifest !== undefined) purgeManifests.push(manifest.id);
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        record(digest, names(tags), runId, 'failed', error.message);
        deleting.delete(digest);
      }
    }),
  );
  // Then what the registry leaves behind, once it is known which digests went: referrers of a
  // deleted digest, and a deleted index's children that no remaining index lists and no tag
  // points at.
  const followers = new Map<string, { subject: string; runId: number | null }>();
  for (const digest of deleting) {
    const runId = candidates.get(digest)?.[0]?.runId ?? null;
    const behind = [
      ...repository.manifests.filter((m) => m.subject === digest).map((m) => m.digest),
      ...(manifests.get(digest)?.children ?? []).filter(
        (child) =>
          ![...tagsAt.keys()].some(
            (index) =>
              !deleting.has(index) && (manifests.get(index)?.children ?? []).includes(child),
          ),
      ),
    ];
    for (const follower of behind) {
      if (tagsAt.has(follower) || candidates.has(follower)) continue; // tagged: decided on its own
      if (!followers.has(follower)) followers.set(follower, { subject: digest, runId });
    }
  }
  await Promise.all(
    [...followers].map(async ([follower, { subject, runId }]) => {
      try {
        const deleted = await source.deleteManifest(path, follower);
        record(follower, [], runId, deleted ? 'deleted' : 'absent', `goes with ${subject}`);
        const row = manifests.get(follower);
        if (row !== undefined) purgeManifests.push(row.id);
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        record(follower, [], runId, 'failed', `goes with ${subject}: ${error.message}`);
      }
    }),
  );
  // Recorded in a stable order (the requests ended in any): the digests as their tags come,
  // then what followed them.
  const order = new Map([...candidates.keys(), ...followers.keys()].map((d, i) => [d, i]));
  deletions.sort((x, y) => (order.get(x.digest) ?? 0) - (order.get(y.digest) ?? 0));
  return { deletions, purgeTags, purgeManifests };
}

/** Every tag of the repository and its digest now (a tag gone since the listing is left out). */
async function currentTags(source: RegistrySource, path: string): Promise<Map<string, string>> {
  const names: string[] = [];
  for await (const tag of source.tags(path)) names.push(tag);
  const heads = await Promise.all(names.map((tag) => source.headManifest(path, tag)));
  const current = new Map<string, string>();
  names.forEach((tag, index) => {
    const head = heads[index];
    if (head !== null && head !== undefined) current.set(tag, head.digest);
  });
  return current;
}

function groupByDigest<T extends { digest: string }>(tags: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const tag of tags) {
    const list = groups.get(tag.digest);
    if (list === undefined) groups.set(tag.digest, [tag]);
    else list.push(tag);
  }
  return groups;
}

const names = (tags: readonly { name: string }[]): string[] => tags.map((t) => t.name).sort();
