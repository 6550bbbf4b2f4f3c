/**
 * docs/operations.md's configuration reference must name exactly the environment variables the
 * server's code reads: a variable added to the code without its row, or a row left behind by a
 * variable removed, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig } from '../src/config';

const SRC = join(__dirname, '../src');
const DOC = join(__dirname, '../../../docs/operations.md');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** `env.NAME`, `process.env.NAME`, `env['NAME']`: every way the server's code reads a variable. */
const READ = /\benv\s*(?:\.\s*([A-Z][A-Z0-9_]*)|\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\])/g;

function variablesReadByTheServer(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    // A destructured read (`const { X } = process.env`) would escape READ: refuse it outright.
    expect({ file, destructured: /}\s*=\s*(?:process\.)?env\b/.test(text) }).toEqual({
      file,
      destructured: false,
    });
    for (const match of text.matchAll(READ)) names.add(match[1] ?? match[2] ?? '');
  }
  return names;
}

function variablesDocumented(): string[] {
  const doc = readFileSync(DOC, 'utf8');
  const section =
    /<!-- configuration-reference:start -->([\s\S]*)<!-- configuration-reference:end -->/.exec(
      doc,
    )?.[1];
  if (section === undefined)
    throw new Error('docs/operations.md: configuration table markers missing');
  return section
    .split('\n')
    .map((line) => /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe('docs/operations.md configuration reference', () => {
  it('finds the variables the server reads, DATABASE_URL and WINNOW_* among them', () => {
    const read = variablesReadByTheServer();
    expect(read).toContain('DATABASE_URL');
    expect(read).toContain('WINNOW_PORT');
    for (const name of read) expect(name).toMatch(/^(WINNOW_[A-Z0-9_]+|DATABASE_URL)$/);
  });

  it('documents every variable the server reads, and no other, once each', () => {
    const documented = variablesDocumented();
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...variablesReadByTheServer()].sort());
  });

  it('states the defaults the server applies', () => {
    const doc = readFileSync(DOC, 'utf8');
    const defaults = readConfig({});
    const row = (name: string): string =>
      doc.split('\n').find((line) => line.startsWith(`| \`${name}\``)) ?? '';
    const cell = (name: string): string => row(name).split('|')[2]?.trim() ?? '';
    expect(cell('DATABASE_URL')).toBe(`\`${defaults.databaseUrl}\``);
    expect(cell('WINNOW_HOST')).toBe(`\`${defaults.host}\``);
    expect(cell('WINNOW_PORT')).toBe(`\`${defaults.port}\``);
    expect(cell('WINNOW_LOG_LEVEL')).toBe(`\`${defaults.logLevel}\``);
    expect(cell('WINNOW_WORKER_ENABLED')).toBe(`\`${String(defaults.worker.enabled)}\``);
    expect(cell('WINNOW_WORKER_BATCH_SIZE')).toBe(`\`${defaults.worker.batchSize}\``);
    expect(cell('WINNOW_WORKER_CONCURRENCY')).toBe(`\`${defaults.worker.concurrency}\``);
    expect(cell('WINNOW_MAX_DELETE_RATIO')).toBe(`\`${defaults.maxDeleteRatio}\``);
    expect(cell('WINNOW_RATE_LIMIT')).toBe(`\`${defaults.rateLimitPerMinute}\``);
    const durations: [string, number][] = [
      ['WINNOW_WORKER_INTERVAL', defaults.worker.intervalMs],
      ['WINNOW_LEASE_DURATION', defaults.worker.leaseMs],
      ['WINNOW_RESTORE_WINDOW', defaults.restoreWindowMs],
      ['WINNOW_SHUTDOWN_TIMEOUT', defaults.shutdownTimeoutMs],
    ];
    for (const [name, ms] of durations) {
      // The documented default, read back by the server, is the default it applies.
      const text = /^`(.+)`$/.exec(cell(name))?.[1];
      expect(text).toBeDefined();
      expect({ name, ms: msOf(name, text ?? '') }).toEqual({ name, ms });
    }
    expect(cell('WINNOW_SECRET_KEY')).toBe('unset');
    expect(defaults.secretKey).toBeUndefined();
    expect(cell('WINNOW_EVENTS_SECRET')).toBe('unset');
    expect(defaults.eventsSecret).toBeUndefined();
    expect(cell('WINNOW_AUTH')).toBe(`\`${String(defaults.auth.enabled)}\``);
    expect(cell('WINNOW_ADMIN_TOKEN')).toBe('unset');
    expect(cell('WINNOW_METRICS_AUTH')).toBe(`\`${defaults.auth.metrics}\``);
  });
});

function msOf(name: string, text: string): number {
  const config = readConfig({ [name]: text });
  switch (name) {
    case 'WINNOW_WORKER_INTERVAL':
      return config.worker.intervalMs;
    case 'WINNOW_LEASE_DURATION':
      return config.worker.leaseMs;
    case 'WINNOW_RESTORE_WINDOW':
      return config.restoreWindowMs;
    default:
      return config.shutdownTimeoutMs;
  }
}
