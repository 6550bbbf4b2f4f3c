/**
 * Test support: a real Prometheus (Debian `prometheus`) of its own on loopback, scraping one
 * target, for the dashboard and alert tests and the dashboard rendering (bench/).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@winnow/registry/testing';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

/** Installs Prometheus and promtool (Debian `prometheus`) when they are missing. */
export function ensurePrometheus(): void {
  if (existsSync(PROMETHEUS) && existsSync(PROMTOOL)) return;
  if (process.getuid?.() !== 0) {
    throw new Error('prometheus is not installed: apt-get install prometheus (as root)');
  }
  // The server's Jest global setup installs it before the workers start; this is for other users.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  execFileSync('apt-get', [...lock, 'update'], { stdio: 'ignore', env });
  execFileSync('apt-get', [...lock, 'install', '-y', '--no-install-recommends', 'prometheus'], {
    stdio: 'ignore',
    env,
  });
}

/** One sample or series of an instant query. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value?: readonly [number, string];
  readonly values?: readonly (readonly [number, string])[];
}

export interface QueryResult {
  readonly resultType: string;
  readonly result: readonly PromSample[] | readonly [number, string];
}

export interface TestPrometheus {
  readonly url: string;
  /** The scrape job's name (`up{job=...}`). */
  readonly job: string;
  /** GET /api/v1/<path> with `params`; throws with Prometheus's error on a non-success answer. */
  api<T>(path: string, params: Record<string, string | string[]>): Promise<T>;
  /** An instant query, now. */
  query(expr: string): Promise<QueryResult>;
  /** Waits until the target is up and scraped after `after` (a Unix time in seconds). */
  scrapedAfter(after: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Prometheus on a free loopback port, scraping `target` (host:port, path /metrics) every
 * `intervalSeconds`, with `ruleFiles` loaded; storage in a temp dir removed by `stop`.
 */
export async function startPrometheus(options: {
  target: string;
  intervalSeconds?: number;
  ruleFiles?: readonly string[];
}): Promise<TestPrometheus> {
  ensurePrometheus();
  const interval = `${options.intervalSeconds ?? 1}s`;
  const dir = mkdtempSync(join(tmpdir(), 'winnow-prometheus-'));
  const port = await freePort();
  const job = 'winnow';
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  evaluation_interval: ${interval}`,
      ...(options.ruleFiles?.length
        ? ['rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)]
        : []),
      'scrape_configs:',
      `  - job_name: ${job}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(options.target)}]`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const api = async <T>(path: string, params: Record<string, string | string[]>): Promise<T> => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      for (const one of Array.isArray(value) ? value : [value]) search.append(name, one);
    }
    const response = await fetch(`${url}/api/v1/${path}?${search.toString()}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { status: string; data?: T; error?: string };
    if (body.status !== 'success' || body.data === undefined) {
      throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    }
    return body.data;
  };
  const query = (expr: string) => api<QueryResult>('query', { query: expr });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error('Prometheus did not start');
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    url,
    job,
    api,
    query,
    stop,
    scrapedAfter: async (after, timeoutMs = 30_000) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        // `timestamp(up)` is the time of the target's latest scrape.
        const { result } = await query(`timestamp(up{job="${job}"} == 1)`);
        const sample = (result as readonly PromSample[])[0];
        if (sample?.value !== undefined && Number(sample.value[1]) > after) return;
        if (Date.now() > end)
          throw new Error(`Prometheus did not scrape ${options.target} in time`);
        await new Promise((done) => setTimeout(done, 200));
      }
    },
  };
}
