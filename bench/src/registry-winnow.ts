/**
 * Winnow's side of the registry benchmark: the server's own `syncRegistry` and
 * `applyRegistryDeletions` (as the worker calls them) on a SQLite database, in this process, and
 * a meter that says where their time goes: how many registry requests were outstanding on
 * average, and how long the database calls took.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { type Database, migrate, openDatabase, type RegistryRecord } from '@winnow/db';
import { applyRegistryDeletions } from '@winnow/server/dist/registries/apply';
import { connect } from '@winnow/server/dist/registries/connectors';
import type { RegistrySource } from '@winnow/server/dist/registries/source';
import { syncRegistry } from '@winnow/server/dist/registries/sync';
import { NAMESPACE } from './registry-fixture';

/** Busy time of a kind of call: the union of the intervals with at least one call pending. */
export class Meter {
  outstanding = 0;
  busyMs = 0;
  /** Integral of the outstanding count over time, in call-milliseconds. */
  callMs = 0;
  calls = 0;
  private since = performance.now();

  async around<T>(call: () => Promise<T>): Promise<T> {
    this.tick();
    this.outstanding += 1;
    this.calls += 1;
    try {
      return await call();
    } finally {
      this.tick();
      this.outstanding -= 1;
    }
  }

  private tick(): void {
    const now = performance.now();
    if (this.outstanding > 0) this.busyMs += now - this.since;
    this.callMs += this.outstanding * (now - this.since);
    this.since = now;
  }
}

export interface Breakdown {
  /** Time with at least one registry request outstanding. */
  readonly registryBusyMs: number;
  /** Mean registry requests outstanding over the whole measurement. */
  readonly meanOutstanding: number;
  readonly requests: number;
  /**
   * Time in the database calls a side makes while the registry could be busy: the sync's reads
   * of stored manifests (not its writes, which the import interleaves), all of the apply's.
   */
  readonly databaseMs: number;
}

/** The source with every request counted in `meter`. */
export function metered(source: RegistrySource, meter: Meter): RegistrySource {
  return {
    repositories: () => source.repositories(),
    tags: (path) => source.tags(path),
    headManifest: (path, reference) => meter.around(() => source.headManifest(path, reference)),
    getManifest: (path, reference) => meter.around(() => source.getManifest(path, reference)),
    getBlob: (path, digest) => meter.around(() => source.getBlob(path, digest)),
    deleteManifest: (path, digest) => meter.around(() => source.deleteManifest(path, digest)),
  };
}

/** A SQLite file and its WAL, copied while no client has it open. */
export function copyDatabase(from: string, to: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    rmSync(`${to}${suffix}`, { force: true });
    if (existsSync(`${from}${suffix}`)) copyFileSync(`${from}${suffix}`, `${to}${suffix}`);
  }
}

/** A migrated database with the `bench` namespace and the registry connection serving it. */
export async function prepareDatabase(file: string, registryUrl: string): Promise<RegistryRecord> {
  const url = `file:${file}`;
  await migrate(url);
  const database = openDatabase(url);
  try {
    await database.namespaces.create({ name: NAMESPACE, kind: 'normal', settings: {} });
    return await database.registries.create({
      name: 'local',
      url: registryUrl,
      authKind: 'anonymous',
      username: null,
      secret: null,
      namespaces: [NAMESPACE],
      tls: {},
      // The defaults of POST /api/v1/registries.
      concurrency: 8,
      requestsPerSecond: null,
      timeoutMs: 30_000,
      deleteImmediately: true,
      sync: null,
    });
  } finally {
    await database.close();
  }
}

async function withDatabase<T>(file: string, work: (db: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(`file:${file}`);
  try {
    // Prisma connects on the first query: connected before the clock starts.
    await database.ping();
    return await work(database);
  } finally {
    await database.close();
  }
}

const breakdown = (meter: Meter, elapsedMs: number, databaseMs: number): Breakdown => ({
  registryBusyMs: meter.busyMs,
  meanOutstanding: meter.callMs / elapsedMs,
  requests: meter.calls,
  databaseMs,
});

export interface Timed<T> {
  readonly ms: number;
  readonly result: T;
  readonly breakdown: Breakdown;
}

/** One sync of the registry into the database in `file`, timed (opening the database is not). */
export async function winnowSync(
  file: string,
  registry: RegistryRecord,
): Promise<Timed<Awaited<ReturnType<typeof syncRegistry>>>> {
  return withDatabase(file, async (database) => {
    const meter = new Meter();
    const source = metered(connect(registry, undefined), meter);
    let databaseMs = 0;
    const timedDatabase: Database = {
      ...database,
      registrySyncs: {
        ...database.registrySyncs,
        knownManifests: async (namespace, name) => {
          const start = performance.now();
          const known = await database.registrySyncs.knownManifests(namespace, name);
          databaseMs += performance.now() - start;
          return known;
        },
      },
    };
    const start = performance.now();
    const result = await syncRegistry({
      database: timedDatabase,
      source,
      target: { namespaces: registry.namespaces, concurrency: registry.concurrency },
      now: new Date(),
    });
    const ms = performance.now() - start;
    return { ms, result, breakdown: breakdown(meter, ms, databaseMs) };
  });
}

/** Marks the doomed tags expired as a run would (`lifetimeEnd` set, in the past). */
export async function expireDoomed(file: string, below: string): Promise<number> {
  // An ES module: imported, not required.
  const { createClient } = await import('@libsql/client');
  const client = createClient({ url: `file:${file}` });
  try {
    // `pushedAt` is in the past and in the column encoding Prisma compares `lifetimeEnd` with.
    const result = await client.execute({
      sql: `UPDATE "Tag" SET "lifetimeEnd" = "pushedAt" WHERE "name" < ?`,
      args: [below],
    });
    return result.rowsAffected;
  } finally {
    client.close();
  }
}

/** One apply of the expired tags in `file` to the registry, timed. */
export async function winnowApply(
  file: string,
  registry: RegistryRecord,
  batchSize: number,
): Promise<Timed<Awaited<ReturnType<typeof applyRegistryDeletions>>>> {
  return withDatabase(file, async (database) => {
    const meter = new Meter();
    const source = metered(connect(registry, undefined), meter);
    let databaseMs = 0;
    const timed =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const start = performance.now();
        try {
          return await call(...args);
        } finally {
          databaseMs += performance.now() - start;
        }
      };
    const timedDatabase: Database = {
      ...database,
      registryDeletions: {
        ...database.registryDeletions,
        dueRepositories: timed((input) => database.registryDeletions.dueRepositories(input)),
        complete: timed((input) => database.registryDeletions.complete(input)),
      },
    };
    const start = performance.now();
    const result = await applyRegistryDeletions({
      database: timedDatabase,
      source,
      registry,
      windowMs: 0,
      now: new Date(),
      batchSize,
      actor: 'bench',
    });
    const ms = performance.now() - start;
    return { ms, result, breakdown: breakdown(meter, ms, databaseMs) };
  });
}
