import { DbErrorCode, type NewNotificationEndpoint } from '../src';
import { providers } from './support/databases';
import { repository, runOf, testClock } from './support/runs';
import { useDatabase } from './support/use-database';

const START = '2026-06-01T12:00:00.000Z';
const SECOND = 1000;

const endpoint = (
  name: string,
  overrides: Partial<NewNotificationEndpoint> = {},
): NewNotificationEndpoint => ({
  name,
  scope: 'server',
  namespace: null,
  url: `https://${name}.example/hook`,
  format: 'generic',
  secret: 'v1:opaque',
  events: ['run.succeeded', 'run.failed'],
  enabled: true,
  ...overrides,
});

describe.each(providers)('notifications on %s', (provider) => {
  const clock = testClock(START);
  const db = useDatabase(provider, { clock });
  beforeEach(() => {
    clock.set(START);
  });

  it('creates, reads, lists, updates and deletes an endpoint', async () => {
    const created = await db().notifications.create(endpoint('ops'));
    expect(created).toEqual({
      ...endpoint('ops'),
      id: expect.any(Number) as unknown,
      createdAt: expect.any(Date) as unknown,
      updatedAt: expect.any(Date) as unknown,
    });
    await db().notifications.create(endpoint('alpha', { format: 'slack', secret: null }));
    expect(await db().notifications.get(created.id)).toEqual(created);
    expect((await db().notifications.list()).map((e) => e.name)).toEqual(['alpha', 'ops']);

    const updated = await db().notifications.update(created.id, {
      enabled: false,
      events: ['run.partial'],
      secret: null,
    });
    expect(updated).toEqual({
      ...created,
      enabled: false,
      events: ['run.partial'],
      secret: null,
      updatedAt: expect.any(Date) as unknown,
    });

    await db().notifications.delete(created.id);
    expect(await db().notifications.get(created.id)).toBeNull();
    await expect(db().notifications.delete(created.id)).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
    await expect(db().notifications.update(created.id, { enabled: true })).rejects.toMatchObject({
      code: DbErrorCode.notFound,
    });
    await expect(db().notifications.create(endpoint('alpha'))).rejects.toMatchObject({
      code: DbErrorCode.conflict,
    });
  });

  it('subscribes server endpoints to every run and namespace endpoints to the runs that touched their namespace', async () => {
    await db().inventory.importRepositories([
      repository('acme/web', { a: 1 }),
      repository('beta/db', { b: 2 }),
    ]);
    await db().notifications.create(endpoint('all'));
    await db().notifications.create(endpoint('acme', { scope: 'namespace', namespace: 'acme' }));
    await db().notifications.create(endpoint('gamma', { scope: 'namespace', namespace: 'gamma' }));
    await db().notifications.create(endpoint('off', { enabled: false }));
    await db().notifications.create(endpoint('partial-only', { events: ['run.partial'] }));

    const names = async (scope: Parameters<typeof runOf>[0], event = 'run.succeeded') => {
      const run = await db().runs.create(runOf(scope));
      const found = await db().notifications.subscribed({ event, runId: run.id, scope });
      return found.map((e) => e.name);
    };
    expect(await names({ level: 'server' })).toEqual(['all', 'acme']);
    expect(await names({ level: 'namespace', namespace: 'beta' })).toEqual(['all']);
    expect(await names({ level: 'repository', namespace: 'acme', repository: 'web' })).toEqual([
      'all',
      'acme',
    ]);
    expect(await names({ level: 'server' }, 'run.partial')).toEqual(['partial-only']);
  });

  it('claims due deliveries once, retries them later and records their outcomes', async () => {
    const ops = await db().notifications.create(endpoint('ops'));
    const off = await db().notifications.create(endpoint('off', { enabled: false }));
    const [first, second] = await db().notifications.enqueue([
      { endpointId: ops.id, runId: 7, event: 'run.succeeded', payload: '{"a":1}' },
      { endpointId: ops.id, runId: 8, event: 'run.failed', payload: '{"a":2}' },
    ]);
    await db().notifications.enqueue([
      { endpointId: off.id, runId: 7, event: 'run.succeeded', payload: '{}' },
    ]);
    if (first === undefined || second === undefined) throw new Error('two deliveries queued');
    expect(first).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: new Date(START) });

    const claimed = await db().notifications.claim({ owner: 'a', limit: 10, leaseMs: 60 * SECOND });
    expect(claimed.map((d) => [d.id, d.attempts, d.endpoint.name, d.endpoint.secret])).toEqual([
      [first.id, 1, 'ops', 'v1:opaque'],
      [second.id, 1, 'ops', 'v1:opaque'],
    ]);
    // Held: nobody else gets them, not even the same owner twice.
    expect(await db().notifications.claim({ owner: 'b', limit: 10, leaseMs: 60 * SECOND })).toEqual(
      [],
    );

    expect(
      await db().notifications.complete(first.id, 'a', { status: 'delivered', statusCode: 204 }),
    ).toBe(true);
    const retryAt = new Date(Date.parse(START) + 10 * SECOND);
    expect(
      await db().notifications.complete(second.id, 'a', {
        status: 'pending',
        nextAttemptAt: retryAt,
        statusCode: 500,
        error: 'HTTP 500',
      }),
    ).toBe(true);
    // A lost lease records nothing.
    expect(
      await db().notifications.complete(second.id, 'b', {
        status: 'failed',
        statusCode: null,
        error: 'x',
      }),
    ).toBe(false);
    expect(await db().notifications.getDelivery(first.id)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 204,
      lastError: null,
      deliveredAt: new Date(START),
    });

    expect(await db().notifications.claim({ owner: 'b', limit: 10, leaseMs: 60 * SECOND })).toEqual(
      [],
    );
    clock.advance(10 * SECOND);
    const retried = await db().notifications.claim({ owner: 'b', limit: 10, leaseMs: 60 * SECOND });
    expect(retried.map((d) => [d.id, d.attempts, d.lastError])).toEqual([
      [second.id, 2, 'HTTP 500'],
    ]);

    // The holder vanished: its lease runs out and another dispatcher takes the delivery over.
    clock.advance(61 * SECOND);
    const takenOver = await db().notifications.claim({
      owner: 'c',
      limit: 10,
      leaseMs: 60 * SECOND,
    });
    expect(takenOver.map((d) => [d.id, d.attempts])).toEqual([[second.id, 3]]);
    expect(
      await db().notifications.complete(second.id, 'b', { status: 'delivered', statusCode: 200 }),
    ).toBe(false);
    expect(
      await db().notifications.complete(second.id, 'c', {
        status: 'failed',
        statusCode: 404,
        error: 'HTTP 404',
      }),
    ).toBe(true);
    expect(await db().notifications.getDelivery(second.id)).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastStatusCode: 404,
      deliveredAt: null,
    });

    const page = await db().notifications.deliveries({ endpointId: ops.id, limit: 1 });
    expect(page.map((d) => d.id)).toEqual([second.id]);
    const next = await db().notifications.deliveries({
      endpointId: ops.id,
      limit: 1,
      beforeId: second.id,
    });
    expect(next.map((d) => d.id)).toEqual([first.id]);

    // Deleting the endpoint deletes its deliveries.
    await db().notifications.delete(ops.id);
    expect(await db().notifications.getDelivery(first.id)).toBeNull();
  });

  it('gives each delivery to one of many concurrent claimers', async () => {
    const ops = await db().notifications.create(endpoint('ops'));
    await db().notifications.enqueue(
      Array.from({ length: 30 }, (_, i) => ({
        endpointId: ops.id,
        runId: i,
        event: 'run.succeeded',
        payload: `{"n":${i}}`,
      })),
    );
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) =>
        db().notifications.claim({ owner, limit: 30, leaseMs: 60 * SECOND }),
      ),
    );
    const ids = claims.flat().map((d) => d.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });
});
