/**
 * Import of a large inventory snapshot through the API (`POST /api/v1/inventory/import`) into
 * SQLite and into PostgreSQL: time, tags per second and the server's peak RSS, for a first
 * import and for the same snapshot again (idempotent: nothing to write). Two floors, measured in
 * this process: the route's own parsing and validation of the same file without a database, and
 * the database writing as many tag rows by itself (`database-floor.ts`); the ratios floor time /
 * import time say how close the import comes to each.
 * Not a test: it prints figures, and fails only when the stored inventory is not the snapshot.
 *
 *   node bench/dist/import.bench.js [--repositories N] [--databases sqlite,postgresql]
 *        [--manifests 0.1] [--out FILE]
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { InventoryManifest, InventoryRepository } from '@winnow/engine';
import { streamRepositories } from '@winnow/server/dist/import/stream-inventory';
import { migrate } from '@winnow/db';
import { NOW } from './chain';
import { machineFacts, writeReport } from './report';
import { databaseFloor } from './database-floor';
import { generateInventory } from './generate';
import {
  type Cluster,
  createDatabase,
  postgresClusters,
  type Server,
  startServer,
  stopServer,
} from './server';

const TARGET_TAGS_PER_SECOND_POSTGRESQL = 50_000;

const { values: args } = parseArgs({
  options: {
    repositories: { type: 'string', default: '10000' },
    databases: { type: 'string', default: 'sqlite,postgresql' },
    manifests: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '20260601' },
    out: { type: 'string', default: resolve(__dirname, '../results/import-latest.json') },
  },
});

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

const MIB = 1024 * 1024;

/**
 * Adds manifests for a share of each repository's digests, as a registry sync reports them: an
 * image manifest with its size, every tenth one an index with two children.
 */
function withManifests(repository: InventoryRepository, share: number): InventoryRepository {
  const digests = [...new Set(repository.tags.map((tag) => tag.digest))];
  const count = Math.round(digests.length * share);
  const manifests: InventoryManifest[] = digests.slice(0, count).map((digest, i) =>
    i % 10 === 0
      ? {
          digest,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          sizeBytes: 1_024 + i,
          children: [`${digest.slice(0, -4)}c0c0`, `${digest.slice(0, -4)}c1c1`],
        }
      : {
          digest,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          sizeBytes: 25_000_000 + i * 1_000,
        },
  );
  return count === 0 ? repository : { ...repository, manifests };
}

interface Snapshot {
  readonly file: string;
  readonly bytes: number;
  readonly repositories: number;
  readonly tags: number;
  readonly manifests: number;
}

async function writeSnapshot(dir: string, repositories: number, share: number): Promise<Snapshot> {
  const inventory = generateInventory({
    seed: Number(args.seed),
    namespaces: Math.max(1, Math.round(repositories / 100)),
    repositoriesPerNamespace: Math.min(100, repositories),
    tagsPerRepository: 100,
    now: NOW,
  });
  const file = join(dir, 'snapshot.json');
  const out = createWriteStream(file);
  let tags = 0;
  let manifests = 0;
  let bytes = 0;
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('{"apiVersion":"winnow/v1","kind":"Inventory","repositories":[');
  for (const [i, repository] of inventory.repositories.entries()) {
    const full = withManifests(repository, share);
    tags += full.tags.length;
    manifests += full.manifests?.length ?? 0;
    await write(`${i === 0 ? '' : ','}${JSON.stringify(full)}`);
  }
  await write(']}\n');
  out.end();
  await once(out, 'finish');
  return { file, bytes, repositories: inventory.repositories.length, tags, manifests };
}

/** The route's parsing and validation alone, in this process: the floor. */
async function parseFloor(snapshot: Snapshot): Promise<number> {
  const start = performance.now();
  let tags = 0;
  for await (const repository of streamRepositories(createReadStream(snapshot.file), 2 ** 40)) {
    tags += repository.tags.length;
  }
  if (tags !== snapshot.tags) throw new Error(`floor read ${tags} tags, expected ${snapshot.tags}`);
  return (performance.now() - start) / 1000;
}

/** Resident set size now and at its peak (VmRSS, VmHWM) of a process, in MiB. */
function rss(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  };
  return { now: field('VmRSS'), peak: field('VmHWM') };
}

/** Streams the snapshot file to the import route; resolves with the response. */
async function postSnapshot(port: number, file: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/inventory/import',
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          done({ status: response.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', fail);
    createReadStream(file).pipe(req);
  });
}

/** Counts the exported repositories and tags, reading the export as a stream. */
async function exportedCounts(port: number): Promise<{ repositories: number; tags: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/inventory/export`);
  if (!response.ok || response.body === null) throw new Error(`export: ${response.status}`);
  const { Readable } = await import('node:stream');
  let repositories = 0;
  let tags = 0;
  const body = Readable.fromWeb(response.body);
  for await (const repository of streamRepositories(body, 2 ** 40)) {
    repositories += 1;
    tags += repository.tags.length;
  }
  return { repositories, tags };
}

interface ImportFigures {
  readonly seconds: number;
  readonly tagsPerSecond: number;
  /** Parse floor time / this time. */
  readonly ratioToFloor: number;
}

interface DatabaseResult {
  /** The database alone writing as many tag rows, 10,000 per transaction (database-floor.ts). */
  readonly databaseFloorSeconds: number;
  /** Database floor time / first import time: the share of the database's own speed reached. */
  readonly ratioToDatabaseFloor: number;
  readonly first: ImportFigures;
  readonly again: ImportFigures;
  readonly rssBeforeMiB: number;
  readonly peakRssMiB: number;
}

async function timedImport(
  server: Server,
  snapshot: Snapshot,
  floorSeconds: number,
): Promise<ImportFigures> {
  const start = performance.now();
  const response = await postSnapshot(server.port, snapshot.file);
  const seconds = (performance.now() - start) / 1000;
  if (response.status !== 200) throw new Error(`import: ${response.status} ${response.body}`);
  return {
    seconds,
    tagsPerSecond: snapshot.tags / seconds,
    ratioToFloor: floorSeconds / seconds,
  };
}

async function benchDatabase(
  databaseUrl: string,
  floorUrl: string,
  snapshot: Snapshot,
  floorSeconds: number,
): Promise<DatabaseResult> {
  await migrate(floorUrl);
  const databaseFloorSeconds = await databaseFloor(floorUrl, snapshot.tags, 10_000);
  log(`database floor: ${databaseFloorSeconds.toFixed(1)} s for ${snapshot.tags} tag rows`);
  const server = await startServer(databaseUrl);
  try {
    const before = rss(server.child.pid ?? 0);
    const first = await timedImport(server, snapshot, floorSeconds);
    const afterFirst = rss(server.child.pid ?? 0);
    const again = await timedImport(server, snapshot, floorSeconds);
    const peak = Math.max(afterFirst.peak, rss(server.child.pid ?? 0).peak);
    const counts = await exportedCounts(server.port);
    if (counts.repositories !== snapshot.repositories || counts.tags !== snapshot.tags) {
      throw new Error(`stored ${JSON.stringify(counts)}, expected ${JSON.stringify(snapshot)}`);
    }
    return {
      databaseFloorSeconds,
      ratioToDatabaseFloor: databaseFloorSeconds / first.seconds,
      first,
      again,
      rssBeforeMiB: before.now,
      peakRssMiB: peak,
    };
  } finally {
    await stopServer(server);
  }
}

async function main(): Promise<void> {
  const databases = args.databases.split(',').filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), 'winnow-import-bench-'));
  const clusters = postgresClusters();
  const results: Record<string, DatabaseResult> = {};
  let cluster: Cluster | undefined;
  try {
    log(`generating ${args.repositories} repositories x 100 tags ...`);
    const snapshot = await writeSnapshot(dir, Number(args.repositories), Number(args.manifests));
    log(
      `snapshot: ${snapshot.repositories} repositories, ${snapshot.tags} tags, ` +
        `${snapshot.manifests} manifests, ${(snapshot.bytes / MIB).toFixed(0)} MiB`,
    );
    await parseFloor(snapshot); // warm up
    const floorSeconds = await parseFloor(snapshot);
    log(`floor (parse and validate, no database): ${floorSeconds.toFixed(1)} s`);
    for (const database of databases) {
      let url: string;
      let floorUrl: string;
      if (database === 'sqlite') {
        url = `file:${join(dir, 'winnow.db')}`;
        floorUrl = `file:${join(dir, 'floor.db')}`;
      } else if (database === 'postgresql') {
        cluster = await clusters.startCluster({ durable: true });
        url = `${cluster.url}/postgres`;
        floorUrl = await createDatabase(cluster.url, 'floor');
      } else throw new Error(`unknown database ${database}: expected sqlite or postgresql`);
      log(`importing into ${database} ...`);
      const result = await benchDatabase(url, floorUrl, snapshot, floorSeconds);
      results[database] = result;
      log(
        `${database}: first ${result.first.seconds.toFixed(1)} s ` +
          `(${result.ratioToDatabaseFloor.toFixed(2)}x database floor) ` +
          `(${Math.round(result.first.tagsPerSecond)} tags/s, ${result.first.ratioToFloor.toFixed(2)}x floor), ` +
          `again ${result.again.seconds.toFixed(1)} s (${Math.round(result.again.tagsPerSecond)} tags/s), ` +
          `RSS ${result.rssBeforeMiB.toFixed(0)} → peak ${result.peakRssMiB.toFixed(0)} MiB`,
      );
      if (cluster) {
        clusters.stopCluster(cluster);
        cluster = undefined;
      }
    }
    const postgresql = results.postgresql;
    const report = {
      date: new Date().toISOString(),
      machine: machineFacts(['cpus', 'cpu', 'memoryMiB']),
      workload: {
        repositories: snapshot.repositories,
        tags: snapshot.tags,
        manifests: snapshot.manifests,
        snapshotMiB: snapshot.bytes / MIB,
      },
      floorSeconds,
      databases: results,
      targets: postgresql && {
        tagsPerSecondPostgresql: {
          target: TARGET_TAGS_PER_SECOND_POSTGRESQL,
          measured: postgresql.first.tagsPerSecond,
          met: postgresql.first.tagsPerSecond >= TARGET_TAGS_PER_SECOND_POSTGRESQL,
        },
      },
    };
    writeReport(args.out, report);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    if (cluster) clusters.stopCluster(cluster);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
