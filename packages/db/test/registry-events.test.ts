import type { Database, InventoryChange, RegistryEventInput } from '../src';
import { providers } from './support/databases';
import { digest, expireTags, repository } from './support/runs';
import { useDatabase } from './support/use-database';

const ref = { namespace: 'acme', name: 'web' };
const T = (minute: number) => new Date(Date.UTC(2026, 5, 1, 12, minute));

let ids = 0;
const event = (at: Date, change: InventoryChange | null, action?: string): RegistryEventInput => ({
  id: `event-${++ids}`,
  action: action ?? change?.kind ?? 'push',
  at,
  change,
});
const push = (at: Date, n: number, tag?: string) =>
  event(at, {
    kind: 'push',
    repository: ref,
    digest: digest(n),
    ...(tag !== undefined && { tag }),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    sizeBytes: 100 + n,
  });
const pull = (at: Date, n: number, tag?: string) =>
  event(at, {
    kind: 'pull',
    repository: ref,
    digest: digest(n),
    ...(tag !== undefined && { tag }),
  });

/** Applies the events in one transaction, as the server does; the outcomes in order. */
const apply = (db: Database, events: RegistryEventInput[]) =>
  db.transaction(async (stores) =>
    (await stores.registryEvents.apply(events, new Date())).map((r) => r.outcome),
  );
const snapshot = async (db: Database) => db.repositories.get(ref);

describe.each(providers)('registry events on %s', (provider) => {
  const db = useDatabase(provider);
  beforeEach(async () => {
    await db().namespaces.create({ name: 'acme', kind: 'normal', settings: {} });
  });

  it('push: creates the repository, the manifest and the tag; moves it; a by-digest push adds the manifest only', async () => {
    expect(await apply(db(), [push(T(1), 1, 'v1'), push(T(2), 2)])).toEqual(['applied', 'applied']);
    expect(await snapshot(db())).toMatchObject({
      tags: [{ name: 'v1', digest: digest(1), pushedAt: T(1).toISOString() }],
      manifests: [
        { digest: digest(1), sizeBytes: 101, pushedAt: T(1).toISOString() },
        { digest: digest(2), sizeBytes: 102, pushedAt: T(2).toISOString() },
      ],
    });
    // The same digest again: nothing moves; then the tag moves to digest 2.
    await apply(db(), [push(T(3), 1, 'v1')]);
    expect((await snapshot(db()))?.tags[0]?.pushedAt).toBe(T(1).toISOString());
    await apply(db(), [push(T(4), 2, 'v1')]);
    expect((await snapshot(db()))?.tags).toEqual([
      expect.objectContaining({ name: 'v1', digest: digest(2), pushedAt: T(4).toISOString() }),
    ]);
    // Delivered late (registries do not promise order): the later push stands.
    expect(await apply(db(), [push(T(3), 3, 'v1')])).toEqual(['ignored']);
    expect((await snapshot(db()))?.tags[0]?.digest).toBe(digest(2));
  });

  it('push: a tag a run expired is live again, pushed at the event', async () => {
    await db().inventory.importRepositories([repository('acme/web', { v1: 1, v2: 2 })]);
    await expireTags(db(), 'acme/web', { v1: 1, v2: 2 });
    expect(await apply(db(), [push(T(5), 1, 'v1'), push(T(6), 3, 'v2')])).toEqual([
      'applied',
      'applied',
    ]);
    expect((await snapshot(db()))?.tags).toMatchObject([
      { name: 'v1', digest: digest(1), pushedAt: T(5).toISOString() },
      { name: 'v2', digest: digest(3), pushedAt: T(6).toISOString() },
    ]);
    expect(await db().tags.listExpired(ref)).toEqual([]);
  });

  it('pull: by tag keeps the latest time; by digest reaches every live tag of the digest', async () => {
    await apply(db(), [push(T(0), 1, 'a'), push(T(0), 1, 'b'), push(T(0), 2, 'c')]);
    expect(await apply(db(), [pull(T(9), 1, 'a'), pull(T(5), 1, 'a')])).toEqual([
      'applied',
      'applied',
    ]);
    const pulled = async () =>
      Object.fromEntries(
        ((await snapshot(db()))?.tags ?? []).map((t) => [t.name, t.lastPulledAt ?? null]),
      );
    expect(await pulled()).toEqual({ a: T(9).toISOString(), b: null, c: null });
    await apply(db(), [pull(T(7), 1)]);
    expect(await pulled()).toEqual({ a: T(9).toISOString(), b: T(7).toISOString(), c: null });
    // A tag on another digest, an unknown tag or repository: nothing to do.
    expect(
      await apply(db(), [
        pull(T(8), 1, 'c'),
        pull(T(8), 1, 'zz'),
        event(T(8), {
          kind: 'pull',
          repository: { namespace: 'acme', name: 'x' },
          digest: digest(1),
        }),
      ]),
    ).toEqual(['ignored', 'ignored', 'ignored']);
  });

  it('delete: by digest removes its tags (expired ones too) and the manifest; by tag the tag', async () => {
    await apply(db(), [
      push(T(0), 1, 'a'),
      push(T(0), 1, 'b'),
      push(T(0), 2, 'c'),
      push(T(0), 2, 'd'),
    ]);
    await expireTags(db(), 'acme/web', { b: 1 });
    const results = await db().transaction((stores) =>
      stores.registryEvents.apply(
        [
          event(T(1), { kind: 'delete', repository: ref, digest: digest(1) }),
          event(T(1), { kind: 'delete', repository: ref, tag: 'a' }),
          event(T(1), { kind: 'delete', repository: ref, tag: 'd' }),
          event(T(1), { kind: 'delete', repository: ref, digest: digest(9) }),
        ],
        new Date(),
      ),
    );
    expect(results.map(({ outcome, deleted }) => ({ outcome, deleted }))).toEqual([
      { outcome: 'applied', deleted: { tags: ['a', 'b'], manifest: true } },
      { outcome: 'ignored', deleted: undefined },
      { outcome: 'applied', deleted: { tags: ['d'], manifest: false } },
      { outcome: 'ignored', deleted: undefined },
    ]);
    expect(await snapshot(db())).toMatchObject({
      tags: [{ name: 'c' }],
      manifests: [{ digest: digest(2) }],
    });
    expect(await db().tags.listExpired(ref)).toEqual([]);
    // A delete delivered after a later push of the same tag leaves the tag.
    await apply(db(), [push(T(5), 2, 'e')]);
    expect(await apply(db(), [event(T(4), { kind: 'delete', repository: ref, tag: 'e' })])).toEqual(
      ['ignored'],
    );
  });

  it('applies each id once, and ignores unknown namespaces and blobs', async () => {
    const first = push(T(1), 1, 'v1');
    const other = event(T(1), {
      ...(first.change as InventoryChange),
      repository: { namespace: 'nobody', name: 'web' },
    });
    const blob = event(T(1), null, 'pull');
    expect(await apply(db(), [first, first, other, blob])).toEqual([
      'applied',
      'duplicate',
      'ignored',
      'ignored',
    ]);
    expect(await apply(db(), [first, other, blob])).toEqual(['duplicate', 'duplicate', 'ignored']);
    expect(await db().namespaces.get('nobody')).toBeNull();
  });

  it('applies nothing of a transaction that fails', async () => {
    await expect(
      db().transaction(async (stores) => {
        await stores.registryEvents.apply([push(T(1), 1, 'v1')], new Date());
        throw new Error('later in the envelope');
      }),
    ).rejects.toThrow('later in the envelope');
    expect(await snapshot(db())).toBeNull();
  });
});
