/**
 * The engine's throughput on a large generated inventory, against a hand-written plain-loop
 * evaluator of the same chain measured in the same process (the floor). Not a test: it prints
 * figures and ratios, and fails only when the floor and the engine disagree.
 *
 *   node --expose-gc --max-old-space-size=8192 bench/dist/evaluate.bench.js [--repositories N]
 *        [--rounds N] [--seed N] [--out FILE]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type CompiledPolicies,
  evaluateInventory,
  type Inventory,
  inputsInOrder,
  type RepositoryInput,
} from '@winnow/engine';
import { NOW } from './chain';
import { generateInventory } from './generate';
import { median, perSecond, summarize, time } from './measure';
import { collectGarbage, LiveHeapWatermark, heapUsedMiB, peakRssMiB, toMiB } from './memory';
import { plainLoop, type PlainEvaluator } from './plain-loop';
import { chainPolicies, compileChain } from './policies';
import {
  type BenchResult,
  formatResult,
  machineFacts,
  type VariantResult,
  writeResult,
} from './report';
import { runEngineInventory, runEngineStream, runPlain, type VariantName } from './variants';
import { verifyAgreement } from './verify';

const REPOSITORIES_PER_NAMESPACE = 100;
const TAGS_PER_REPOSITORY = 100;
const VERIFY_REPOSITORIES = 200;
const WARM_UP_REPOSITORIES = 1000;
const WARM_UP_RUNS = 3;
const PROBE_EVERY = 1000;
const TARGET_DECISIONS_PER_SECOND = 1_000_000;
const TARGET_RATIO_TO_PLAIN = 0.5;

const { values: args } = parseArgs({
  options: {
    repositories: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '20260601' },
    out: { type: 'string', default: resolve(__dirname, '../results/latest.json') },
  },
});
const repositoryCount = Number(args.repositories);
const rounds = Number(args.rounds);
const seed = Number(args.seed);

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** One variant over the whole inventory, as a closure returning its decision count. */
type Runner = (inputs: readonly RepositoryInput[], probe?: () => void) => number;

function runners(
  inventory: Inventory,
  policies: CompiledPolicies,
  plain: PlainEvaluator,
): Record<VariantName, Runner> {
  return {
    'plain-loop': (inputs, probe) => runPlain(inputs, plain, probe),
    'engine-stream': (inputs, probe) => runEngineStream(inputs, policies, NOW, probe),
    // evaluateInventory takes an inventory, not inputs; the warm-up gives it a smaller one.
    'engine-inventory': (inputs, probe) =>
      runEngineInventory(
        inputs.length === inventory.repositories.length
          ? inventory
          : { ...inventory, repositories: inputs.map((i) => i.repository) },
        policies,
        NOW,
        probe,
      ),
  };
}

/** Timed runs of several variants, alternating within each round so drift hits all alike. */
function measure(
  names: readonly VariantName[],
  run: Record<VariantName, Runner>,
  inputs: readonly RepositoryInput[],
  expected: number,
): Map<VariantName, number[]> {
  const times = new Map<VariantName, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    // Odd rounds run the variants in reverse, so neither always runs on a freshly collected heap.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      collectGarbage();
      let decisions = 0;
      const ms = time(() => {
        decisions = run[name](inputs);
      });
      if (decisions !== expected) {
        throw new Error(`${name} produced ${decisions} decisions, expected ${expected}`);
      }
      times.get(name)?.push(ms);
      log(`  round ${round + 1} ${name}: ${ms.toFixed(0)} ms`);
    }
  }
  return times;
}

/** Live heap growth while one variant runs over everything (untimed: it collects garbage). */
function liveHeapGrowth(run: Runner, inputs: readonly RepositoryInput[]): number {
  const watermark = new LiveHeapWatermark();
  let seen = 0;
  run(inputs, () => {
    if (++seen % PROBE_EVERY === 0) watermark.sample();
  });
  watermark.sample();
  return watermark.growth;
}

/** Heap still in use, after a collection, while evaluateInventory's report is held. */
function retainedByInventoryReport(inventory: Inventory, policies: CompiledPolicies): number {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const report = evaluateInventory(inventory, policies, { now: NOW });
  collectGarbage();
  const retained = process.memoryUsage().heapUsed - before;
  if (report.decisions.length === 0) throw new Error('evaluateInventory decided nothing');
  return toMiB(retained);
}

function main(): void {
  const gcExposed = collectGarbage();
  if (!gcExposed) log('note: run with --expose-gc for meaningful heap figures');

  log(`generating ${repositoryCount} repositories × ${TAGS_PER_REPOSITORY} tags (seed ${seed})`);
  let inventory: Inventory | undefined;
  const generateMs = time(() => {
    inventory = generateInventory({
      seed,
      namespaces: Math.ceil(repositoryCount / REPOSITORIES_PER_NAMESPACE),
      repositoriesPerNamespace: Math.min(repositoryCount, REPOSITORIES_PER_NAMESPACE),
      tagsPerRepository: TAGS_PER_REPOSITORY,
      now: NOW,
    });
  });
  if (!inventory) throw new Error('no inventory generated');
  collectGarbage();
  const heapAfterGeneration = heapUsedMiB();
  const rssAfterGeneration = peakRssMiB();
  const tags = inventory.repositories.reduce((sum, r) => sum + r.tags.length, 0);

  const { files, coverage } = chainPolicies(inventory, seed + 1);
  let policies: CompiledPolicies | undefined;
  const compileMs = time(() => {
    policies = compileChain(files);
  });
  if (!policies) throw new Error('no policies compiled');
  const inputs = inputsInOrder(inventory);
  const plain = plainLoop(coverage, NOW);
  const run = runners(inventory, policies, plain);

  log(`verifying the plain loop against the engine on ${VERIFY_REPOSITORIES} repositories`);
  const verification = verifyAgreement(inputs.slice(0, VERIFY_REPOSITORIES), policies, plain, NOW);
  log(
    `  agree on ${verification.decisions} decisions; ${verification.identicalRecords} records identical in every field`,
  );

  log('warming up');
  const warmUp = inputs.slice(0, WARM_UP_REPOSITORIES);
  for (let i = 0; i < WARM_UP_RUNS; i++) {
    for (const name of ['plain-loop', 'engine-stream', 'engine-inventory'] as const) {
      run[name](warmUp);
    }
  }

  const rssAfterWarmUp = peakRssMiB();

  log(`measuring ${rounds} rounds over ${tags} tags`);
  const streaming = measure(['plain-loop', 'engine-stream'], run, inputs, tags);
  const rssAfterStreaming = peakRssMiB();
  const retaining = measure(['engine-inventory'], run, inputs, tags);
  const rssAfterInventory = peakRssMiB();

  log('sampling live heap per variant (untimed)');
  const memory = {
    gcExposed,
    heapUsedAfterGeneration: heapAfterGeneration,
    peakRssAfterGeneration: rssAfterGeneration,
    peakRssAfterVerifyAndWarmUp: rssAfterWarmUp,
    peakRssAfterPlainAndStream: rssAfterStreaming,
    peakRssAfterInventory: rssAfterInventory,
    plainLoopLiveHeapGrowth: liveHeapGrowth(run['plain-loop'], inputs),
    engineStreamLiveHeapGrowth: liveHeapGrowth(run['engine-stream'], inputs),
    engineInventoryLiveHeapGrowth: liveHeapGrowth(run['engine-inventory'], inputs),
    engineInventoryReportRetained: retainedByInventoryReport(inventory, policies),
  };

  const timings = new Map([...streaming, ...retaining]);
  const plainRuns = timings.get('plain-loop') ?? [];
  const plainTiming = summarize(plainRuns);
  const perRound = (name: VariantName, runsMs: readonly number[]): number | null =>
    streaming.has(name)
      ? median(runsMs.map((ms, round) => (plainRuns[round] ?? Number.NaN) / ms))
      : null;
  const variants = Object.fromEntries(
    [...timings].map(([name, runsMs]): [VariantName, VariantResult] => {
      const t = summarize(runsMs);
      return [
        name,
        {
          ...t,
          decisions: tags,
          decisionsPerSecondBest: perSecond(tags, t.bestMs),
          decisionsPerSecondMedian: perSecond(tags, t.medianMs),
          ratioToPlainBest: plainTiming.bestMs / t.bestMs,
          ratioToPlainMedian: plainTiming.medianMs / t.medianMs,
          ratioToPlainPerRound: perRound(name, runsMs),
        },
      ];
    }),
  ) as Record<VariantName, VariantResult>;

  const stream = variants['engine-stream'];
  const result: BenchResult = {
    date: new Date().toISOString(),
    machine: machineFacts(['cpus', 'cpuModel', 'totalMemoryGiB', 'node', 'platform', 'flags']),
    workload: {
      seed,
      now: NOW.toISOString(),
      namespaces: coverage.namespaces.size,
      repositories: inventory.repositories.length,
      tags,
      repositoryPolicies: coverage.repositories.size,
      policyFiles: files.length,
      rounds,
    },
    setup: { generateMs, compilePoliciesMs: compileMs },
    verification,
    variants,
    memory,
    targets: {
      decisionsPerSecond: {
        target: TARGET_DECISIONS_PER_SECOND,
        measured: stream.decisionsPerSecondMedian,
        met: stream.decisionsPerSecondMedian >= TARGET_DECISIONS_PER_SECOND,
      },
      ratioToPlain: {
        target: TARGET_RATIO_TO_PLAIN,
        measured: stream.ratioToPlainMedian,
        met: stream.ratioToPlainMedian >= TARGET_RATIO_TO_PLAIN,
      },
    },
  };
  writeResult(result, args.out);
  console.log(formatResult(result));
  log(`written to ${args.out}`);
}

main();
