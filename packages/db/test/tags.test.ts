import { DbErrorCode } from '../src';
import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

const ref = { namespace: 'acme', name: 'web/api' };
const digest = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe.each(providers)('tags and repositories on %s', (provider) => {
  const db = useDatabase(provider);

  it('pushes a tag into a new repository, re-tags it, and reads it back in engine form', async () => {
    const pushed = await db().tags.put(ref, {
      name: 'v1',
      digest: digest(1),
      pushedAt: '2026-01-02T03:04:05Z',
      labels: ['prod'],
    });
    expect(pushed).toEqual({
      created: true,
      tag: {
        name: 'v1',
        digest: digest(1),
        pushedAt: '2026-01-02T03:04:05.000Z',
        immutable: false,
        labels: ['prod'],
      },
    });
    const retagged = await db().tags.put(ref, {
      name: 'v1',
      digest: digest(2),
      pushedAt: '2026-02-01T00:00:00Z',
    });
    expect(retagged.created).toBe(false);
    expect(await db().tags.get(ref, 'v1')).toEqual({
      name: 'v1',
      digest: digest(2),
      pushedAt: '2026-02-01T00:00:00.000Z',
      immutable: false,
      labels: [],
    });
    expect(await db().repositories.list('acme')).toEqual([ref]);
  });

  it('sets and clears immutable; deletes a tag; missing tags are not found', async () => {
    await db().tags.put(ref, { name: 'v1', digest: digest(1) });
    expect((await db().tags.setImmutable(ref, 'v1', true)).immutable).toBe(true);
    expect((await db().tags.get(ref, 'v1'))?.immutable).toBe(true);
    expect((await db().tags.setImmutable(ref, 'v1', false)).immutable).toBe(false);
    await db().tags.delete(ref, 'v1');
    expect(await db().tags.get(ref, 'v1')).toBeNull();
    await expect(db().tags.delete(ref, 'v1')).rejects.toMatchObject({ code: DbErrorCode.notFound });
    await expect(db().tags.setImmutable(ref, 'nope', true)).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
    await expect(
      db().tags.setImmutable({ namespace: 'x', name: 'y' }, 'v1', true),
    ).rejects.toMatchObject({ code: DbErrorCode.notFound });
  });

  it('gets a repository snapshot and deletes it with its tags', async () => {
    await db().tags.put(ref, { name: 'b', digest: digest(2) });
    await db().tags.put(ref, { name: 'a', digest: digest(1) });
    expect((await db().repositories.get(ref))?.tags.map((t) => t.name)).toEqual(['a', 'b']);
    await db().repositories.delete(ref);
    expect(await db().repositories.get(ref)).toBeNull();
    expect(await db().tags.get(ref, 'a')).toBeNull();
    await expect(db().repositories.delete(ref)).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
  });
});
