import type { Database, SyncError, SyncProgress } from '@winnow/db';
import type { InventoryManifest, InventoryRepository, InventoryTag } from '@winnow/engine';
import { configCreated, parseManifest, RegistryError } from '@winnow/registry';

import type { RegistrySource } from './source';

/** What a sync needs to know of a registry connection. */
export interface SyncTarget {
  /** The namespaces the registry serves: `<namespace>/<rest>` is synced, other paths are not. */
  readonly namespaces: readonly string[];
  /** Repositories read at once (their requests share the client's own cap). */
  readonly concurrency: number;
}

export interface SyncOptions {
  readonly database: Database;
  readonly source: RegistrySource;
  readonly target: SyncTarget;
  /** The time a manifest first seen without a config `created` is said to be pushed at. */
  readonly now: Date;
  /** Called after each repository, and once the catalog is read. */
  readonly onProgress?: (progress: SyncProgress) => void;
  /** Asked between repositories: true stops the sync early (the worker is shutting down). */
  readonly stopping?: () => boolean;
}

export interface SyncResult {
  readonly progress: SyncProgress;
  /** The repositories that could not be read: their stored inventory is left as it was. */
  readonly errors: readonly SyncError[];
  /** False when the sync stopped early. */
  readonly complete: boolean;
}

/** Tags read from a `tags/list` page at a time, and HEAD requests per repository at once. */
const HEADS_AT_ONCE = 16;
/** Repositories written per transaction. */
const WRITE_BATCH = 20;

/** The fallback tag of the OCI referrers tag schema: an index of the subject's referrers. */
const REFERRERS_TAG = /^sha256-([0-9a-f]{64})$/;

/**
 * Brings the stored inventory of the registry's namespaces in line with the registry: every
 * repository of the catalog under a served namespace is read (tags, a HEAD per tag, the
 * manifests not stored yet with their index children, referrers and config `created`) and
 * written as an import does (tags and manifests the registry no longer has are removed; pull
 * times, immutability and labels are kept, see `fromRegistry`). A digest already stored is not
 * fetched again. A repository that fails to read is recorded and left untouched; the sync goes on.
 */
export async function syncRegistry(options: SyncOptions): Promise<SyncResult> {
  const { database, source, target } = options;
  const served = new Set(target.namespaces);
  const paths: { namespace: string; name: string; path: string }[] = [];
  for await (const path of source.repositories()) {
    const slash = path.indexOf('/');
    if (slash <= 0 || slash === path.length - 1) continue;
    const namespace = path.slice(0, slash);
    if (served.has(namespace)) paths.push({ namespace, name: path.slice(slash + 1), path });
  }
  const progress = {
    repositoriesTotal: paths.length,
    repositoriesDone: 0,
    repositoriesFailed: 0,
    tags: 0,
    manifestsFetched: 0,
    manifestsUnchanged: 0,
  };
  const errors: SyncError[] = [];
  options.onProgress?.({ ...progress });
  let complete = true;

  const referrers: ReferrersState = { supported: source.referrers !== undefined };
  const read = async (entry: (typeof paths)[number]): Promise<InventoryRepository | null> => {
    try {
      const known = await database.registrySyncs.knownManifests(entry.namespace, entry.name);
      const reader = new RepositoryReader(source, entry.path, known, options.now, referrers);
      const snapshot = await reader.read(entry.namespace, entry.name);
      progress.tags += snapshot.tags.length;
      progress.manifestsFetched += reader.fetched;
      progress.manifestsUnchanged += reader.unchanged;
      return snapshot;
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      progress.repositoriesFailed += 1;
      errors.push({ repository: entry.path, code: error.code, message: error.message });
      return null;
    } finally {
      progress.repositoriesDone += 1;
      options.onProgress?.({ ...progress });
    }
  };

  async function* snapshots(): AsyncGenerator<InventoryRepository> {
    const inFlight = new Map<number, Promise<[number, InventoryRepository | null]>>();
    let next = 0;
    const start = (): void => {
      const index = next;
      next += 1;
      const entry = paths[index];
      if (entry !== undefined)
        inFlight.set(
          index,
          read(entry).then((r) => [index, r]),
        );
    };
    while (next < paths.length || inFlight.size > 0) {
      while (inFlight.size < target.concurrency && next < paths.length) {
        if (options.stopping?.() === true) {
          complete = false;
          next = paths.length;
          break;
        }
        start();
      }
      if (inFlight.size === 0) break;
      const [index, snapshot] = await Promise.race(inFlight.values());
      inFlight.delete(index);
      if (snapshot !== null) yield snapshot;
    }
  }

  await database.inventory.importRepositories(snapshots(), {
    batchSize: WRITE_BATCH,
    fromRegistry: true,
  });
  return { progress: { ...progress }, errors, complete };
}

/**
 * Whether to ask the registry for referrers: until it answers that it has no referrers API
 * (distribution 2.8), then never again in the sync (the tag schema is read instead).
 */
interface ReferrersState {
  supported: boolean;
}

/** Reads one repository of the registry into an inventory snapshot. */
class RepositoryReader {
  fetched = 0;
  unchanged = 0;
  private readonly manifests = new Map<string, InventoryManifest>();
  /** Each digest is resolved once, however many tags point at it at once. */
  private readonly resolving = new Map<string, Promise<InventoryManifest | null>>();

  constructor(
    private readonly source: RegistrySource,
    private readonly path: string,
    private readonly known: ReadonlyMap<string, InventoryManifest>,
    private readonly now: Date,
    private readonly referrers: ReferrersState,
  ) {}

  async read(namespace: string, name: string): Promise<InventoryRepository> {
    const names: string[] = [];
    for await (const tag of this.source.tags(this.path)) names.push(tag);
    names.sort();
    const tags: InventoryTag[] = [];
    for (let i = 0; i < names.length; i += HEADS_AT_ONCE) {
      const chunk = names.slice(i, i + HEADS_AT_ONCE);
      const heads = await Promise.all(chunk.map((tag) => this.source.headManifest(this.path, tag)));
      const resolved = await Promise.all(
        heads.map((head) => (head === null ? Promise.resolve(null) : this.manifest(head.digest))),
      );
      chunk.forEach((tag, index) => {
        const head = heads[index];
        const manifest = resolved[index];
        // Gone between the listing and the HEAD: the next sync sees what became of it.
        if (head === null || head === undefined || manifest === null || manifest === undefined)
          return;
        tags.push({
          name: tag,
          digest: head.digest,
          pushedAt: manifest.pushedAt ?? this.now.toISOString(),
        });
      });
    }
    this.referrerFallbacks(tags);
    return { namespace, name, tags, manifests: [...this.manifests.values()] };
  }

  /**
   * The manifest `digest` with its children: stored ones as stored, others fetched (an image's
   * push time is its config's `created`, an index's the newest of its children's).
   */
  private manifest(digest: string): Promise<InventoryManifest | null> {
    let resolving = this.resolving.get(digest);
    if (resolving === undefined) {
      resolving = this.resolve(digest);
      this.resolving.set(digest, resolving);
    }
    return resolving;
  }

  private async resolve(digest: string): Promise<InventoryManifest | null> {
    const stored = this.known.get(digest);
    if (stored?.mediaType !== undefined && stored.pushedAt !== undefined) {
      this.unchanged += 1;
      this.manifests.set(digest, stored);
      for (const child of stored.children ?? []) await this.manifest(child);
      return stored;
    }
    const fetched = await this.source.getManifest(this.path, digest);
    if (fetched === null) return null;
    this.fetched += 1;
    const parsed = parseManifest(fetched.mediaType, fetched.body);
    let pushedAt: string | null = null;
    const children: string[] = [];
    for (const child of parsed.children) {
      const entry = await this.manifest(child);
      if (entry === null) continue;
      children.push(child);
      if (entry.pushedAt !== undefined && (pushedAt === null || entry.pushedAt > pushedAt)) {
        pushedAt = entry.pushedAt;
      }
    }
    if (parsed.configDigest !== null) {
      const config = await this.source.getBlob(this.path, parsed.configDigest);
      pushedAt = config === null ? null : (configCreated(config)?.toISOString() ?? null);
    }
    const manifest: InventoryManifest = {
      digest,
      mediaType: fetched.mediaType,
      sizeBytes: fetched.size,
      pushedAt: pushedAt ?? this.now.toISOString(),
      children: parsed.children,
      subject: parsed.subject,
      artifactType: parsed.artifactType,
    };
    this.manifests.set(digest, manifest);
    // Referrers are untagged: with the referrers API, asked for each new manifest that is not
    // itself a referrer (a stored digest's new referrers wait for a new sync of it: see docs).
    if (parsed.subject === null) await this.readReferrers(digest);
    return manifest;
  }

  private async readReferrers(digest: string): Promise<void> {
    if (!this.referrers.supported || this.source.referrers === undefined) return;
    const found = await this.source.referrers(this.path, digest);
    if (!found.supported) {
      this.referrers.supported = false;
      return;
    }
    for (const referrer of found.referrers) await this.manifest(referrer.digest);
  }

  /**
   * The referrers tag schema (registries without the referrers API): a tag `sha256-<hex>` points
   * at an index of the referrers of `sha256:<hex>`. The index is recorded with that subject, so
   * the engine keeps or drops it with its subject, and so is each referrer it lists.
   */
  private referrerFallbacks(tags: readonly InventoryTag[]): void {
    for (const tag of tags) {
      const match = REFERRERS_TAG.exec(tag.name);
      if (match === null) continue;
      const subject = `sha256:${match[1] ?? ''}`;
      const index = this.manifests.get(tag.digest);
      if (index === undefined) continue;
      if (index.subject === null || index.subject === undefined) {
        this.manifests.set(tag.digest, { ...index, subject });
      }
      for (const child of index.children ?? []) {
        const referrer = this.manifests.get(child);
        if (referrer !== undefined && (referrer.subject ?? null) === null) {
          this.manifests.set(child, { ...referrer, subject });
        }
      }
    }
  }
}
