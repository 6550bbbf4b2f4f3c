/**
 * The API under load: a real server process on loopback, an inventory of 10,000 repositories
 * (100 namespaces) of 50 tags, and open-loop Poisson arrivals (paced.ts) driving the read
 * endpoints and scoped previews at a fixed average rate — first with the worker idle (the baseline), then while a server-wide run that
 * expires half the tags is in progress. Per group (reads, previews) and per endpoint: throughput,
 * p50/p90/p99/max latency, non-2xx and errors, and whether the run was in progress before and
 * after the loaded phase. Not a test: it prints figures, and fails only when the run was not in
 * progress during the whole loaded phase.
 *
 *   node bench/dist/load.bench.js [--repositories N] [--tags N] [--duration S]
 *        [--read-rate N] [--preview-rate N] [--connections N (keep-alive sockets per endpoint)]
 *        [--databases sqlite,postgresql]
 *        [--profile DIR] [--out FILE]
 *
 * Authentication: when WINNOW_TOKEN is set, every request carries it as a bearer token and the
 * server started here gets it as WINNOW_ADMIN_TOKEN (see `authorization` below).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '@winnow/db';
import { FLEET_NOW, fleet, NAMESPACES, namespaceOf, repositoryOf, stream } from './fleet';
import { percentile } from './measure';
import { paced } from './paced';
import { Random } from './random';
import { machineFacts, writeReport } from './report';
import {
  type Cluster,
  createDatabase,
  postgresClusters,
  type Server,
  startServer,
  stopServer,
} from './server';

const TARGET_READ_P99_MS = 50;

const { values: args } = parseArgs({
  options: {
    repositories: { type: 'string', default: '10000' },
    tags: { type: 'string', default: '50' },
    duration: { type: 'string', default: '30' },
    'read-rate': { type: 'string', default: '200' },
    'preview-rate': { type: 'string', default: '20' },
    connections: { type: 'string', default: '16' },
    databases: { type: 'string', default: 'sqlite' },
    profile: { type: 'string' },
    out: { type: 'string', default: resolve(__dirname, '../results/load-latest.json') },
  },
});
const repositories = Number(args.repositories);
const tagsPerRepository = Number(args.tags);
const durationSeconds = Number(args.duration);
const readRate = Number(args['read-rate']);
const previewRate = Number(args['preview-rate']);
const connections = Number(args.connections);

/** The one place a token enters: requests carry it, the server started here accepts it. */
const token = process.env.WINNOW_TOKEN;
const authorization: Record<string, string> =
  token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` };
const serverAuthEnv: Record<string, string> =
  token === undefined || token === '' ? {} : { WINNOW_ADMIN_TOKEN: token };

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

const keepNewest = (scope: object, keep: number) => ({
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope,
  rules: [
    {
      name: 'keep-newest',
      select: { tags: { glob: '*' } },
      match: { newest: keep },
      then: 'keep',
      else: 'delete',
    },
  ],
});

async function call<T>(server: Server, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...authorization,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

interface RunJson {
  id: number;
  status: string;
  finishedAt: string | null;
  tasks: Record<string, number>;
}

interface Endpoint {
  readonly group: 'reads' | 'previews';
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** A fresh path (and body) for each request: a random repository or namespace. */
  readonly request: (random: Random) => { path: string; body?: string };
}

function endpoints(runIds: readonly number[]): Endpoint[] {
  const repo = (random: Random) => {
    const i = random.int(repositories);
    return { namespace: namespaceOf(i), name: repositoryOf(i) };
  };
  const get = (name: string, path: (random: Random) => string): Endpoint => ({
    group: 'reads',
    name,
    method: 'GET',
    request: (random) => ({ path: path(random) }),
  });
  return [
    get('GET /runs', () => '/api/v1/runs'),
    get('GET /runs/{id}', (random) => `/api/v1/runs/${runIds[random.int(runIds.length)] ?? 1}`),
    get('GET /namespaces', () => '/api/v1/namespaces'),
    get('GET /namespaces/{ns}/repositories', (random) => {
      return `/api/v1/namespaces/${repo(random).namespace}/repositories`;
    }),
    get('GET /repositories/{repo}/tags', (random) => {
      const { namespace, name } = repo(random);
      return `/api/v1/namespaces/${namespace}/repositories/${name}/tags`;
    }),
    get('GET /policies/server', () => '/api/v1/policies/server'),
    get('GET /namespaces/{ns}/policy', (random) => {
      return `/api/v1/namespaces/${repo(random).namespace}/policy`;
    }),
    {
      group: 'previews',
      name: 'POST /preview (repository scope)',
      method: 'POST',
      request: (random) => {
        const { namespace, name } = repo(random);
        const scope = { level: 'repository', namespace, repository: name };
        return {
          path: '/api/v1/preview',
          body: JSON.stringify({ now: new Date(FLEET_NOW).toISOString(), scope, limit: 100 }),
        };
      },
    },
  ];
}

interface Latency {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

interface Measured {
  readonly samples: number[];
  non2xx: number;
  errors: number;
  timeouts: number;
}

function latency(measured: Measured, seconds: number): Latency {
  const { samples } = measured;
  return {
    requests: samples.length,
    perSecond: samples.length / seconds,
    p50Ms: percentile(samples, 50),
    p90Ms: percentile(samples, 90),
    p99Ms: percentile(samples, 99),
    maxMs: samples.reduce((max, ms) => Math.max(max, ms), 0),
    non2xx: measured.non2xx,
    errors: measured.errors,
    timeouts: measured.timeouts,
  };
}

/**
 * One open-loop arrival process per endpoint (paced.ts), all at once, each at its share of its
 * group's rate; every response time is kept, so groups and endpoints get exact percentiles.
 */
async function drive(server: Server, list: readonly Endpoint[], seed: number) {
  const rates = { reads: readRate, previews: previewRate };
  const count = (group: Endpoint['group']) => list.filter((e) => e.group === group).length;
  const measured = new Map<string, Measured>();
  const started = performance.now();
  await Promise.all(
    list.map(async (endpoint, index) => {
      const result = await paced({
        url: server.url,
        rate: rates[endpoint.group] / count(endpoint.group),
        durationSeconds,
        seed: seed * 1000 + index,
        request: (random) => ({ method: endpoint.method, ...endpoint.request(random) }),
        headers: authorization,
        timeoutMs: 10_000,
        maxSockets: connections,
      });
      measured.set(endpoint.name, result);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const perEndpoint: Record<string, Latency> = {};
  for (const [name, m] of measured) perEndpoint[name] = latency(m, seconds);
  const group = (name: Endpoint['group']): Latency => {
    const merged: Measured = { samples: [], non2xx: 0, errors: 0, timeouts: 0 };
    for (const endpoint of list.filter((e) => e.group === name)) {
      const m = measured.get(endpoint.name);
      if (!m) continue;
      merged.samples.push(...m.samples);
      merged.non2xx += m.non2xx;
      merged.errors += m.errors;
      merged.timeouts += m.timeouts;
    }
    return latency(merged, seconds);
  };
  return { seconds, reads: group('reads'), previews: group('previews'), perEndpoint };
}

type Phase = Awaited<ReturnType<typeof drive>> & {
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
};

async function phase(server: Server, list: readonly Endpoint[], seed: number): Promise<Phase> {
  const loadAverageBefore = loadavg();
  const result = await drive(server, list, seed);
  return { ...result, loadAverageBefore, loadAverageAfter: loadavg() };
}

const inProgress = (run: RunJson): boolean => run.finishedAt === null;

async function benchDatabase(url: string) {
  await migrate(url);
  const database = openDatabase(url);
  try {
    const start = performance.now();
    await database.inventory.importRepositories(stream(fleet(repositories, tagsPerRepository)));
    log(`  imported in ${((performance.now() - start) / 1000).toFixed(1)} s; starting the server`);
  } finally {
    await database.close();
  }
  const nodeArgs =
    args.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${args.profile}`];
  const server = await startServer(url, nodeArgs, {
    WINNOW_WORKER_INTERVAL: '1s',
    WINNOW_LOG_LEVEL: process.env.WINNOW_LOG_LEVEL ?? 'warn',
    ...serverAuthEnv,
  });
  try {
    await call(server, 'PUT', '/api/v1/policies/server', keepNewest({ level: 'server' }, 25));
    for (let i = 0; i < NAMESPACES; i++) {
      const namespace = namespaceOf(i);
      await call(
        server,
        'PUT',
        `/api/v1/namespaces/${namespace}/policy`,
        keepNewest({ level: 'namespace', namespace }, 30),
      );
    }
    // A finished run in the list and for the run detail of the idle phase: a dry run of one
    // namespace.
    let small = await call<RunJson>(server, 'POST', '/api/v1/runs', {
      scope: { level: 'namespace', namespace: namespaceOf(NAMESPACES - 1) },
      dryRun: true,
    });
    while (inProgress(small)) {
      await new Promise((done) => setTimeout(done, 500));
      small = await call<RunJson>(server, 'GET', `/api/v1/runs/${small.id}`);
    }
    log(`  idle baseline: ${durationSeconds} s, no run in progress`);
    const idle = await phase(server, endpoints([small.id]), 1);

    let run = await call<RunJson>(server, 'POST', '/api/v1/runs', { scope: { level: 'server' } });
    // The worker picks the run up on its next tick: wait until it has done some repositories.
    while (inProgress(run) && (run.tasks.done ?? 0) === 0) {
      await new Promise((done) => setTimeout(done, 200));
      run = await call<RunJson>(server, 'GET', `/api/v1/runs/${run.id}`);
    }
    const before = { status: run.status, done: run.tasks.done ?? 0 };
    log(`  under a run: ${durationSeconds} s, run ${run.id} ${run.status}, ${before.done} done`);
    const loaded = await phase(server, endpoints([small.id, run.id]), 2);
    run = await call<RunJson>(server, 'GET', `/api/v1/runs/${run.id}`);
    const after = { status: run.status, done: run.tasks.done ?? 0 };
    const runInProgressThroughout = inProgress(run) && before.status === 'running';
    log(`  after: run ${run.status}, ${after.done} of ${repositories} repositories done`);
    if (inProgress(run)) await call(server, 'POST', `/api/v1/runs/${run.id}/cancel`);
    return { idle, loaded, run: { before, after, runInProgressThroughout } };
  } finally {
    await stopServer(server);
  }
}

const ms = (value: number): string => value.toFixed(1).padStart(7);

function print(name: string, result: Phase): void {
  const row = (label: string, l: Latency) => {
    log(
      `    ${label.padEnd(36)} ${l.perSecond.toFixed(0).padStart(5)}/s ` +
        `p50 ${ms(l.p50Ms)} p90 ${ms(l.p90Ms)} p99 ${ms(l.p99Ms)} max ${ms(l.maxMs)} ms ` +
        `non-2xx ${l.non2xx} errors ${l.errors} timeouts ${l.timeouts}`,
    );
  };
  log(
    `  ${name}: load average ${result.loadAverageBefore.map((v) => v.toFixed(2)).join(' ')} → ` +
      result.loadAverageAfter.map((v) => v.toFixed(2)).join(' '),
  );
  row('reads', result.reads);
  row('previews', result.previews);
  for (const [endpoint, l] of Object.entries(result.perEndpoint)) row(`  ${endpoint}`, l);
}

async function main(): Promise<void> {
  const databases = args.databases.split(',').filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), 'winnow-load-bench-'));
  const clusters = postgresClusters();
  let cluster: Cluster | undefined;
  const results: Record<string, Awaited<ReturnType<typeof benchDatabase>>> = {};
  let failed = false;
  log(
    `${repositories} repositories x ${tagsPerRepository} tags; reads ${readRate}/s and ` +
      `previews ${previewRate}/s for ${durationSeconds} s per phase`,
  );
  try {
    for (const name of databases) {
      log(`${name}:`);
      let url: string;
      if (name === 'sqlite') url = `file:${join(dir, 'load.db')}`;
      else if (name === 'postgresql') {
        cluster = await clusters.startCluster({ durable: true });
        url = await createDatabase(cluster.url, 'winnow_load');
      } else throw new Error(`unknown database ${name}`);
      const result = await benchDatabase(url);
      results[name] = result;
      print('idle', result.idle);
      print('under a run', result.loaded);
      const ratio = result.loaded.reads.p99Ms / result.idle.reads.p99Ms;
      const errors =
        result.loaded.reads.non2xx + result.loaded.reads.errors + result.loaded.reads.timeouts;
      log(
        `  reads p99 under a run / idle: ${ratio.toFixed(2)}; run in progress throughout: ` +
          `${result.run.runInProgressThroughout ? 'yes' : 'NO'}; target (no errors, reads p99 ≤ ` +
          `${TARGET_READ_P99_MS} ms at ${readRate}/s): ` +
          (errors === 0 && result.loaded.reads.p99Ms <= TARGET_READ_P99_MS ? 'met' : 'MISSED'),
      );
      if (!result.run.runInProgressThroughout) failed = true;
    }
  } finally {
    if (cluster) clusters.stopCluster(cluster);
    rmSync(dir, { recursive: true, force: true });
  }
  writeReport(
    args.out,
    {
      date: new Date().toISOString(),
      machine: machineFacts(['cpus', 'cpu', 'memoryMiB', 'node']),
      workload: {
        repositories,
        tagsPerRepository,
        durationSeconds,
        readRate,
        previewRate,
        connections,
      },
      target: { readP99Ms: TARGET_READ_P99_MS },
      databases: results,
    },
    { finalNewline: false },
  );
  log(`written to ${args.out}`);
  if (failed) throw new Error('the run was not in progress during the whole loaded phase');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
