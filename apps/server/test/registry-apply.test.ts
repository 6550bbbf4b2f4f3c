import type { Database } from '@winnow/db';
import { openDatabase } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import { DistributionClient, MediaType } from '@winnow/registry';

import { readConfig } from '../src/config';
import { applyRegistryDeletions } from '../src/registries/apply';
import { newRegistryOf } from '../src/registries/registry-input';
import type { RegistrySource } from '../src/registries/source';
import { syncRegistry } from '../src/registries/sync';
import { buildService, type Service } from '../src/service';
import { providers } from './database';
import {
  pushImage,
  pushIndex,
  pushReferrer,
  pushSignature,
  startRegistry,
  type TestRegistry,
} from '@winnow/registry/testing';

const POLICY = {
  apiVersion: 'winnow/v1',
  kind: 'RetentionPolicy',
  scope: { level: 'server' },
  rules: [
    { name: 'keep-releases', select: { tags: { glob: 'v*' } }, then: 'keep' },
    { name: 'keep-latest', select: { tags: { glob: 'latest' } }, then: 'keep' },
    { name: 'expire-old', select: { tags: { glob: 'old-*' } }, then: 'delete' },
  ],
};

async function tagsOf(client: DistributionClient, path: string): Promise<string[]> {
  const all: string[] = [];
  for await (const tag of client.tags(path)) all.push(tag);
  return all.sort();
}

const dash = (digest: string | undefined): string => (digest ?? '').replace(':', '-');

describe.each(providers)('sync, run and apply on %s, against a real registry', (provider) => {
  let registry: TestRegistry;
  let client: DistributionClient;
  let service: Service;
  let database: Database;
  let drop: () => Promise<void>;
  const d: Record<string, string> = {};
  let registryId = 0;

  beforeAll(async () => {
    registry = await startRegistry();
    client = new DistributionClient({ url: registry.url });
    const created = await migratedDatabase(provider);
    database = openDatabase(created.url);
    service = await buildService({
      config: readConfig({ WINNOW_AUTH: 'off', WINNOW_WORKER_INTERVAL: '50ms' }),
      database,
      logger: false,
    });
    await service.app.ready();
    service.start();
    drop = async () => {
      await service.stop();
      await database.close();
      await created.drop();
    };

    registryId = (
      await database.registries.create(
        newRegistryOf(
          { name: 'local', url: registry.url },
          { now: new Date(), secretKey: undefined },
        ),
      )
    ).id;
    const web = 'acme/web';
    const a = await pushImage(client, web, {
      tag: 'v1',
      label: 'a',
      created: '2026-01-01T00:00:00Z',
    });
    d.a = a.digest;
    // old-3 shares v1's digest: reconcile keeps it, and the digest stays.
    const aBody = (await client.getManifest(web, a.digest))?.body ?? Buffer.alloc(0);
    await client.putManifest(web, 'old-3', MediaType.ociManifest, aBody);
    await pushSignature(client, web, a.digest);
    await pushReferrer(client, web, a, 'application/vnd.example.sbom');
    // Two expired tags on one digest.
    const b = await pushImage(client, web, {
      tag: 'old-1',
      label: 'b',
      created: '2026-01-02T00:00:00Z',
    });
    d.b = b.digest;
    const bBody = (await client.getManifest(web, b.digest))?.body ?? Buffer.alloc(0);
    await client.putManifest(web, 'old-1b', MediaType.ociManifest, bBody);
    // An expired image with a signature and a referrer: they go with it.
    const c = await pushImage(client, web, {
      tag: 'old-2',
      label: 'c',
      created: '2026-01-03T00:00:00Z',
    });
    d.c = c.digest;
    d.cSig = await pushSignature(client, web, c.digest);
    const cReferrer = await pushReferrer(client, web, c, 'application/vnd.example.sbom');
    d.cReferrer = cReferrer.referrer;
    d.cReferrerIndex = cReferrer.index;
    // An expired image that gets a new tag after the run: the fresh HEAD sees it, it stays.
    const e = await pushImage(client, web, {
      tag: 'old-4',
      label: 'e',
      created: '2026-01-04T00:00:00Z',
    });
    d.e = e.digest;

    const multi = 'acme/multi';
    const amd1 = await pushImage(client, multi, { label: 'amd1', created: '2026-02-01T00:00:00Z' });
    const arm1 = await pushImage(client, multi, {
      label: 'arm1',
      architecture: 'arm64',
      created: '2026-02-01T00:00:00Z',
    });
    const arm2 = await pushImage(client, multi, {
      label: 'arm2',
      architecture: 'arm64',
      created: '2026-02-02T00:00:00Z',
    });
    d.amd1 = amd1.digest;
    d.arm1 = arm1.digest;
    d.arm2 = arm2.digest;
    d.kept = await pushIndex(client, multi, 'latest', [
      { ...amd1, architecture: 'amd64' },
      { ...arm1, architecture: 'arm64' },
    ]);
    // An expired index sharing amd1 with the kept one: amd1 stays, arm2 goes with it.
    d.expired = await pushIndex(client, multi, 'old-index', [
      { ...amd1, architecture: 'amd64' },
      { ...arm2, architecture: 'arm64' },
    ]);
  }, 60_000);

  afterAll(async () => {
    await drop();
    await registry.stop();
  });

  it('deletes in the registry exactly what the run expired, with accessories and orphaned children', async () => {
    const { app } = service;
    // The distribution client is a source as it is.
    const source: RegistrySource = client;
    const now = new Date();
    const synced = await syncRegistry({
      database,
      source,
      target: { namespaces: ['acme'], concurrency: 2 },
      now,
    });
    expect(synced.errors).toEqual([]);

    expect(
      (await app.inject({ method: 'PUT', url: '/api/v1/policies/server', payload: POLICY }))
        .statusCode,
    ).toBe(201);
    const triggered = await app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      payload: { scope: { level: 'server' } },
    });
    expect(triggered.statusCode).toBe(202);
    const runId = triggered.json<{ id: number }>().id;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const run = (await app.inject({ method: 'GET', url: `/api/v1/runs/${runId}` })).json<{
        finishedAt: string | null;
        status: string;
      }>();
      if (run.finishedAt !== null) {
        expect(run.status).toBe('succeeded');
        break;
      }
      if (Date.now() > deadline) throw new Error('the run did not finish');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // Soft expiry: nothing is deleted in the registry yet.
    expect(await tagsOf(client, 'acme/web')).toContain('old-1');

    // After the run, someone tags old-4's image `hotfix`.
    const eBody = (await client.getManifest('acme/web', d.e ?? ''))?.body ?? Buffer.alloc(0);
    await client.putManifest('acme/web', 'hotfix', MediaType.ociManifest, eBody);

    // Before the restore window ends, nothing is due.
    const early = await applyRegistryDeletions({
      database,
      source,
      registry: { id: registryId, namespaces: ['acme'], deleteImmediately: false },
      windowMs: 3_600_000,
      now: new Date(),
      batchSize: 10,
      actor: 'test',
    });
    expect(early).toMatchObject({ deleted: 0, skipped: 0, failed: 0, purgedTags: 0 });

    // The registry's sizes of every manifest, before anything is deleted.
    const sizes = new Map<string, number>();
    for (const digest of Object.values(d)) {
      for (const repository of ['acme/web', 'acme/multi']) {
        const head = await client.headManifest(repository, digest);
        if (head !== null) sizes.set(head.digest, head.size);
      }
    }

    // Once it has ended: the registry holds exactly what the run kept.
    const later = new Date(Date.now() + 2 * 3_600_000);
    const applied = await applyRegistryDeletions({
      database,
      source,
      registry: { id: registryId, namespaces: ['acme'], deleteImmediately: false },
      windowMs: 3_600_000,
      now: later,
      batchSize: 1,
      actor: 'test',
    });
    expect(await tagsOf(client, 'acme/web')).toEqual(
      ['hotfix', 'old-3', 'old-4', 'v1', dash(d.a), `${dash(d.a)}.sig`].sort(),
    );
    expect(await tagsOf(client, 'acme/multi')).toEqual(['latest']);
    for (const gone of [d.b, d.c, d.cSig, d.cReferrer, d.cReferrerIndex, d.expired, d.arm2]) {
      expect(await client.headManifest('acme/web', gone ?? '')).toBeNull();
      expect(await client.headManifest('acme/multi', gone ?? '')).toBeNull();
    }
    // The kept index still resolves, with both its children.
    for (const stays of [d.kept, d.amd1, d.arm1]) {
      expect(await client.headManifest('acme/multi', stays ?? '')).not.toBeNull();
    }
    expect(await client.headManifest('acme/web', d.e ?? '')).not.toBeNull();

    // Outcomes, by digest, with the run.
    const outcomes = await database.registryDeletions.list({ runId, limit: 100 });
    const byDigest = new Map(outcomes.map((o) => [o.digest, o]));
    expect(byDigest.get(d.b ?? '')).toMatchObject({
      outcome: 'deleted',
      tags: ['old-1', 'old-1b'],
      repository: 'acme/web',
    });
    expect(byDigest.get(d.e ?? '')).toMatchObject({
      outcome: 'skipped',
      tags: ['old-4'],
      message: 'tag hotfix points at it and is not expired',
    });
    expect(byDigest.get(d.expired ?? '')).toMatchObject({
      outcome: 'deleted',
      tags: ['old-index'],
    });
    expect(byDigest.get(d.arm2 ?? '')).toMatchObject({ outcome: 'deleted' });
    expect(byDigest.has(d.amd1 ?? '')).toBe(false);
    expect(applied).toMatchObject({ failed: 0, skipped: 1 });
    // Space reclaimed: the synced sizes of exactly the manifests deleted.
    const deletedBytes = outcomes
      .filter((o) => o.outcome === 'deleted')
      .reduce((sum, o) => sum + (sizes.get(o.digest) ?? Number.NaN), 0);
    expect(deletedBytes).toBeGreaterThan(0);
    expect([...applied.reclaimedBytesByNamespace]).toEqual([['acme', deletedBytes]]);
    // The inventory follows: the deleted tags are purged, old-4 too (a sync brings it back live).
    const web = await database.repositories.get({ namespace: 'acme', name: 'web' });
    expect(web?.tags.map((t) => t.name).sort()).toEqual(
      ['old-3', 'v1', dash(d.a), `${dash(d.a)}.sig`].sort(),
    );
    expect(await database.tags.listExpired({ namespace: 'acme', name: 'web' })).toEqual([]);
    // Nothing left to do: a second pass changes nothing.
    expect(
      await applyRegistryDeletions({
        database,
        source,
        registry: { id: registryId, namespaces: ['acme'], deleteImmediately: false },
        windowMs: 3_600_000,
        now: later,
        batchSize: 10,
        actor: 'test',
      }),
    ).toMatchObject({ deleted: 0, absent: 0, skipped: 0, failed: 0, purgedTags: 0 });
  });
});
