import { providers } from './support/databases';
import { useDatabase } from './support/use-database';

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const at = (hour: number) => new Date(Date.UTC(2026, 11, 3, hour));
const REPOSITORY = { namespace: 'mirror', name: 'app' };

describe.each(providers)('proxyCache store on %s', (provider) => {
  const db = useDatabase(provider);

  // A fresh database for each test (useDatabase).
  const seed = async () => {
    await db().namespaces.create({ name: 'mirror', kind: 'proxy_cache', settings: {} });
    await db().namespaces.create({ name: 'plain', kind: 'normal', settings: {} });
    await db().inventory.importRepositories([
      {
        ...REPOSITORY,
        tags: [
          {
            name: 'pulled',
            digest: digest(1),
            pushedAt: at(1).toISOString(),
            lastPulledAt: at(5).toISOString(),
          },
          { name: 'never', digest: digest(2), pushedAt: at(1).toISOString() },
          {
            name: 'moved',
            digest: digest(3),
            pushedAt: at(1).toISOString(),
            lastPulledAt: at(6).toISOString(),
          },
        ],
      },
      {
        namespace: 'plain',
        name: 'app',
        tags: [
          {
            name: 'x',
            digest: digest(4),
            pushedAt: at(1).toISOString(),
            lastPulledAt: at(5).toISOString(),
          },
        ],
      },
    ]);
  };

  it('lists only proxy-cache namespaces, and records their upstream health', async () => {
    await seed();
    expect((await db().proxyCache.namespaces()).map((n) => n.name)).toEqual(['mirror']);
    expect(await db().proxyCache.namespace('plain')).toBeNull();
    await db().proxyCache.recordHealth('mirror', {
      status: 'down',
      checkedAt: at(7),
      error: 'refused',
    });
    expect((await db().proxyCache.namespace('mirror'))?.upstream).toEqual({
      status: 'down',
      checkedAt: at(7),
      error: 'refused',
    });
    expect((await db().namespaces.get('mirror'))?.upstream?.status).toBe('down');
  });

  it('checks tags pulled since their last check; a check of a tag that moved meanwhile is dropped', async () => {
    await seed();
    const pending = await db().proxyCache.pendingChecks('mirror', 10);
    expect(pending.map((p) => p.tag)).toEqual(['pulled', 'moved']);
    const [pulled, moved] = pending as [(typeof pending)[0], (typeof pending)[0]];
    expect(await db().proxyCache.recordCheck(pulled, { checkedAt: at(8), stale: false })).toBe(
      true,
    );
    // The tag moved in the inventory after the check was read: its result is not written.
    await db().tags.put(REPOSITORY, {
      name: 'moved',
      digest: digest(9),
      pushedAt: at(7).toISOString(),
      lastPulledAt: at(7).toISOString(),
    });
    expect(await db().proxyCache.recordCheck(moved, { checkedAt: at(8), stale: true })).toBe(false);
    expect((await db().proxyCache.pendingChecks('mirror', 10)).map((p) => p.tag)).toEqual([
      'moved',
    ]);
    const checks = await db().proxyCache.tagChecks(REPOSITORY);
    expect(checks.get('pulled')).toEqual({
      pushedAt: at(1),
      upstreamCheckedAt: at(8),
      upstreamStale: false,
    });
    expect(checks.get('never')).toEqual({
      pushedAt: at(1),
      upstreamCheckedAt: null,
      upstreamStale: false,
    });
  });
});
