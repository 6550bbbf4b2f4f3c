/**
 * Sync and apply against a real registry (CNCF distribution on loopback): Winnow's
 * `syncRegistry` of 10,000 tags (first, then again with nothing new) and
 * `applyRegistryDeletions` of 5,000 expired tags (250 digests), each against a raw client
 * doing the same HEADs, GETs and DELETEs with the same request cap (`raw-registry-client.ts`),
 * on the same registry in the same process, in alternating order round by round. Winnow runs
 * in this process on SQLite, as the worker calls it (`registry-winnow.ts`).
 * Not a test: it prints figures, and fails only when a side did not do what it should.
 *
 *   node bench/dist/registry.bench.js [--rounds 3] [--repositories 25] [--images 20]
 *        [--tags-per-image 20] [--batch 100] [--phases syncFirst,syncAgain,apply] [--warmup] [--out FILE]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RegistryRecord } from '@winnow/db';
import { DistributionClient } from '@winnow/registry';
import { startRegistry } from '@winnow/registry/testing';
import { clientOptions } from '@winnow/server/dist/registries/check';
import type { RegistrySource } from '@winnow/server/dist/registries/source';
import { median } from './measure';
import { rawApply, rawSync } from './raw-registry-client';
import { machineFacts, writeReport } from './report';
import { countTags, type Fixture, pushFixture, repushDoomed } from './registry-fixture';
import {
  type Breakdown,
  copyDatabase,
  expireDoomed,
  Meter,
  metered,
  prepareDatabase,
  winnowApply,
  winnowSync,
} from './registry-winnow';

const TARGET_RATIO = 0.8;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    // 500 digests: SQLite's 999 bind values bound the manifests a sync's batch of 20
    // repositories and an apply's batch of 100 may hold (docs/benchmarks.md).
    repositories: { type: 'string', default: '25' },
    images: { type: 'string', default: '20' },
    'tags-per-image': { type: 'string', default: '20' },
    batch: { type: 'string', default: '100' },
    phases: { type: 'string', default: 'syncFirst,syncAgain,apply' },
    warmup: { type: 'boolean', default: false },
    out: { type: 'string', default: resolve(__dirname, '../results/registry-latest.json') },
  },
});
const rounds = Number(args.rounds);
const phases = new Set(args.phases.split(','));

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

type Phase = 'syncFirst' | 'syncAgain' | 'apply';
interface Sample {
  readonly round: number;
  readonly winnowMs: number;
  readonly rawMs: number;
  readonly winnowFirst: boolean;
  readonly winnow: Breakdown;
  readonly raw: Breakdown;
  readonly loadavg1: number;
}

function check(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what}: ${actual}, expected ${expected}`);
}

async function rawTimed(
  registry: RegistryRecord,
  work: (client: RegistrySource) => Promise<unknown>,
): Promise<{ ms: number; breakdown: Breakdown }> {
  const meter = new Meter();
  const client = new DistributionClient(clientOptions(registry, undefined));
  const source = metered(client, meter);
  const start = performance.now();
  await work(source);
  const ms = performance.now() - start;
  return {
    ms,
    breakdown: {
      registryBusyMs: meter.busyMs,
      meanOutstanding: meter.callMs / ms,
      requests: meter.calls,
      databaseMs: 0,
    },
  };
}

async function main(): Promise<void> {
  const shape = {
    repositories: Number(args.repositories),
    images: Number(args.images),
    tagsPerImage: Number(args['tags-per-image']),
  };
  const dir = mkdtempSync(join(tmpdir(), 'winnow-registry-bench-'));
  const registryServer = await startRegistry();
  const samples: Record<Phase, Sample[]> = { syncFirst: [], syncAgain: [], apply: [] };
  try {
    const pusher = new DistributionClient({ url: registryServer.url, concurrency: 16 });
    const start = performance.now();
    const fixture = await pushFixture(pusher, shape);
    const digests = fixture.images.length;
    const doomed = fixture.images.filter((i) => i.doomed);
    const doomedTags = doomed.reduce((n, i) => n + i.tags.length, 0);
    log(
      `pushed ${fixture.tags} tags (${digests} digests) in ${((performance.now() - start) / 1000).toFixed(1)} s; ` +
        `the apply deletes ${doomed.length} digests, ${doomedTags} tags`,
    );
    check('tags in the registry', await countTags(pusher, fixture), fixture.tags);

    const base = join(dir, 'base.db');
    const work = join(dir, 'work.db');
    const expired = join(dir, 'expired.db');
    const registry = await prepareDatabase(base, registryServer.url);
    if (!phases.has('syncFirst')) {
      // The apply needs a synced database: one first sync, not timed.
      copyDatabase(base, work);
      await winnowSync(work, registry);
    }
    if (args.warmup) {
      // The first apply measured over the freshly pushed registry was the slowest of its run
      // twice (docs/benchmarks.md): one raw pass first, not timed, so that no side gets it.
      await rawApply(pusher, fixture);
      await repushDoomed(pusher, fixture);
      log('warm-up: one raw apply and re-push, not timed');
    }

    for (let round = 0; round < rounds; round += 1) {
      const winnowFirst = round % 2 === 0;
      const pair = async (
        phase: Phase,
        winnow: () => Promise<{ ms: number; breakdown: Breakdown }>,
        raw: () => Promise<{ ms: number; breakdown: Breakdown }>,
      ): Promise<void> => {
        if (!phases.has(phase)) return;
        const a = winnowFirst ? await winnow() : await raw();
        const b = winnowFirst ? await raw() : await winnow();
        const [w, r] = winnowFirst ? [a, b] : [b, a];
        samples[phase].push({
          round,
          winnowMs: w.ms,
          rawMs: r.ms,
          winnowFirst,
          winnow: w.breakdown,
          raw: r.breakdown,
          loadavg1: loadavg()[0] ?? Number.NaN,
        });
        log(
          `round ${round} ${phase}: winnow ${w.ms.toFixed(0)} ms, raw ${r.ms.toFixed(0)} ms, ` +
            `ratio ${(r.ms / w.ms).toFixed(2)}; winnow: ${w.breakdown.meanOutstanding.toFixed(1)} ` +
            `requests outstanding on average, database ${w.breakdown.databaseMs.toFixed(0)} ms`,
        );
      };

      await pair(
        'syncFirst',
        async () => {
          copyDatabase(base, work);
          const { ms, result, breakdown } = await winnowSync(work, registry);
          check('synced tags', result.progress.tags, fixture.tags);
          check('manifests fetched', result.progress.manifestsFetched, digests);
          return { ms, breakdown };
        },
        () => rawTimed(registry, (client) => rawSync(client, fixture, true)),
      );
      await pair(
        'syncAgain',
        async () => {
          const { ms, result, breakdown } = await winnowSync(work, registry);
          check('synced tags', result.progress.tags, fixture.tags);
          check('manifests fetched', result.progress.manifestsFetched, 0);
          return { ms, breakdown };
        },
        () => rawTimed(registry, (client) => rawSync(client, fixture, false)),
      );
      copyDatabase(work, expired);
      check('tags expired', await expireDoomed(expired, fixture.doomedBelow), doomedTags);
      await pair(
        'apply',
        async () => {
          const { ms, result, breakdown } = await winnowApply(
            expired,
            registry,
            Number(args.batch),
          );
          check('digests deleted', result.deleted, doomed.length);
          check('tags purged', result.purgedTags, doomedTags);
          check('tags left', await countTags(pusher, fixture), fixture.tags - doomedTags);
          await repushDoomed(pusher, fixture);
          return { ms, breakdown };
        },
        async () => {
          const timed = await rawTimed(registry, (client) => rawApply(client, fixture));
          check('tags left', await countTags(pusher, fixture), fixture.tags - doomedTags);
          await repushDoomed(pusher, fixture);
          return timed;
        },
      );
    }
    report(fixture, samples);
  } finally {
    await registryServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function summary(values: readonly number[]): { median: number; min: number; max: number } {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

function report(fixture: Fixture, samples: Record<Phase, Sample[]>): void {
  const results = Object.entries(samples)
    .filter(([, list]) => list.length > 0)
    .map(([phase, list]) => ({
      phase,
      winnowMs: summary(list.map((s) => s.winnowMs)),
      rawMs: summary(list.map((s) => s.rawMs)),
      /** Raw time / Winnow time in the same round: ≥ 1 would be Winnow as fast as the raw client. */
      ratio: summary(list.map((s) => s.rawMs / s.winnowMs)),
      winnowMeanOutstanding: median(list.map((s) => s.winnow.meanOutstanding)),
      winnowDatabaseMs: median(list.map((s) => s.winnow.databaseMs)),
      winnowRegistryBusyMs: median(list.map((s) => s.winnow.registryBusyMs)),
      rawMeanOutstanding: median(list.map((s) => s.raw.meanOutstanding)),
      samples: list,
    }));
  for (const p of results) {
    log(
      `${p.phase}: winnow median ${p.winnowMs.median.toFixed(0)} ms ` +
        `(${p.winnowMs.min.toFixed(0)}–${p.winnowMs.max.toFixed(0)}), raw median ` +
        `${p.rawMs.median.toFixed(0)} ms (${p.rawMs.min.toFixed(0)}–${p.rawMs.max.toFixed(0)}), ` +
        `ratio median ${p.ratio.median.toFixed(2)} (${p.ratio.min.toFixed(2)}–${p.ratio.max.toFixed(2)}): ` +
        `target ≥ ${TARGET_RATIO} ${p.ratio.median >= TARGET_RATIO ? 'met' : 'MISSED'}`,
    );
  }
  writeReport(args.out, {
    date: new Date().toISOString(),
    machine: machineFacts(['cpus', 'cpu', 'memoryMiB']),
    workload: { ...fixture.shape, tags: fixture.tags, rounds, batch: Number(args.batch) },
    targetRatio: TARGET_RATIO,
    phases: results,
  });
  log(`written to ${args.out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
