import { openDatabase, type RunRecord, type RunTaskRecord } from '@winnow/db';
import {
  compilePolicies,
  evaluateInventory,
  type EvaluationReport,
  type Inventory,
  type InventoryRepository,
  type InventoryTag,
  repositoryPath,
  type TagDecision,
} from '@winnow/engine';

/**
 * An inventory whose repositories a run treats differently, and the server policy that decides
 * them: the expectations come from the engine, and `fixtureCoverage` shows each case is there.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Keep `latest`; delete release candidates older than 30 days; keep the 10 newest builds and
 * delete the others. The server's blast-radius guard (WINNOW_MAX_DELETE_RATIO, 0.9 by default)
 * then blocks the repositories where more than 90% would go.
 */
export const SERVER_POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  guards: [{ name: 'keep-latest', select: { tags: { glob: 'latest' } }, then: 'keep' }],
  rules: [
    {
      name: 'expire-old-candidates',
      select: { tags: { glob: 'rc-*' } },
      match: { olderThan: '30d' },
      then: 'delete',
    },
    {
      name: 'keep-newest-builds',
      select: { tags: { glob: 'build-*' } },
      match: { newest: 10 },
      then: 'keep',
      else: 'delete',
    },
  ],
} as const;

export const DEFAULT_MAX_DELETE_RATIO = 0.9;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const digest = (repository: number, image: number) =>
  `sha256:${pad(repository, 8)}${pad(image, 56)}`;

/**
 * Repository `i` of the fixture, by `i % 10`: 0 holds 6 builds (nothing to expire); 1 holds one
 * build and 20 candidates older than 30 days (over 90% would go: the guard blocks it); the others
 * hold 24 builds and 8 candidates, of which about half go. Even ones have `latest` on a kept
 * build, or for `i % 10 === 2` on build-20, which reconcile then keeps (it shares the digest of a
 * kept tag); build-15 is immutable where `i % 7 === 3`. Every third name is nested (`a/b`).
 * Push times are whole hours and half days from `at`: a run a few minutes later decides alike.
 */
function repository(i: number, at: number): InventoryRepository {
  const build = (j: number): InventoryTag => ({
    name: `build-${pad(j, 2)}`,
    digest: digest(i, j),
    pushedAt: new Date(at - (j + 1) * HOUR).toISOString(),
    ...(i % 7 === 3 && j === 15 && { immutable: true }),
  });
  const candidate = (k: number, ageDays: number): InventoryTag => ({
    name: `rc-${pad(k, 2)}`,
    digest: digest(i, 100 + k),
    pushedAt: new Date(at - ageDays * DAY).toISOString(),
  });
  const kind = i % 10;
  const tags: InventoryTag[] = [];
  if (kind === 0) {
    for (let j = 0; j < 6; j++) tags.push(build(j));
  } else if (kind === 1) {
    tags.push(build(0));
    for (let k = 0; k < 20; k++) tags.push(candidate(k, 31.5 + k));
  } else {
    for (let j = 0; j < 24; j++) tags.push(build(j));
    // Ages 2.5, 7.5, ... 37.5 days: the two oldest are over 30 days.
    for (let k = 0; k < 8; k++) tags.push(candidate(k, 2.5 + 5 * k));
  }
  if (i % 2 === 0) {
    const target = kind === 2 ? 20 : 0;
    tags.push({ name: 'latest', digest: digest(i, target), pushedAt: build(0).pushedAt });
  }
  return {
    namespace: `team-${i % 4}`,
    name: i % 3 === 0 ? `apps/service-${pad(i, 3)}` : `service-${pad(i, 3)}`,
    tags,
  };
}

export function fixtureInventory(repositories: number, at: number): Inventory {
  return {
    apiVersion: 'winnow/v1',
    kind: 'Inventory',
    repositories: Array.from({ length: repositories }, (_, i) => repository(i, at)),
  };
}

/** What the engine decides for the inventory at `now`, as the server's worker evaluates it. */
function evaluate(inventory: Inventory, now: string): EvaluationReport {
  return evaluateInventory(inventory, compilePolicies([SERVER_POLICY]), {
    now: new Date(now),
    maxDeleteRatio: DEFAULT_MAX_DELETE_RATIO,
  });
}

/** Per repository path, the names of the tags the engine decides to delete (sorted). */
export function decidedExpiries(inventory: Inventory, now: string): Map<string, string[]> {
  const report = evaluate(inventory, now);
  const expiries = new Map(inventory.repositories.map((r) => [repositoryPath(r), [] as string[]]));
  for (const d of report.decisions) {
    if (d.decision === 'delete' && d.tag !== null) expiries.get(d.repository)?.push(d.tag);
  }
  for (const names of expiries.values()) names.sort();
  return expiries;
}

/** How many repositories of the fixture fall in each case the engine can decide. */
export function fixtureCoverage(inventory: Inventory, now: string): Record<string, number> {
  const report = evaluate(inventory, now);
  const byStage = (stage: TagDecision['stage']) =>
    new Set(report.decisions.filter((d) => d.stage === stage).map((d) => d.repository)).size;
  const deleting = new Set(
    report.decisions.filter((d) => d.decision === 'delete').map((d) => d.repository),
  );
  return {
    expiring: deleting.size,
    untouched: inventory.repositories.length - deleting.size,
    blocked: byStage('safety'),
    reconciled: byStage('reconcile'),
    immutable: byStage('immutable'),
  };
}

/** What the database holds for a repository: live tags and tags expired by a run. */
export interface RepositoryState {
  /** `name@digest`, sorted. */
  readonly live: string[];
  /** `name@digest` of the expired tags, sorted. */
  readonly expired: string[];
  /** The runs that expired them. */
  readonly expiredBy: (number | null)[];
}

/** The live and expired tags of every repository of the database, by path. */
export async function databaseState(url: string): Promise<Map<string, RepositoryState>> {
  const database = openDatabase(url);
  const label = (tag: InventoryTag) => `${tag.name}@${tag.digest}`;
  try {
    const state = new Map<string, RepositoryState>();
    for await (const repository of database.inventory.exportRepositories()) {
      const expired = await database.tags.listExpired(repository);
      state.set(repositoryPath(repository), {
        live: repository.tags.map(label).sort(),
        expired: expired.map((e) => label(e.tag)).sort(),
        expiredBy: [...new Set(expired.map((e) => e.runId))],
      });
    }
    return state;
  } finally {
    await database.close();
  }
}

/** `name@digest` of a snapshot repository's tags named `names` (all of them when absent). */
function labels(repository: InventoryRepository, names?: readonly string[]): string[] {
  return repository.tags
    .filter((tag) => names === undefined || names.includes(tag.name))
    .map((tag) => `${tag.name}@${tag.digest}`)
    .sort();
}

/**
 * What `databaseState` should read once run `runId` applied `expiries` to the repositories
 * `applied` says (all by default) and left the others untouched.
 */
export function expectedState(
  inventory: Inventory,
  expiries: ReadonlyMap<string, readonly string[]>,
  runId: number,
  applied: (path: string) => boolean = () => true,
): Map<string, RepositoryState> {
  return new Map(
    inventory.repositories.map((repository) => {
      const path = repositoryPath(repository);
      const expired = applied(path) ? labels(repository, expiries.get(path) ?? []) : [];
      const live = labels(repository).filter((tag) => !expired.includes(tag));
      return [path, { live, expired, expiredBy: expired.length > 0 ? [runId] : [] }];
    }),
  );
}

/** The run's tasks, read from the database. */
export async function runTasks(url: string, runId: number): Promise<RunTaskRecord[]> {
  const database = openDatabase(url);
  try {
    return (await database.runs.listTasks(runId, { limit: 1000 })).items;
  } finally {
    await database.close();
  }
}

/** The run as the database holds it (for when no server runs). */
export async function runRecord(url: string, runId: number): Promise<RunRecord> {
  const database = openDatabase(url);
  try {
    const run = await database.runs.get(runId);
    if (run === null) throw new Error(`no run ${runId}`);
    return run;
  } finally {
    await database.close();
  }
}
