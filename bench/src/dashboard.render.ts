/**
 * Renders Winnow's Grafana dashboard (deploy/grafana/winnow.json) on real data, for
 * docs/images/dashboard.png: a real Winnow with a real registry does a few rounds of runs while a
 * real Prometheus scrapes it every second; then each panel's queries (Grafana variables
 * substituted as in apps/server/test/dashboard.test.ts) run as range or instant queries, and each
 * panel is drawn as inline SVG in the dashboard's grid, in Chromium (playwright-core), screenshot.
 * This is Winnow's own rendering of the dashboard's queries, not Grafana's.
 *
 *   node bench/dist/dashboard.render.js [out.png]     (needs apt-get install chromium)
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import {
  type DashboardPanel,
  readDashboard,
  substitute,
} from '@winnow/server/dist/testing/dashboard-queries';
import { startObservedWinnow } from '@winnow/server/dist/testing/observed-winnow';
import { startPrometheus, type PromSample } from '@winnow/server/dist/testing/prometheus';

const ROUNDS = 4;
const PAUSE_MS = 20_000;
const STEP_S = 2;
const COLORS = [
  '#73bf69',
  '#f2cc0c',
  '#5794f2',
  '#ff780a',
  '#f2495c',
  '#b877d9',
  '#8ab8ff',
  '#fade2a',
];

interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function legend(format: string | undefined, metric: Readonly<Record<string, string>>): string {
  if (format === undefined || format === '') return JSON.stringify(metric);
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => metric[name] ?? '');
}

function formatValue(value: number, unit: string | undefined, decimals?: number): string {
  if (!Number.isFinite(value)) return 'No data';
  if (decimals !== undefined) return value.toFixed(decimals);
  if (unit === 'bytes') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = value;
    let i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) {
      v /= 1024;
      i += 1;
    }
    return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i] ?? ''}`;
  }
  if (unit === 's') {
    if (value >= 3600) return `${(value / 3600).toFixed(1)} h`;
    if (value >= 60) return `${(value / 60).toFixed(1)} min`;
    if (value >= 1) return `${value.toFixed(1)} s`;
    return `${(value * 1000).toFixed(value * 1000 >= 10 ? 0 : 1)} ms`;
  }
  const suffix = unit === 'reqps' ? ' req/s' : unit === 'ops' ? ' ops/s' : '';
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) < 10 ? 2 : 1;
  return `${value.toFixed(digits)}${suffix}`;
}

function timeseriesSvg(
  series: readonly Series[],
  unit: string | undefined,
  from: number,
  to: number,
  columns: number,
): string {
  // As wide as the panel (8 grid columns: 600), so that the text is not stretched.
  const width = 75 * columns;
  const height = 180;
  const left = 62;
  const bottom = 18;
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const max = Math.max(1e-9, ...values);
  const min = Math.min(0, ...values);
  const x = (t: number) => left + ((t - from) / (to - from)) * (width - left - 4);
  const y = (v: number) => 4 + (1 - (v - min) / (max - min)) * (height - bottom - 8);
  const grid = [0, 0.5, 1]
    .map((f) => {
      const v = min + f * (max - min);
      return `<line x1="${left}" x2="${width}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${left - 4}" y="${y(v) + 4}" class="axis" text-anchor="end">${escape(formatValue(v, unit))}</text>`;
    })
    .join('');
  const ticks = [from, (from + to) / 2, to]
    .map(
      (t) =>
        `<text x="${x(t)}" y="${height - 4}" class="axis" text-anchor="middle">${new Date(t * 1000).toISOString().slice(11, 19)}</text>`,
    )
    .join('');
  const lines = series
    .map((s, i) => {
      const path = s.points
        .filter(([, v]) => Number.isFinite(v))
        .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ');
      return `<polyline points="${path}" fill="none" stroke="${COLORS[i % COLORS.length] ?? '#fff'}" stroke-width="1.5"/>`;
    })
    .join('');
  const legendHtml = series
    .map(
      (s, i) =>
        `<span class="key"><i style="background:${COLORS[i % COLORS.length] ?? '#fff'}"></i>${escape(s.name)}</span>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none">${grid}${ticks}${lines}</svg><div class="legend">${legendHtml}</div>`;
}

function statHtml(series: readonly Series[], panel: DashboardPanel): string {
  const { unit, decimals, type } = panel;
  if (series.length === 0) return '<div class="stat">No data</div>';
  if (type === 'bargauge') {
    const max = Math.max(1e-9, ...series.map((s) => s.points[0]?.[1] ?? 0).filter(Number.isFinite));
    return series
      .map((s) => {
        const v = s.points[0]?.[1] ?? Number.NaN;
        const pct = Number.isFinite(v) ? Math.max(2, (v / max) * 100) : 0;
        return `<div class="bar"><span>${escape(s.name)}</span><div><b style="width:${pct}%"></b></div><em>${escape(formatValue(v, unit))}</em></div>`;
      })
      .join('');
  }
  return `<div class="stats">${series
    .map((s) => {
      const v = s.points[0]?.[1] ?? Number.NaN;
      const text =
        unit === 'none' && (v === 0 || v === 1)
          ? v === 1
            ? 'up'
            : 'down'
          : formatValue(v, unit, decimals);
      const cls = unit === 'none' ? (v === 1 ? 'ok' : 'bad') : '';
      return `<div class="stat ${cls}"><small>${escape(s.name)}</small>${escape(text)}</div>`;
    })
    .join('')}</div>`;
}

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? join(__dirname, '../../docs/images/dashboard.png'));
  const dashboard = readDashboard();
  const winnow = await startObservedWinnow();
  const prometheus = await startPrometheus({ target: winnow.target, intervalSeconds: 1 });
  try {
    const from = Date.now() / 1000;
    await prometheus.scrapedAfter(0, 60_000);
    for (let n = 1; n <= ROUNDS; n += 1) {
      console.log(`round ${n} of ${ROUNDS}`);
      await winnow.round(n);
      await new Promise((done) => setTimeout(done, PAUSE_MS));
    }
    await prometheus.scrapedAfter(Date.now() / 1000);
    const to = Date.now() / 1000;
    const variables = {
      __rate_interval: '1m',
      __interval: `${STEP_S}s`,
      __range: `${Math.ceil(to - from)}s`,
      namespace: '.*',
    };
    const rendered: string[] = [];
    for (const panel of dashboard.panels) rendered.push(await renderPanel(panel));
    async function renderPanel(panel: DashboardPanel): Promise<string> {
      const series: Series[] = [];
      const instant = panel.type !== 'timeseries';
      for (const target of panel.targets) {
        const query = substitute(target.expr, variables);
        if (instant) {
          const { result } = await prometheus.query(query);
          for (const sample of result as readonly PromSample[]) {
            series.push({
              name: legend(target.legendFormat, sample.metric),
              points: [[to, Number(sample.value?.[1])]],
            });
          }
        } else {
          const { result } = await prometheus.api<{ result: PromSample[] }>('query_range', {
            query,
            start: String(from),
            end: String(to),
            step: String(STEP_S),
          });
          for (const sample of result) {
            series.push({
              name: legend(target.legendFormat, sample.metric),
              points: (sample.values ?? []).map(([t, v]) => [t, Number(v)] as const),
            });
          }
        }
      }
      series.sort((a, b) => a.name.localeCompare(b.name));
      const body = instant
        ? statHtml(series, panel)
        : timeseriesSvg(series, panel.unit, from, to, panel.gridPos.w);
      const { x, y, w, h } = panel.gridPos;
      return `<section style="grid-column:${x + 1} / span ${w};grid-row:${y + 1} / span ${h}"><h2>${escape(panel.title)}</h2>${body}</section>`;
    }
    const rows = dashboard.rows
      .map(
        (row) =>
          `<h1 style="grid-column:1 / span 24;grid-row:${row.y + 1}">${escape(row.title)}</h1>`,
      )
      .join('');
    const html = `<!doctype html><html><head><meta charset="utf-8"><style>
      body{margin:0;background:#111217;color:#ccccdc;font:12px Inter,Helvetica,Arial,sans-serif}
      header{padding:10px 16px;font-size:16px;color:#fff;border-bottom:1px solid #2c2e33}
      header small{color:#8e8e99;font-size:11px;margin-left:12px}
      main{display:grid;grid-template-columns:repeat(24,1fr);grid-auto-rows:30px;gap:6px;padding:8px}
      h1{font-size:13px;margin:6px 0 0;color:#fff;align-self:end}
      section{background:#181b1f;border:1px solid #2c2e33;border-radius:3px;padding:6px 8px;display:flex;flex-direction:column;overflow:hidden}
      h2{font-size:12px;margin:0 0 4px;color:#fff;font-weight:500}
      svg{flex:1;width:100%;min-height:0}
      .grid{stroke:#2c2e33}.axis{fill:#8e8e99;font-size:10px}
      .legend{display:flex;flex-wrap:wrap;gap:2px 10px;font-size:10px;max-height:30px;overflow:hidden}
      .key i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
      .stats{display:flex;flex:1;gap:8px;align-items:center;justify-content:center}
      .stat{flex:1;font-size:26px;color:#73bf69;text-align:center;display:flex;flex-direction:column;justify-content:center}
      .stat small{font-size:10px;color:#8e8e99}.stat.bad{color:#f2495c}
      .bar{display:grid;grid-template-columns:40px 1fr 70px;align-items:center;gap:6px;margin:10px 0}
      .bar div{background:#22252b;height:22px}.bar b{display:block;height:22px;background:linear-gradient(90deg,#73bf69,#f2cc0c)}
      .bar em{font-style:normal;color:#fff;font-size:14px}
    </style></head><body><header>${escape(dashboard.title)}<small>Winnow's rendering of deploy/grafana/winnow.json's panel queries on a real Prometheus scraping a real Winnow (${ROUNDS} runs against a real registry) — not a Grafana screenshot</small></header><main>${rows}${rendered.join('')}</main></body></html>`;
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      await page.setContent(html);
      mkdirSync(dirname(out), { recursive: true });
      await page.screenshot({ path: out, fullPage: true });
    } finally {
      await browser.close();
    }
    console.log(`${dashboard.panels.length} panels rendered: ${out}`);
  } finally {
    await prometheus.stop();
    await winnow.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
