/**
 * Latency of `POST /api/v1/preview` for one 10,000-tag repository, through the real server over
 * loopback HTTP, on SQLite and on PostgreSQL, against the engine evaluating the same repository
 * in this process (the baseline). Not a test: it prints figures, and fails only when a preview
 * disagrees with the engine.
 *
 *   node bench/dist/preview.bench.js [--calls N] [--warm-up N] [--limit N]
 *        [--databases sqlite,postgresql] [--profile DIR] [--seed N] [--out FILE]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  type CompiledPolicies,
  evaluateInventory,
  type Inventory,
  type InventoryRepository,
  loadPolicyTexts,
  type Scope,
} from '@winnow/engine';
import { NOW } from './chain';
import { generateInventory } from './generate';
import { percentile } from './measure';
import { chainPolicies, compileChain, type PolicyFile, repositoryPolicy } from './policies';
import { machineFacts } from './report';
import { type Latency, type PreviewResult, formatPreview, writePreview } from './preview-report';
import { type Cluster, postgresClusters, type Server, startServer, stopServer } from './server';

const TARGET_P99_MS = 150;
const BIG_TAGS = 10_000;

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '100' },
    'warm-up': { type: 'string', default: '20' },
    limit: { type: 'string', default: '1000' },
    databases: { type: 'string', default: 'sqlite,postgresql' },
    profile: { type: 'string' },
    seed: { type: 'string', default: '20260601' },
    out: { type: 'string', default: resolve(__dirname, '../results/preview-latest.json') },
  },
});
const calls = Number(args.calls);
const warmUp = Number(args['warm-up']);
const limit = Number(args.limit);
const seed = Number(args.seed);

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** About 100 repositories of 100 tags, and one of 10,000 tags in the first namespace. */
function workload(): { inventory: Inventory; big: InventoryRepository } {
  const small = generateInventory({
    seed,
    namespaces: 10,
    repositoriesPerNamespace: 10,
    tagsPerRepository: 100,
    now: NOW,
  });
  const [generated] = generateInventory({
    seed: seed + 2,
    namespaces: 1,
    repositoriesPerNamespace: 1,
    tagsPerRepository: BIG_TAGS,
    now: NOW,
  }).repositories;
  const namespace = small.repositories[0]?.namespace;
  if (!generated || namespace === undefined) throw new Error('nothing generated');
  // `preview` is none of the generator's words: the path is unique.
  const big = { ...generated, namespace, name: 'preview/big' };
  return { inventory: { ...small, repositories: [...small.repositories, big] }, big };
}

/** The bench's chain at every scope, and a repository policy for the big repository. */
function policyFiles(inventory: Inventory, big: InventoryRepository): PolicyFile[] {
  const { files, coverage } = chainPolicies(inventory, seed + 1);
  return coverage.repositories.has(`${big.namespace}/${big.name}`)
    ? [...files]
    : [...files, { text: repositoryPolicy(big.namespace, big.name), file: 'big.yaml' }];
}

function latency(samples: readonly number[]): Latency {
  return {
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: Math.max(...samples),
    meanMs: samples.reduce((sum, ms) => sum + ms, 0) / samples.length,
  };
}

/** The engine on the repository in memory, with the page the preview must return. */
function baseline(big: InventoryRepository, policies: CompiledPolicies) {
  const inventory: Inventory = { apiVersion: 'winnow/v1', kind: 'Inventory', repositories: [big] };
  const run = () => evaluateInventory(inventory, policies, { now: NOW });
  for (let i = 0; i < warmUp; i++) run();
  const samples: number[] = [];
  let report = run();
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    report = run();
    samples.push(performance.now() - start);
  }
  const expected = JSON.stringify({
    now: report.now,
    summary: report.summary,
    decisions: report.decisions.slice(0, limit),
  });
  return { latency: latency(samples), expected, decisions: report.decisions.length };
}

const scopeUrl = (scope: Scope): string => {
  if (scope.level === 'server') return '/api/v1/policies/server';
  const namespace = `/api/v1/namespaces/${scope.namespace ?? ''}`;
  return scope.level === 'namespace'
    ? `${namespace}/policy`
    : `${namespace}/repositories/${encodeURIComponent(scope.repository ?? '')}/policy`;
};

async function send(server: Server, method: string, path: string, body: string, type: string) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    body,
    headers: { 'content-type': type },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text;
}

/** Imports the inventory and stores every policy (its YAML) through the API; returns the import time. */
async function load(server: Server, inventory: Inventory, files: readonly PolicyFile[]) {
  const start = performance.now();
  const body = JSON.stringify(inventory);
  await send(server, 'POST', '/api/v1/inventory/import', body, 'application/json');
  const importMs = performance.now() - start;
  const texts = new Map(files.map((f) => [f.file, f.text]));
  for (const { policy, file } of loadPolicyTexts(files)) {
    const text = texts.get(file ?? '') ?? '';
    await send(server, 'PUT', scopeUrl(policy.scope), text, 'application/yaml');
  }
  return importMs;
}

/** Warm-up calls, then timed ones; every answer must be the engine's page. */
async function measure(server: Server, big: InventoryRepository, expected: string) {
  const body = JSON.stringify({
    now: NOW.toISOString(),
    scope: { level: 'repository', namespace: big.namespace, repository: big.name },
    limit,
  });
  const call = async (): Promise<string> =>
    send(server, 'POST', '/api/v1/preview', body, 'application/json');
  const check = (text: string): void => {
    const page = JSON.parse(text) as Record<string, unknown>;
    delete page.nextCursor;
    if (JSON.stringify(page) !== expected) throw new Error('the preview differs from the engine');
  };
  for (let i = 0; i < warmUp; i++) check(await call());
  const samples: number[] = [];
  const answers: string[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    answers.push(await call());
    samples.push(performance.now() - start);
  }
  answers.forEach(check);
  return latency(samples);
}

async function main(): Promise<void> {
  const { inventory, big } = workload();
  const files = policyFiles(inventory, big);
  const tags = inventory.repositories.reduce((sum, r) => sum + r.tags.length, 0);
  log(`${inventory.repositories.length} repositories, ${tags} tags, ${files.length} policies`);
  const engine = baseline(big, compileChain(files));
  log(`engine in memory: p50 ${engine.latency.p50Ms.toFixed(1)} ms`);
  const dir = mkdtempSync(join(tmpdir(), 'winnow-preview-bench-'));
  const clusters = postgresClusters();
  const databases: PreviewResult['databases'] = {};
  let cluster: Cluster | undefined;
  try {
    for (const database of args.databases.split(',').filter(Boolean)) {
      let url: string;
      if (database === 'sqlite') url = `file:${join(dir, 'winnow.db')}`;
      else if (database === 'postgresql') {
        cluster = await clusters.startCluster({ durable: true });
        url = `${cluster.url}/postgres`;
      } else throw new Error(`unknown database ${database}: expected sqlite or postgresql`);
      const profile =
        args.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${args.profile}`];
      const server = await startServer(url, profile);
      try {
        const importMs = await load(server, inventory, files);
        log(`${database}: imported in ${(importMs / 1000).toFixed(1)} s; calling the preview`);
        const preview = await measure(server, big, engine.expected);
        databases[database] = {
          importMs,
          preview,
          ratioP50: preview.p50Ms / engine.latency.p50Ms,
          ratioP99: preview.p99Ms / engine.latency.p99Ms,
          targetMet: preview.p99Ms <= TARGET_P99_MS,
        };
      } finally {
        await stopServer(server);
      }
      if (cluster) {
        clusters.stopCluster(cluster);
        cluster = undefined;
      }
    }
  } finally {
    if (cluster) clusters.stopCluster(cluster);
    rmSync(dir, { recursive: true, force: true });
  }
  const result: PreviewResult = {
    date: new Date().toISOString(),
    machine: machineFacts(['cpus', 'cpuModel', 'totalMemoryGiB', 'node', 'platform']),
    workload: {
      seed,
      repositories: inventory.repositories.length,
      tags,
      policies: files.length,
      previewedTags: big.tags.length,
      previewedDecisions: engine.decisions,
      limit,
      calls,
      warmUp,
    },
    engine: engine.latency,
    databases,
    targetP99Ms: TARGET_P99_MS,
  };
  writePreview(result, args.out);
  console.log(formatPreview(result));
  log(`written to ${args.out}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
