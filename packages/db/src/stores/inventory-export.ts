import {
  compareRepositoryPaths,
  type InventoryRepository,
  type RepositoryInput,
} from '@winnow/engine';

import type { DbClient } from '../client';
import type { Provider } from '../provider';
import { readContents } from './inventory-read';

/** A namespace's repositories, or one repository (`name` inside the namespace, may contain `/`). */
export interface InventoryScope {
  readonly namespace: string;
  readonly name?: string;
}

export interface ReadLimits {
  /** Repositories per query, at most. */
  readonly batchSize: number;
  /** Tags per query, at most, unless one repository alone has more (it is then read alone). */
  readonly batchTags: number;
}

interface RepositoryKey {
  readonly id: number;
  readonly namespace: string;
  readonly name: string;
  readonly tags: number;
}

/**
 * The next `take` repositories of `scope` after id `after`, in creation (id) order, with their
 * live tags counted by a second query over those repositories only: a relation `_count` in the
 * first one makes Prisma group the whole tag table, 150 ms on 500,000 tags even for one
 * repository (a repository-scoped preview paid that on every call).
 */
async function keysAfter(
  db: DbClient,
  scope: InventoryScope | undefined,
  after: number,
  take: number,
): Promise<RepositoryKey[]> {
  const rows = await db.repository.findMany({
    where: {
      id: { gt: after },
      ...(scope && { namespace: { name: scope.namespace } }),
      ...(scope?.name !== undefined && { name: scope.name }),
    },
    orderBy: { id: 'asc' },
    take,
    select: { id: true, name: true, namespace: { select: { name: true } } },
  });
  if (rows.length === 0) return [];
  const counts = await db.tag.groupBy({
    by: ['repositoryId'],
    where: { repositoryId: { in: rows.map((row) => row.id) }, lifetimeEnd: null },
    _count: { _all: true },
  });
  const live = new Map(counts.map((c) => [c.repositoryId, c._count._all]));
  return rows.map((row) => ({
    id: row.id,
    namespace: row.namespace.name,
    name: row.name,
    tags: live.get(row.id) ?? 0,
  }));
}

/** `batch`'s repositories that still exist, in `batch` order, with what they hold. */
async function withContents<K extends RepositoryKey>(
  db: DbClient,
  provider: Provider,
  batch: readonly K[],
): Promise<[K, InventoryRepository][]> {
  const contents = await readContents(
    db,
    provider,
    batch.map((key) => key.id),
  );
  const repositories: [K, InventoryRepository][] = [];
  for (const key of batch) {
    const content = contents.get(key.id);
    if (content === undefined) continue;
    const repository = { namespace: key.namespace, name: key.name, tags: content.tags };
    repositories.push([
      key,
      content.manifests.length === 0 ? repository : { ...repository, manifests: content.manifests },
    ]);
  }
  return repositories;
}

/**
 * The repositories of `scope` (every one without it), with their live tags (those a run expired
 * are left out), in the engine's output order: by path, code
 * point by code point (no database collation decides it), so that an export is the same however
 * the repositories were created (an import writes batches concurrently). Reads the scope's names
 * first (keyset-paginated; memory holds one small key per repository), then the repositories in
 * batches within `limits`, one batch ahead. A repository deleted between the two reads is left
 * out.
 */
export async function* exportRepositories(
  db: DbClient,
  provider: Provider,
  limits: ReadLimits,
  scope?: InventoryScope,
): AsyncGenerator<InventoryRepository> {
  for await (const [, repository] of inPathOrder(db, provider, limits, scope)) yield repository;
}

const KEY_PAGE = 5000;

/** Every key of `scope`, keyset-paginated by id. */
async function allKeys(db: DbClient, scope: InventoryScope | undefined): Promise<RepositoryKey[]> {
  const keys: RepositoryKey[] = [];
  let after = 0;
  for (;;) {
    const page = await keysAfter(db, scope, after, KEY_PAGE);
    keys.push(...page);
    const last = page.at(-1);
    if (last === undefined || page.length < KEY_PAGE) return keys;
    after = last.id;
  }
}

/** Consecutive runs of keys within the limits (at least one key each). */
function* batchesOf<K extends RepositoryKey>(
  keys: readonly K[],
  limits: ReadLimits,
): Generator<K[]> {
  let batch: K[] = [];
  let tags = 0;
  for (const key of keys) {
    const full = batch.length >= limits.batchSize || tags + key.tags > limits.batchTags;
    if (batch.length > 0 && full) {
      yield batch;
      batch = [];
      tags = 0;
    }
    batch.push(key);
    tags += key.tags;
  }
  if (batch.length > 0) yield batch;
}

/**
 * The repositories of `scope` as the pipeline's input, in `exportRepositories`' order. Each
 * pointer is the repository's index in that export, so an error names the place
 * `winnow evaluate` names on the export of the same scope.
 */
export async function* evaluationInputs(
  db: DbClient,
  provider: Provider,
  limits: ReadLimits,
  scope?: InventoryScope,
): AsyncGenerator<RepositoryInput> {
  let position = 0;
  for await (const [, repository] of inPathOrder(db, provider, limits, scope)) {
    yield { repository, pointer: `/repositories/${position}` };
    position += 1;
  }
}

/** The keys of `scope` by path, each with its repository, batch by batch, one batch ahead. */
async function* inPathOrder(
  db: DbClient,
  provider: Provider,
  limits: ReadLimits,
  scope: InventoryScope | undefined,
): AsyncGenerator<[RepositoryKey, InventoryRepository]> {
  const keys = (await allKeys(db, scope)).map((key) => ({
    ...key,
    path: `${key.namespace}/${key.name}`,
  }));
  keys.sort((a, b) => compareRepositoryPaths(a.path, b.path));
  const batches = [...batchesOf(keys, limits)];
  const read = (index: number) => {
    const batch = batches[index];
    if (batch === undefined) return undefined;
    const reading = withContents(db, provider, batch);
    // Handled here too: a consumer that stops early leaves the read-ahead unawaited.
    reading.catch(() => undefined);
    return reading;
  };
  let next = read(0);
  for (let index = 0; next !== undefined; index++) {
    const current = await next;
    // The database reads the next batch while the consumer works on this one.
    next = read(index + 1);
    yield* current;
  }
}
