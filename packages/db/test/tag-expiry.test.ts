import { DbErrorCode } from '../src';
import { collect } from './fixtures';
import { providers } from './support/databases';
import { DAY, digest, expireTags, repository, testClock } from './support/runs';
import { useDatabase } from './support/use-database';

const ref = { namespace: 'acme', name: 'web' };
const WINDOW = 14 * DAY;
const START = '2026-06-01T12:00:00.000Z';

describe.each(providers)('expired tags on %s', (provider) => {
  const clock = testClock(START);
  const db = useDatabase(provider, { clock });
  beforeEach(async () => {
    clock.set(START);
    await db().inventory.importRepositories([repository('acme/web', { a: 1, b: 2, c: 3 })]);
  });
  const liveNames = async () => ((await db().repositories.get(ref))?.tags ?? []).map((t) => t.name);

  it('are not part of the live inventory: get, snapshot, export, delete, immutable', async () => {
    await expireTags(db(), 'acme/web', { a: 1 });
    expect(await db().tags.get(ref, 'a')).toBeNull();
    expect(await liveNames()).toEqual(['b', 'c']);
    const exported = await collect(db().inventory.exportRepositories());
    expect(exported[0]?.tags.map((t) => t.name)).toEqual(['b', 'c']);
    await expect(db().tags.delete(ref, 'a')).rejects.toMatchObject({ code: DbErrorCode.notFound });
    await expect(db().tags.setImmutable(ref, 'a', true)).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
    expect((await db().tags.listExpired(ref)).map((e) => e.tag.name)).toEqual(['a']);
  });

  it('are restored within the window, not after it', async () => {
    const runId = await expireTags(db(), 'acme/web', { a: 1, b: 2 });
    clock.advance(WINDOW - 1);
    expect(await db().tags.restore(ref, 'a', { windowMs: WINDOW })).toEqual({
      repository: ref,
      tag: { name: 'a', digest: digest(1), immutable: false, labels: [] },
      expiredAt: new Date(START),
      runId,
    });
    expect(await liveNames()).toEqual(['a', 'c']);
    clock.advance(1);
    await expect(db().tags.restore(ref, 'b', { windowMs: WINDOW })).rejects.toMatchObject({
      code: DbErrorCode.restoreWindowEnded,
    });
    await expect(db().tags.restore(ref, 'c', { windowMs: WINDOW })).rejects.toMatchObject({
      code: DbErrorCode.conflict,
    });
    await expect(db().tags.restore(ref, 'zz', { windowMs: WINDOW })).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
    expect(await liveNames()).toEqual(['a', 'c']);
  });

  it('are purged once their window ended, oldest first, in batches, and reported', async () => {
    const first = await expireTags(db(), 'acme/web', { a: 1, b: 2 });
    clock.advance(DAY);
    const second = await expireTags(db(), 'acme/web', { c: 3 });
    clock.advance(WINDOW - DAY);
    expect(await db().tags.purgeExpired({ windowMs: WINDOW, limit: 1 })).toEqual([
      {
        repository: ref,
        tag: { name: 'a', digest: digest(1), immutable: false, labels: [] },
        expiredAt: new Date(START),
        runId: first,
      },
    ]);
    expect((await db().tags.purgeExpired({ windowMs: WINDOW })).map((p) => p.tag.name)).toEqual([
      'b',
    ]);
    expect(await db().tags.purgeExpired({ windowMs: WINDOW })).toEqual([]);
    expect((await db().tags.listExpired(ref)).map((e) => [e.tag.name, e.runId])).toEqual([
      ['c', second],
    ]);
    clock.advance(DAY);
    expect((await db().tags.purgeExpired({ windowMs: WINDOW })).map((p) => p.tag.name)).toEqual([
      'c',
    ]);
    expect(await db().tags.listExpired(ref)).toEqual([]);
    expect(await liveNames()).toEqual([]);
  });

  it('are live again when pushed again, and then never purged', async () => {
    await expireTags(db(), 'acme/web', { a: 1, b: 2 });
    expect((await db().tags.put(ref, { name: 'a', digest: digest(1) })).created).toBe(true);
    clock.advance(WINDOW);
    expect((await db().tags.purgeExpired({ windowMs: WINDOW })).map((p) => p.tag.name)).toEqual([
      'b',
    ]);
    expect(await liveNames()).toEqual(['a', 'c']);
  });

  it('stay expired when a snapshot still lists them, unless it shows them re-pushed', async () => {
    await expireTags(db(), 'acme/web', { a: 1, b: 2 });
    // The registry still holds both (nothing purged yet); b now points elsewhere.
    await db().inventory.importRepositories([repository('acme/web', { a: 1, b: 7, c: 3 })]);
    expect(await liveNames()).toEqual(['b', 'c']);
    expect((await db().tags.get(ref, 'b'))?.digest).toBe(digest(7));
    expect((await db().tags.listExpired(ref)).map((e) => e.tag.name)).toEqual(['a']);
    // A snapshot without the expired tag removes it.
    await db().inventory.importRepositories([repository('acme/web', { b: 7, c: 3 })]);
    expect(await db().tags.listExpired(ref)).toEqual([]);
  });
});
