import { DistributionClient, type DistributionClientOptions, RegistryErrorCode } from '../src';
import { type Fault, type FaultProxy, startFaultProxy } from '../src/fault-proxy';
import { freePort, startRegistry, type TestRegistry, collect, pushImage } from '../src/testing';

const faultOf = (fault: Fault | null): string | number =>
  fault === null ? 'ok' : 'status' in fault ? fault.status : 'reset' in fault ? 'reset' : 'slow';

describe('the client through a fault-injecting proxy in front of a real registry', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let direct: DistributionClient;
  let digest: string;
  const client = (options: Partial<DistributionClientOptions> = {}) =>
    new DistributionClient({
      url: proxy.url,
      baseDelayMs: 10,
      maxDelayMs: 50,
      timeoutMs: 5000,
      ...options,
    });

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    direct = new DistributionClient({ url: registry.url });
    digest = (await pushImage(direct, 'res/app', { tag: 'v1', label: 'one' })).digest;
  });
  afterEach(() => {
    proxy.reset();
  });
  afterAll(async () => {
    await proxy.stop();
    await registry.stop();
  });

  it('retries 5xx until the registry answers', async () => {
    proxy.fail(2, { status: 503 });
    proxy.fail(1, { status: 500 });
    expect(await client().headManifest('res/app', 'v1')).toMatchObject({ digest });
    expect(proxy.requests.map((r) => faultOf(r.fault))).toEqual([503, 503, 500, 'ok']);
    // The status each was answered: the injected ones, then the registry's.
    expect(proxy.requests.map((r) => r.status)).toEqual([503, 503, 500, 200]);
  });

  it('waits as long as a 429 says in Retry-After', async () => {
    proxy.fail(1, { status: 429, retryAfter: '1' });
    const manifest = await client().getManifest('res/app', 'v1');
    expect(manifest?.digest).toBe(digest);
    const [first, second] = proxy.requests;
    expect(proxy.requests).toHaveLength(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('backs off exponentially with full jitter, and Retry-After overrides the backoff', async () => {
    const slept: number[] = [];
    const c = client({
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      random: () => 0.5,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    proxy.fail(3, { status: 502 });
    proxy.fail(1, { status: 503, retryAfter: '7' });
    expect(await c.headManifest('res/app', 'v1')).toMatchObject({ digest });
    expect(slept).toEqual([50, 100, 200, 7000]);
  });

  it('retries connection resets', async () => {
    proxy.fail(2, { reset: true });
    expect(await collect(client().tags('res/app'))).toEqual(['v1']);
    expect(proxy.requests.map((r) => faultOf(r.fault))).toEqual(['reset', 'reset', 'ok']);
  });

  it('gives up on a registry slower than timeoutMs after the retries', async () => {
    proxy.fail(3, { delayMs: 1000 });
    const c = client({ timeoutMs: 150, retries: 2 });
    const error = await c.getManifest('res/app', 'v1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: RegistryErrorCode.unavailable });
    expect((error as Error).message).toMatch(
      /gave up after 3 attempts; last: no answer within 150 ms$/,
    );
    expect(proxy.requests).toHaveLength(3);
  });

  it('says how many attempts it made and the last status, without the query', async () => {
    proxy.fail(10, { status: 503 });
    const error = await collect(client({ retries: 3 }).repositories(5)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: RegistryErrorCode.unavailable, status: 503 });
    expect((error as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/v2\/_catalog: gave up after 4 attempts; last: 503/,
    );
    expect((error as Error).message).not.toContain('n=5');
    expect(proxy.requests).toHaveLength(4);
  });

  it('retries a DELETE whose answer was lost, and reports the manifest as absent', async () => {
    const doomed = (await pushImage(direct, 'res/del', { tag: 'v1', label: 'doomed' })).digest;
    proxy.fail(1, { reset: true, afterForward: true }, { method: 'DELETE' });
    expect(await client().deleteManifest('res/del', doomed)).toBe(false);
    expect(proxy.requests.map((r) => `${r.method} ${faultOf(r.fault)}`)).toEqual([
      'DELETE reset',
      'DELETE ok',
    ]);
    // The registry applied the first, but its answer never reached the client: no status.
    expect(proxy.requests.map((r) => r.status)).toEqual([null, 404]);
    expect(await direct.headManifest('res/del', 'v1')).toBeNull();
  });

  it('does not retry a PUT or a POST (an upload may have happened)', async () => {
    const manifest = await direct.getManifest('res/app', 'v1');
    if (manifest === null) throw new Error('no manifest');
    proxy.fail(1, { status: 503 }, { method: 'PUT' });
    await expect(
      client().putManifest('res/app', 'v2', manifest.mediaType, manifest.body),
    ).rejects.toMatchObject({ code: RegistryErrorCode.unavailable, status: 503 });
    proxy.fail(1, { reset: true }, { method: 'POST' });
    await expect(client().pushBlob('res/app', Buffer.from('x'))).rejects.toMatchObject({
      code: RegistryErrorCode.unavailable,
    });
    expect(proxy.requests.map((r) => `${r.method} ${faultOf(r.fault)}`)).toEqual([
      'PUT 503',
      'POST reset',
    ]);
  });

  it('sends a POST again when the connection was refused (nothing was sent)', async () => {
    const port = await freePort();
    const late: { proxy?: FaultProxy } = {};
    // The registry comes up while the client backs off after the refused connection.
    const c = new DistributionClient({
      url: `http://127.0.0.1:${port}`,
      sleep: async () => {
        late.proxy ??= await startFaultProxy(registry.url, port);
      },
    });
    try {
      const digest = await c.pushBlob('res/app', Buffer.from('late'));
      expect(await direct.getBlob('res/app', digest)).toEqual(Buffer.from('late'));
      expect(late.proxy?.requests.map((r) => r.method)).toEqual(['POST', 'PUT']);
    } finally {
      await late.proxy?.stop();
    }
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    proxy.fail(24, { delayMs: 30 });
    const c = client({ concurrency: 3 });
    const heads = await Promise.all(
      Array.from({ length: 24 }, () => c.headManifest('res/app', 'v1')),
    );
    expect(heads.every((head) => head?.digest === digest)).toBe(true);
    expect(proxy.requests).toHaveLength(24);
    expect(proxy.maxInFlight).toBe(3);
  });

  it('holds no slot while waiting to retry', async () => {
    const c = client({ concurrency: 1, baseDelayMs: 600, maxDelayMs: 600, random: () => 0.999 });
    proxy.fail(1, { status: 503 });
    const started = Date.now();
    const slow = c.headManifest('res/app', 'v1').then(() => Date.now() - started);
    await new Promise((done) => setTimeout(done, 50));
    const quick = await c.headManifest('res/app', 'v1').then(() => Date.now() - started);
    expect(quick).toBeLessThan(400);
    expect(await slow).toBeGreaterThanOrEqual(550);
  });

  it('starts at most requestsPerSecond requests per second', async () => {
    const c = client({ requestsPerSecond: 20 });
    await Promise.all(Array.from({ length: 8 }, () => c.headManifest('res/app', 'v1')));
    const arrivals = proxy.requests.map((r) => r.at).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(8);
    // The client starts them 50 ms apart; loopback and the event loop blur single gaps a little,
    // so count over windows: any 5 consecutive arrivals span about 200 ms, all 8 about 350 ms.
    const spans = arrivals.slice(4).map((at, i) => at - (arrivals[i] ?? at));
    expect(Math.min(...spans)).toBeGreaterThanOrEqual(170);
    expect((arrivals[7] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(320);
  });
});
