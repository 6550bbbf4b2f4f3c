import { providers, useApp } from './database';

/** The value of one sample of the exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(providers.slice(0, 1))('GET /metrics on %s', (provider) => {
  const app = useApp(provider);
  const scrape = async (): Promise<string> => {
    const response = await app().inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  };

  it('exposes process metrics and the Winnow families, with help and type', async () => {
    const text = await scrape();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    for (const family of [
      'winnow_decisions_total',
      'winnow_tags_expired_total',
      'winnow_runs_total',
      'winnow_run_duration_seconds',
      'winnow_http_requests_total',
    ]) {
      expect(text).toContain(`# TYPE ${family} `);
    }
    expect(sample(text, 'winnow_worker_up')).toBe(0);
  });

  it('counts requests by route template, never by raw path', async () => {
    for (const name of ['a', 'b', 'c']) {
      await app().inject({ method: 'GET', url: `/api/v1/namespaces/${name}` });
    }
    await app().inject({ method: 'GET', url: '/no/such/path/42' });
    const text = await scrape();
    expect(
      sample(
        text,
        'winnow_http_requests_total{method="GET",route="/api/v1/namespaces/:namespace",status_code="404"}',
      ),
    ).toBe(3);
    expect(
      sample(text, 'winnow_http_requests_total{method="GET",route="unmatched",status_code="404"}'),
    ).toBe(1);
    expect(text).not.toContain('/no/such/path');
    expect(text).not.toMatch(/namespaces\/a"/);
  });
});
