import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  readDashboard,
  metricSelectors,
  parseLabelValues,
  substitute,
} from '../src/testing/dashboard-queries';
import { startObservedWinnow, type ObservedWinnow } from '../src/testing/observed-winnow';
import {
  ensurePrometheus,
  PROMTOOL,
  startPrometheus,
  type PromSample,
  type QueryResult,
  type TestPrometheus,
} from '../src/testing/prometheus';

const DEPLOY = join(__dirname, '../../../deploy');
const RULES = join(DEPLOY, 'prometheus/winnow-alerts.yml');
const RULE_TESTS = join(DEPLOY, 'prometheus/winnow-alerts.test.yml');
const dashboard = readDashboard();

/** The values of a result, as numbers (a vector's samples, a scalar's value). */
function values(data: QueryResult): number[] {
  if (data.resultType === 'scalar') return [Number((data.result as [number, string])[1])];
  return (data.result as readonly PromSample[]).map((sample) => Number(sample.value?.[1]));
}

describe('the alert rules', () => {
  beforeAll(() => {
    ensurePrometheus();
  }, 300_000);

  it('pass promtool check rules', () => {
    const out = execFileSync(PROMTOOL, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their promtool unit tests (each alert firing and staying quiet)', () => {
    const out = execFileSync(PROMTOOL, ['test', 'rules', RULE_TESTS], { encoding: 'utf8' });
    expect(out).toContain('SUCCESS');
  });

  it('have a test firing each of them and one where each stays quiet', () => {
    const rules = execFileSync(PROMTOOL, ['check', 'rules', RULES], { encoding: 'utf8' });
    const alerts = [...readFileSync(RULES, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(rules).toContain(`${alerts.length} rules found`);
    const tests = readFileSync(RULE_TESTS, 'utf8');
    for (const alert of alerts) {
      expect({
        alert,
        fired: new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`).test(tests),
        quiet: new RegExp(`alertname: ${alert}\\n\\s+exp_alerts: \\[\\]`).test(tests),
      }).toEqual({ alert, fired: true, quiet: true });
    }
  });
});

describe('the dashboard and alerts on a real Prometheus scraping a real Winnow during real runs', () => {
  let winnow: ObservedWinnow | undefined;
  let prometheus: TestPrometheus | undefined;
  let started = 0;
  /** Grafana's variables as Grafana would set them for this Prometheus (scrape interval 1 s). */
  let variables: Record<string, string> = {};

  beforeAll(async () => {
    ensurePrometheus();
    winnow = await startObservedWinnow();
    prometheus = await startPrometheus({
      target: winnow.target,
      intervalSeconds: 1,
      ruleFiles: [RULES],
    });
    started = Date.now() / 1000;
    await prometheus.scrapedAfter(0, 60_000);
    // Two rounds, scraped in between: every counter exists before its second increase.
    await winnow.round(1);
    await prometheus.scrapedAfter(Date.now() / 1000);
    await winnow.round(2);
    await prometheus.scrapedAfter(Date.now() / 1000 + 1);
    const range = `${Math.ceil(Date.now() / 1000 - started) + 5}s`;
    // $__rate_interval is max(4 × scrape interval, $__interval + scrape interval): with Grafana's
    // default scrape interval setting (15 s) it is 1m; $__range spans everything since the start.
    variables = {
      __rate_interval: '1m',
      __interval: '15s',
      __range: range,
      namespace: '.*',
    };
  }, 300_000);

  afterAll(async () => {
    await prometheus?.stop();
    await winnow?.stop();
  }, 60_000);

  const prom = (): TestPrometheus => {
    if (prometheus === undefined) throw new Error('Prometheus starts in beforeAll');
    return prometheus;
  };

  it('has a datasource variable and every query uses it', () => {
    const list = (
      dashboard.raw.templating as { list: { name: string; type: string; query: unknown }[] }
    ).list;
    expect(list.find((v) => v.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    expect(dashboard.raw.schemaVersion).toBeGreaterThanOrEqual(36);
    const uids = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node !== null && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (record.datasource !== undefined && typeof record.datasource === 'object') {
          uids.add(String((record.datasource as { uid?: unknown }).uid));
        }
        Object.values(record).forEach(visit);
      }
    };
    visit(dashboard.raw.panels);
    visit(dashboard.raw.templating);
    expect([...uids]).toEqual(['${datasource}']);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(20);
  });

  it('lists namespaces in its namespace variable', async () => {
    const { selector, label } = parseLabelValues(dashboard.variableQueries.namespace ?? '');
    const names = await prom().api<string[]>(`label/${label}/values`, {
      'match[]': selector,
      start: String(started - 60),
    });
    expect(names).toEqual(expect.arrayContaining(['acme', 'cache', 'local']));
  });

  it.each(
    dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => [panel.title, target.refId, target.expr] as const),
    ),
  )('panel "%s" query %s returns data', async (title, _refId, expr) => {
    const query = substitute(expr, variables);
    const data = await prom().query(query);
    const numbers = values(data);
    // Named in the failure: which panel, which query, what came back.
    expect({ title, query, data: numbers }).toEqual({
      title,
      query,
      data: expect.arrayContaining([expect.any(Number)]) as unknown,
    });
    expect({ title, query, finite: numbers.some(Number.isFinite) }).toEqual({
      title,
      query,
      finite: true,
    });
  });

  it('has the panels carry what the runs did', async () => {
    const one = async (expr: string) => values(await prom().query(substitute(expr, variables)));
    expect(await one('sum(winnow_runs_total{status="succeeded"})')).toEqual([2]);
    expect((await one('sum(winnow_reclaimed_bytes_total{namespace="acme"})'))[0]).toBeGreaterThan(
      0,
    );
    expect((await one('winnow_guard_blocked_repositories_total'))[0]).toBe(2);
    expect(await one('sum(winnow_tags_restored_total{namespace="local"})')).toEqual([2]);
    expect((await one('winnow_errors_total{kind="registry"}'))[0]).toBeGreaterThan(0);
    expect(await one('winnow_proxy_cache_upstream_up{namespace="cache"}')).toEqual([1]);
    expect((await one('winnow_worker_leases_total{event="claimed"}'))[0]).toBeGreaterThan(0);
    // Ages are small: the last success and the worker's last cycle are seconds old.
    expect(
      (await one('time() - max(winnow_last_successful_run_timestamp_seconds)'))[0],
    ).toBeLessThan(300);
    expect((await one('time() - max(winnow_worker_last_cycle_timestamp_seconds)'))[0]).toBeLessThan(
      60,
    );
  });

  it('documents every metric Winnow exports in docs/metrics.md', async () => {
    const names = await prom().api<string[]>('label/__name__/values', {
      'match[]': '{__name__=~"winnow_.+"}',
    });
    const documented = readFileSync(join(__dirname, '../../../docs/metrics.md'), 'utf8');
    const metrics = new Set(names.map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    expect(metrics.size).toBeGreaterThanOrEqual(20);
    const missing = [...metrics].filter((name) => !documented.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  const rules = () =>
    prom().api<{
      groups: { rules: { name: string; query: string; health: string; lastError?: string }[] }[];
    }>('rules', {});

  it('loads every alert rule and Prometheus evaluates each without error', async () => {
    const loaded = await rules();
    const all = loaded.groups.flatMap((group) => group.rules);
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const rule of all) {
      expect({ rule: rule.name, health: rule.health, error: rule.lastError ?? '' }).toEqual({
        rule: rule.name,
        health: 'ok',
        error: '',
      });
      await expect(prom().query(rule.query)).resolves.toHaveProperty('resultType');
    }
  });

  it('finds data for every metric selector the alert rules use', async () => {
    const all = (await rules()).groups.flatMap((group) => group.rules);
    const selectors = new Set(all.flatMap((rule) => metricSelectors(rule.query)));
    expect(selectors.size).toBeGreaterThanOrEqual(7);
    for (const selector of selectors) {
      const found = values(await prom().query(selector));
      expect({ selector, series: found.length > 0 }).toEqual({ selector, series: true });
    }
  });
});
