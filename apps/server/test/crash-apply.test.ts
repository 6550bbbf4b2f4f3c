import { randomInt } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '@winnow/db';
import { migratedDatabase, type TestDatabase } from '@winnow/db/testing';
import { compilePolicies, evaluateInventory, type Inventory } from '@winnow/engine';
import { DistributionClient, MediaType } from '@winnow/registry';
import {
  collect,
  type FaultProxy,
  pushImage,
  pushIndex,
  pushReferrer,
  pushSignature,
  type SeenRequest,
  startFaultProxy,
  startRegistry,
  type TestRegistry,
} from '@winnow/registry/testing';
import { providers } from './database';
import { databaseState, runTasks } from './retention-fixture';
import { finishedRun, type RunJson, type ServerProcess, startServer } from './server-process';
import { seededRandom } from './support/resumable-run';

/**
 * Crash consistency of the registry deletion pass (`src/registries/apply.ts`): a real registry,
 * a connection with `deleteImmediately`, and the real server process SIGKILLed at KILLS seeded
 * points while the worker deletes in the registry, restarted on the same database each time.
 * The end must be that of an uninterrupted control (a copy of the same registry storage, a fresh
 * database, no kill), which must be what the engine decides: the registry holds exactly the kept
 * tags and manifests, no kept digest was ever sent a DELETE, each due digest was deleted once and
 * recorded once. Replay a failure with WINNOW_CRASH_SEED=<the seed in the test's name>.
 */
const SEED = Number(process.env.WINNOW_CRASH_SEED ?? randomInt(2 ** 31));
const KILLS = 8;
/**
 * Some 230 tags and 110 due digests. Measured on a loaded 2-core machine: a pass of a few
 * seconds, a server start of one to five; the test takes 70 to 130 s per database.
 */
const REPOSITORIES = 24;
const IMAGES = 6;
const KEPT_BUILDS = 2;
/** Small batches and a short interval: a restarted worker is back in the pass at once. */
const ENV = { WINNOW_WORKER_BATCH_SIZE: '5', WINNOW_LEASE_DURATION: '2s' };
/** After the last restart, the pass must end within this bound. */
const FINISH_WITHIN_MS = 60_000;
/** A kill point waits at most this long for the pass to send a DELETE. */
const KILL_WAIT_MS = 30_000;

jest.setTimeout(600_000);

/**
 * Keep the 2 newest `build-*` tags and delete the other builds; `old-*` and `multi-old` go.
 * `latest`, `stable` and `multi-latest` are selected by no rule: they stay, and so does any
 * digest they share (reconcile).
 */
const POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    {
      name: 'keep-newest-builds',
      select: { tags: { glob: 'build-*' } },
      match: { newest: KEPT_BUILDS },
      then: 'keep',
      else: 'delete',
    },
    { name: 'expire-old', select: { tags: { glob: 'old-*' } }, then: 'delete' },
    { name: 'expire-old-multi', select: { tags: { glob: 'multi-old' } }, then: 'delete' },
  ],
} as const;

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
const path = (r: number) => `acme/app-${String(r).padStart(2, '0')}`;

/** The manifests of a repository pushed, by what should become of them. */
interface Pushed {
  readonly stays: string[];
  readonly goes: string[];
}

/**
 * Repository `r`: builds 0..5 (one day apart, `build-<i>`), `latest` on the newest; build 0 also
 * tagged `old-0` (two due tags on one digest); where `r % 3 === 0` build 1 also tagged `stable`
 * (kept by reconcile); where `r % 4 === 0` cosign signatures of builds 0 (goes) and 5 (stays);
 * where `r % 5 === 0` two indexes sharing a child, `multi-latest` (stays, with both children)
 * and `multi-old` (goes, with the child only it lists); where `r % 6 === 0` an OCI referrer of
 * build 2 and its `sha256-<hex>` fallback index (go with it).
 */
async function pushRepository(client: DistributionClient, r: number): Promise<Pushed> {
  const name = path(r);
  const pushed: Pushed = { stays: [], goes: [] };
  const builds: { digest: string; size: number; manifest: Buffer }[] = [];
  for (let i = 0; i < IMAGES; i += 1) {
    const image = await pushImage(client, name, {
      tag: `build-${i}`,
      label: `${name} ${i}`,
      created: day(i),
    });
    builds.push(image);
    const kept = i >= IMAGES - KEPT_BUILDS || (i === 1 && r % 3 === 0);
    (kept ? pushed.stays : pushed.goes).push(image.digest);
  }
  const alias = async (tag: string, i: number) => {
    const image = builds[i];
    if (image === undefined) throw new Error(`no build ${i}`);
    await client.putManifest(name, tag, MediaType.ociManifest, image.manifest);
  };
  await alias('latest', IMAGES - 1);
  await alias('old-0', 0);
  if (r % 3 === 0) await alias('stable', 1);
  if (r % 4 === 0) {
    pushed.goes.push(await pushSignature(client, name, builds[0]?.digest ?? ''));
    pushed.stays.push(await pushSignature(client, name, builds[IMAGES - 1]?.digest ?? ''));
  }
  if (r % 5 === 0) {
    const platform = (label: string, architecture: string) =>
      pushImage(client, name, { label: `${name} ${label}`, architecture, created: day(3) });
    const amd = { ...(await platform('amd', 'amd64')), architecture: 'amd64' };
    const armOld = { ...(await platform('arm old', 'arm64')), architecture: 'arm64' };
    const armNew = { ...(await platform('arm new', 'arm64')), architecture: 'arm64' };
    pushed.stays.push(amd.digest, armNew.digest);
    pushed.stays.push(await pushIndex(client, name, 'multi-latest', [amd, armNew]));
    pushed.goes.push(armOld.digest, await pushIndex(client, name, 'multi-old', [amd, armOld]));
  }
  if (r % 6 === 0) {
    const subject = builds[2];
    if (subject === undefined) throw new Error('no build 2');
    const { referrer, index } = await pushReferrer(client, name, subject, 'application/x.sbom');
    pushed.goes.push(referrer, index);
  }
  return pushed;
}

/** Per repository, each tag's digest: what the registry serves. */
type RegistryState = Map<string, Map<string, string>>;

async function registryState(client: DistributionClient): Promise<RegistryState> {
  const state: RegistryState = new Map();
  for (const repository of (await collect(client.repositories())).sort()) {
    const tags = new Map<string, string>();
    for (const tag of (await collect(client.tags(repository))).sort()) {
      const head = await client.headManifest(repository, tag);
      if (head !== null) tags.set(tag, head.digest);
    }
    state.set(repository, tags);
  }
  return state;
}

/** The `repository@digest` of every pushed manifest the registry still resolves. */
async function resolvable(
  client: DistributionClient,
  pushed: ReadonlyMap<string, Pushed>,
): Promise<string[]> {
  const found: string[] = [];
  for (const [repository, { stays, goes }] of pushed) {
    for (const digest of [...stays, ...goes]) {
      if ((await client.headManifest(repository, digest)) !== null) {
        found.push(`${repository}@${digest}`);
      }
    }
  }
  return found.sort();
}

/** `repository@digest` of a manifest DELETE the proxy saw. */
const deleted = (request: SeenRequest): string =>
  request.path.replace(/^\/v2\/(.+)\/manifests\/(.+)$/, '$1@$2');
const deletes = (proxy: FaultProxy): SeenRequest[] =>
  proxy.requests.filter((r) => r.method === 'DELETE');

interface DeletionJson {
  readonly repository: string;
  readonly digest: string;
  readonly tags: string[];
  readonly outcome: string;
  readonly message: string | null;
}

async function deletionRecords(server: ServerProcess, runId: number): Promise<DeletionJson[]> {
  const all: DeletionJson[] = [];
  let next: string | null = `/api/v1/runs/${runId}/registry-deletions?limit=1000`;
  while (next !== null) {
    const page: { deletions: DeletionJson[]; next?: string | null } = await server.request(
      'GET',
      next,
    );
    all.push(...page.deletions);
    next = page.next ?? null;
  }
  return all;
}

/** Nothing left due in the registry: every expired tag of the run was purged. */
async function nothingDue(database: Database): Promise<boolean> {
  const due = await database.registryDeletions.dueRepositories({
    namespaces: ['acme'],
    // Far ahead, yet a year SQLite's text dates still compare right.
    cutoff: new Date(Date.now() + 365 * 24 * 3_600_000),
    limit: 1,
  });
  return due.length === 0;
}

/**
 * Connects the registry (through `proxyUrl`) with `deleteImmediately`, syncs it, exports what
 * the sync read (the engine's input), puts the policy and starts the run; returns the run's id
 * and the inventory.
 */
async function setUp(
  server: ServerProcess,
  database: Database,
  proxyUrl: string,
): Promise<{ runId: number; inventory: Inventory }> {
  await server.request('POST', '/api/v1/namespaces', { name: 'acme' });
  await server.request('POST', '/api/v1/registries', {
    name: 'local',
    url: proxyUrl,
    namespaces: ['acme'],
    deleteImmediately: true,
  });
  const sync = await server.request<{ id: number }>('POST', '/api/v1/registries/local/syncs');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const state = await server.request<{ status: string }>(
      'GET',
      `/api/v1/registries/local/syncs/${sync.id}`,
    );
    if (state.status === 'succeeded') break;
    if (state.status !== 'queued' && state.status !== 'running') {
      throw new Error(`sync ${JSON.stringify(state)}`);
    }
    if (Date.now() > deadline) throw new Error('the sync did not end');
    await pause(100);
  }
  const repositories = [];
  for await (const repository of database.inventory.exportRepositories()) {
    repositories.push(repository);
  }
  const inventory: Inventory = { apiVersion: 'winnow/v1', kind: 'Inventory', repositories };
  await server.request('PUT', '/api/v1/policies/server', POLICY);
  const run = await server.request<RunJson>('POST', '/api/v1/runs', {
    scope: { level: 'server' },
  });
  return { runId: run.id, inventory };
}

/** Per repository, the tags the engine leaves: all the sync read but those it decides to delete. */
function engineKeeps(inventory: Inventory, now: string): Map<string, string[]> {
  const report = evaluateInventory(inventory, compilePolicies([POLICY]), {
    now: new Date(now),
    maxDeleteRatio: 0.9,
  });
  const doomed = new Set(
    report.decisions
      .filter((d) => d.decision === 'delete' && d.tag !== null)
      .map((d) => `${d.repository}:${d.tag ?? ''}`),
  );
  return new Map(
    inventory.repositories.map((r) => [
      `${r.namespace}/${r.name}`,
      r.tags
        .map((t) => t.name)
        .filter((tag) => !doomed.has(`${r.namespace}/${r.name}:${tag}`))
        .sort(),
    ]),
  );
}

const tagNames = (state: RegistryState): Map<string, string[]> =>
  new Map([...state].map(([repository, tags]) => [repository, [...tags.keys()].sort()]));

describe.each(providers)(
  `SIGKILL at ${KILLS} seeded points of the registry deletion pass (WINNOW_CRASH_SEED=${SEED}) on %s`,
  (provider) => {
    const servers: ServerProcess[] = [];
    const cleanup: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const server of servers) server.child.kill('SIGKILL');
      for (const step of cleanup.reverse()) await step();
    });

    async function server(url: string): Promise<ServerProcess> {
      const started = await startServer(url, ENV);
      servers.push(started);
      return started;
    }
    async function database(): Promise<{ test: TestDatabase; store: Database }> {
      const test = await migratedDatabase(provider);
      const store = openDatabase(test.url);
      cleanup.push(async () => {
        await store.close();
        await test.drop();
      });
      return { test, store };
    }
    async function registry(
      dataDir: string,
    ): Promise<{ proxy: FaultProxy; client: DistributionClient }> {
      const started: TestRegistry = await startRegistry({ dataDir });
      // Winnow talks to the registry through a proxy that records every request and its answer.
      const proxy = await startFaultProxy(started.url);
      cleanup.push(async () => {
        await proxy.stop();
        await started.stop();
      });
      return { proxy, client: new DistributionClient({ url: started.url, concurrency: 8 }) };
    }

    it('ends as an uninterrupted pass: exactly the kept tags, no kept digest DELETEd, each due digest deleted and recorded once', async () => {
      // One registry's storage, pushed once, copied for the control: the same digests in both.
      const dirs = mkdtempSync(join(tmpdir(), 'winnow-crash-apply-'));
      cleanup.push(() => {
        rmSync(dirs, { recursive: true, force: true });
        return Promise.resolve();
      });
      const T0 = Date.now(); // for the timings logged at the end
      const crashed = await registry(join(dirs, 'crashed'));
      const pushed = new Map<string, Pushed>();
      await Promise.all(
        Array.from({ length: REPOSITORIES }, async (_, r) => {
          pushed.set(path(r), await pushRepository(crashed.client, r));
        }),
      );
      const pushMs = Date.now() - T0;
      cpSync(join(dirs, 'crashed'), join(dirs, 'control'), { recursive: true });
      const control = await registry(join(dirs, 'control'));

      // The control: one server, no kill.
      const controlDb = await database();
      const reference = await server(controlDb.test.url);
      const controlled = await setUp(reference, controlDb.store, control.proxy.url);
      const controlRun = await finishedRun(reference, controlled.runId);
      expect(controlRun.status).toBe('succeeded');
      const passStarted = Date.now();
      while (!(await nothingDue(controlDb.store))) {
        if (Date.now() - passStarted > FINISH_WITHIN_MS) throw new Error('the control pass');
        await pause(50);
      }
      const passMs = Date.now() - passStarted;
      const controlMs = Date.now() - T0;
      await pause(500); // a few more worker cycles: a second DELETE or record would show
      const controlRecords = await deletionRecords(reference, controlRun.id);
      reference.child.kill('SIGKILL');
      await reference.exited;

      // The control is what the engine decides, and each of its due digests was DELETEd once.
      const controlState = await registryState(control.client);
      const keeps = engineKeeps(controlled.inventory, controlRun.now);
      expect(tagNames(controlState)).toEqual(keeps);
      const controlDeletes = deletes(control.proxy);
      expect(controlDeletes.every((r) => r.status === 202)).toBe(true);
      const due = controlDeletes.map(deleted).sort();
      expect(new Set(due).size).toBe(due.length);
      // By construction: what goes (the due builds, their signature, referrer and the index's
      // child only the expired index lists) and what stays (kept builds and what they share,
      // the kept index with both children, the kept signature).
      const all = (which: keyof Pushed) =>
        [...pushed]
          .flatMap(([repository, digests]) => digests[which].map((d) => `${repository}@${d}`))
          .sort();
      expect(due).toEqual(all('goes'));
      expect(
        controlRecords
          .filter((d) => d.outcome === 'deleted')
          .map((d) => `${d.repository}@${d.digest}`)
          .sort(),
      ).toEqual(due);
      expect(
        controlRecords.filter((d) => d.outcome !== 'deleted' && d.outcome !== 'skipped'),
      ).toEqual([]);
      const controlResolvable = await resolvable(control.client, pushed);
      expect(controlResolvable).toEqual(all('stays'));
      expect(controlRecords.some((d) => d.message?.startsWith('goes with') === true)).toBe(true);

      // The crashed: the same set-up on a fresh database, then kills while the pass deletes.
      const crashedDb = await database();
      const random = seededRandom(SEED);
      const schedule = Array.from({ length: KILLS }, () => ({
        deletes: Math.floor(random() * due.length),
        afterMs: Math.floor(random() * 40),
      })).sort((x, y) => x.deletes - y.deletes);
      const distinctDeleted = () => new Set(deletes(crashed.proxy).map(deleted)).size;
      let runId = 0;
      let inventory: Inventory | undefined;
      const hit: string[] = [];
      for (const point of schedule) {
        const seen = deletes(crashed.proxy).length;
        const victim = await server(crashedDb.test.url);
        if (runId === 0)
          ({ runId, inventory } = await setUp(victim, crashedDb.store, crashed.proxy.url));
        // Kill once this server has sent a DELETE and the pass has reached the point, or (when
        // an earlier kill landed after the pass's last record) once nothing is left to delete.
        const deadline = Date.now() + KILL_WAIT_MS;
        let over = false;
        let polls = 0;
        while (deletes(crashed.proxy).length === seen || distinctDeleted() < point.deletes) {
          if (Date.now() > deadline) {
            throw new Error(
              `no deletion progress after ${hit.length} kills (seed ${SEED}): ${hit.join(' ')}`,
            );
          }
          polls += 1;
          if (polls % 100 === 0 && distinctDeleted() === due.length) {
            over = await nothingDue(crashedDb.store);
            if (over) break;
          }
          await pause(2);
        }
        if (!over) await pause(point.afterMs);
        hit.push(over ? 'after-the-pass' : `${distinctDeleted()}/${due.length}`);
        victim.child.kill('SIGKILL');
        expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
      }
      const where = hit.join(' ');

      const last = await server(crashedDb.test.url);
      const run = await finishedRun(last, runId);
      expect(run.status).toBe('succeeded');
      const resumed = Date.now();
      while (!(await nothingDue(crashedDb.store))) {
        if (Date.now() - resumed > FINISH_WITHIN_MS) {
          throw new Error(`deletions stuck after the kills (seed ${SEED}): ${where}`);
        }
        await pause(50);
      }
      const crashedMs = Date.now() - T0;
      const records = await deletionRecords(last, runId);
      // A few more worker cycles: a second DELETE or record would show.
      await pause(500);
      expect(await deletionRecords(last, runId)).toEqual(records);
      last.child.kill('SIGKILL');
      await last.exited;
      const context = { seed: SEED, where };

      // The registry: exactly the control's tags, digests and manifests, which the engine decides.
      const crashedState = await registryState(crashed.client);
      expect(tagNames(crashedState)).toEqual(engineKeeps(inventory as Inventory, run.now));
      expect({ ...context, state: crashedState }).toEqual({
        ...context,
        state: controlState,
      });
      expect({ ...context, left: await resolvable(crashed.client, pushed) }).toEqual({
        ...context,
        left: controlResolvable,
      });

      // Every DELETE ever sent: only due digests; each answered 202 at most once (a repeat after a
      // kill answers 404), and each due digest reached the registry.
      const sent = deletes(crashed.proxy);
      const kept = sent.map(deleted).filter((d) => !due.includes(d));
      expect({ ...context, keptDigestsDeleted: kept }).toEqual({
        ...context,
        keptDigestsDeleted: [],
      });
      const accepted = new Map<string, number>();
      const cut = new Set<string>();
      for (const request of sent) {
        const target = deleted(request);
        if (request.status === 202) accepted.set(target, (accepted.get(target) ?? 0) + 1);
        else if (request.status === null) cut.add(target);
        else expect({ ...context, target, status: request.status }).toMatchObject({ status: 404 });
      }
      for (const digest of due) {
        const times = accepted.get(digest) ?? 0;
        // 0 only when the one that deleted it lost its answer with its (killed) sender.
        expect({ ...context, digest, accepted: times, cut: cut.has(digest) }).toEqual(
          times === 1
            ? { ...context, digest, accepted: 1, cut: cut.has(digest) }
            : { ...context, digest, accepted: 0, cut: true },
        );
      }

      // The records: one per due digest. `deleted` where this pass's DELETE was accepted;
      // `absent` where a killed pass deleted it before it could record it (the repeat got 404).
      const recorded = records.map((d) => `${d.repository}@${d.digest}`);
      expect(new Set(recorded).size).toBe(recorded.length);
      const outcomes = new Map(records.map((d) => [`${d.repository}@${d.digest}`, d.outcome]));
      for (const digest of due) {
        const outcome = outcomes.get(digest);
        expect({ ...context, digest, outcome }).toEqual({
          ...context,
          digest,
          outcome: expect.stringMatching(/^(deleted|absent)$/) as unknown,
        });
        const requests = sent.filter((r) => deleted(r) === digest);
        if (outcome === 'absent') {
          // The last DELETE got 404: an earlier one, from a killed server, had deleted it.
          expect(requests.at(-1)?.status).toBe(404);
          expect(requests.slice(0, -1).some((r) => r.status === 202 || r.status === null)).toBe(
            true,
          );
        } else {
          expect(requests.at(-1)?.status).toBe(202);
        }
      }
      const skipped = (list: DeletionJson[]) =>
        list
          .filter((d) => d.outcome === 'skipped')
          .map(({ repository, digest, tags, message }) => ({ repository, digest, tags, message }))
          .sort((x, y) =>
            `${x.repository}@${x.digest}`.localeCompare(`${y.repository}@${y.digest}`),
          );
      expect(skipped(records)).toEqual(skipped(controlRecords));
      expect(records.filter((d) => !['deleted', 'absent', 'skipped'].includes(d.outcome))).toEqual(
        [],
      );

      // The database: nothing expired left, the same live tags as the control, no lease held.
      const strip = (state: Awaited<ReturnType<typeof databaseState>>) =>
        new Map([...state].map(([p, { live, expired }]) => [p, { live, expired }]));
      const finalState = strip(await databaseState(crashedDb.test.url));
      expect(finalState).toEqual(strip(await databaseState(controlDb.test.url)));
      expect([...finalState.values()].flatMap((s) => s.expired)).toEqual([]);
      for (const task of await runTasks(crashedDb.test.url, runId)) {
        expect(task).toMatchObject({ status: 'done', leaseExpiresAt: null });
      }

      // The kills fell where it matters: between a DELETE the registry applied and its record.
      const absent = records.filter((d) => d.outcome === 'absent').length;
      expect({ ...context, absent: absent > 0 }).toEqual({ ...context, absent: true });
      console.log(
        `crash-apply on ${provider} (seed ${SEED}, pushed by ${pushMs} ms, control done by ${controlMs} ms with a pass of ${passMs} ms, crashed done by ${crashedMs} ms; ${due.length} due, ${sent.length} DELETEs sent, ${absent} recorded absent): ${where}`,
      );
    });
  },
);
