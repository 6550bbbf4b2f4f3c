/**
 * A full retention run through the real server: 1,000,000 tags in 10,000 repositories (100
 * tags each, every tag its own digest), a server policy that keeps the 50 newest tags of each
 * repository and deletes the rest, so the run expires 500,000 tags. On SQLite and on a durable
 * PostgreSQL: the time from `POST /api/v1/runs` until the run has finished, the server's peak
 * RSS during the run (a fresh server process, started after the import), and the floor: the
 * same database expiring the same 500,000 rows in one bulk `UPDATE` by itself.
 * Not a test: it prints figures, and fails only when the run did not expire what it should.
 *
 *   node bench/dist/run.bench.js [--repositories N] [--tags N] [--databases sqlite,postgresql]
 *        [--batch N] [--profile DIR] [--out FILE]
 *
 * `--profile DIR` writes the server's CPU profile (node --cpu-prof) there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '@winnow/db';
import { bulkUpdateFloor } from './database-floor';
import { fleet, stream } from './fleet';
import { machineFacts, writeReport } from './report';
import {
  type Cluster,
  createDatabase,
  postgresClusters,
  type Server,
  startServer,
  stopServer,
} from './server';

const TARGET_SECONDS = 60;
const TARGET_RSS_MIB = 512;
const MIB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    repositories: { type: 'string', default: '10000' },
    tags: { type: 'string', default: '100' },
    databases: { type: 'string', default: 'sqlite,postgresql' },
    batch: { type: 'string', default: '100' },
    profile: { type: 'string' },
    out: { type: 'string', default: resolve(__dirname, '../results/run-latest.json') },
  },
});
const repositories = Number(args.repositories);
const tagsPerRepository = Number(args.tags);
const keep = Math.floor(tagsPerRepository / 2);

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

const POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    {
      name: 'keep-newest-half',
      select: { tags: { glob: '*' } },
      match: { newest: keep },
      then: 'keep',
      else: 'delete',
    },
  ],
};

/** Resident set size at its peak (VmHWM) of a process, in MiB. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function call<T>(server: Server, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body !== undefined && {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

interface ProcessMemory {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly externalMiB: number;
}

/** The server's own memory figures from its /metrics (prom-client's default process metrics). */
async function processMemory(server: Server): Promise<ProcessMemory> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? Number.NaN : Number(line.slice(name.length + 1)) / MIB;
  };
  return {
    rssMiB: value('process_resident_memory_bytes'),
    heapUsedMiB: value('nodejs_heap_size_used_bytes'),
    externalMiB: value('nodejs_external_memory_bytes'),
  };
}

interface RunJson {
  id: number;
  status: string;
  finishedAt: string | null;
  counts: { repositories: number; evaluated: number; expired: number; errors: number };
  tasks: Record<string, number>;
}

interface DatabaseResult {
  readonly importSeconds: number;
  readonly runSeconds: number;
  readonly tagsPerSecond: number;
  readonly expired: number;
  readonly peakRssMiB: number;
  readonly memoryAfter: ProcessMemory;
  readonly floorSeconds: number;
  readonly floorRows: number;
  readonly ratioToFloor: number;
}

async function benchDatabase(url: string): Promise<DatabaseResult> {
  await migrate(url);
  const database = openDatabase(url);
  let importSeconds: number;
  try {
    const start = performance.now();
    await database.inventory.importRepositories(stream(fleet(repositories, tagsPerRepository)));
    importSeconds = (performance.now() - start) / 1000;
  } finally {
    await database.close();
  }
  log(`  imported in ${importSeconds.toFixed(1)} s; starting the server`);
  // A fresh process: its peak RSS is the run's, not the import's.
  const nodeArgs =
    args.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${args.profile}`];
  const server = await startServer(url, nodeArgs, {
    WINNOW_WORKER_BATCH_SIZE: args.batch,
    WINNOW_WORKER_INTERVAL: '1s',
    WINNOW_LOG_LEVEL: process.env.WINNOW_LOG_LEVEL ?? 'warn',
  });
  let run: RunJson;
  let runSeconds: number;
  let peakRssMiB: number;
  let memory: ProcessMemory;
  try {
    await call(server, 'PUT', '/api/v1/policies/server', POLICY);
    const start = performance.now();
    run = await call<RunJson>(server, 'POST', '/api/v1/runs', { scope: { level: 'server' } });
    let shown = 0;
    while (run.finishedAt === null) {
      await new Promise((done) => setTimeout(done, 1000));
      run = await call<RunJson>(server, 'GET', `/api/v1/runs/${run.id}`);
      const done = run.tasks.done ?? 0;
      if (done - shown >= repositories / 10) {
        shown = done;
        log(`  ${done} / ${repositories} repositories, ${run.counts.expired} tags expired`);
      }
    }
    runSeconds = (performance.now() - start) / 1000;
    peakRssMiB = server.child.pid === undefined ? Number.NaN : peakRss(server.child.pid);
    memory = await processMemory(server);
    if (server.child.pid !== undefined) {
      const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
      log(
        `  ${status
          .split('\n')
          .filter((l) => /^(VmRSS|RssAnon|RssFile|RssShmem|VmHWM)/.test(l))
          .join(', ')}`,
      );
    }
    log(
      `  server memory after the run: RSS ${memory.rssMiB.toFixed(0)} MiB, ` +
        `V8 heap used ${memory.heapUsedMiB.toFixed(0)} MiB, external ${memory.externalMiB.toFixed(0)} MiB`,
    );
  } finally {
    await stopServer(server);
  }
  const expected = repositories * (tagsPerRepository - keep);
  if (run.status !== 'succeeded' || run.counts.expired !== expected) {
    throw new Error(
      `the run ended ${run.status} with ${run.counts.expired} of ${expected} expired`,
    );
  }
  const floor = await bulkUpdateFloor(url, run.id);
  if (floor.rows !== expected) throw new Error(`the floor updated ${floor.rows} rows`);
  return {
    importSeconds,
    runSeconds,
    tagsPerSecond: (repositories * tagsPerRepository) / runSeconds,
    expired: run.counts.expired,
    peakRssMiB,
    memoryAfter: memory,
    floorSeconds: floor.seconds,
    floorRows: floor.rows,
    ratioToFloor: floor.seconds / runSeconds,
  };
}

async function main(): Promise<void> {
  const databases = args.databases.split(',').filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), 'winnow-run-bench-'));
  const clusters = postgresClusters();
  let cluster: Cluster | undefined;
  const results: Record<string, DatabaseResult> = {};
  log(
    `${repositories} repositories x ${tagsPerRepository} tags; the policy keeps ${keep} per repository`,
  );
  try {
    for (const name of databases) {
      log(`${name}:`);
      let url: string;
      if (name === 'sqlite') url = `file:${join(dir, 'run.db')}`;
      else if (name === 'postgresql') {
        cluster = await clusters.startCluster({ durable: true });
        url = await createDatabase(cluster.url, 'winnow_run');
      } else throw new Error(`unknown database ${name}`);
      const result = await benchDatabase(url);
      results[name] = result;
      log(
        `  run ${result.runSeconds.toFixed(1)} s (${Math.round(result.tagsPerSecond)} tags/s), ` +
          `${result.expired} expired, peak RSS ${result.peakRssMiB.toFixed(0)} MiB; ` +
          `floor (one bulk UPDATE of the same rows) ${result.floorSeconds.toFixed(2)} s = ` +
          `${result.ratioToFloor.toFixed(3)}x the run`,
      );
      log(
        `  targets: <= ${TARGET_SECONDS} s ${result.runSeconds <= TARGET_SECONDS ? 'met' : 'MISSED'}, ` +
          `peak RSS <= ${TARGET_RSS_MIB} MiB ${result.peakRssMiB <= TARGET_RSS_MIB ? 'met' : 'MISSED'}`,
      );
    }
  } finally {
    if (cluster) clusters.stopCluster(cluster);
    rmSync(dir, { recursive: true, force: true });
  }
  writeReport(
    args.out,
    {
      date: new Date().toISOString(),
      machine: machineFacts(['cpus', 'cpu', 'memoryMiB']),
      workload: { repositories, tagsPerRepository, keep, batch: Number(args.batch) },
      targets: { seconds: TARGET_SECONDS, peakRssMiB: TARGET_RSS_MIB },
      databases: results,
    },
    { finalNewline: false },
  );
  log(`written to ${args.out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
