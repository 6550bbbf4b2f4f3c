/**
 * Shared helpers of the CLI tests: they run the built `winnow` command as a child process, the
 * way a user does, and read what it printed. No mocks, no import of main().
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.resolve(__dirname, '../bin/winnow.js');
/** The instant the examples are meant to be evaluated at. */
export const NOW = '2026-11-01T00:00:00Z';
export const NOW_ISO = '2026-11-01T00:00:00.000Z';

if (!fs.existsSync(path.resolve(__dirname, '../dist/main.js'))) {
  throw new Error('apps/cli/dist is missing: run `pnpm build` at the repository root first');
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Our environment without the colour switches (Jest may set FORCE_COLOR for its workers), so
 * the command decides colours as it would for a user's pipe.
 */
export const PLAIN_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'FORCE_COLOR' && name !== 'NO_COLOR'),
);

/** Runs `winnow ARGS...` from the repository root (so example paths are relative to it). */
export function runCli(
  args: readonly string[],
  cwd: string = REPO_ROOT,
  env: NodeJS.ProcessEnv = {},
): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...PLAIN_ENV, ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 30_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The non-empty lines a command printed on stderr. */
export const stderrLines = (result: CliResult): string[] =>
  result.stderr.split('\n').filter((line) => line.trim() !== '');

/** A temporary directory for ad-hoc policy and inventory files. */
export class TempDir {
  readonly path = fs.mkdtempSync(path.join(os.tmpdir(), 'winnow-cli-test-'));

  /** Writes a text file and returns its absolute path. */
  write(name: string, text: string): string {
    const file = path.join(this.path, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, 'utf8');
    return file;
  }

  writeJson(name: string, value: unknown): string {
    return this.write(name, `${JSON.stringify(value, null, 2)}\n`);
  }

  remove(): void {
    fs.rmSync(this.path, { recursive: true, force: true });
  }
}

// ---- the decision report of `winnow evaluate --format json` -------------------------------------

export const SUMMARY_KEYS = ['repositories', 'tags', 'keep', 'delete'] as const;
/** §5 of the policy language: the fields of a decision record, in this order. */
export const RECORD_KEYS = [
  'repository',
  'tag',
  'digest',
  'decision',
  'stage',
  'scope',
  'policy',
  'rule',
  'reason',
] as const;
export const STAGES = [
  'immutable',
  'accessory',
  'guard',
  'rule',
  'default',
  'reconcile',
  'safety',
] as const;
export type Stage = (typeof STAGES)[number];

export interface DecisionRecord {
  readonly repository: string;
  readonly tag: string | null;
  readonly digest: string;
  readonly decision: 'keep' | 'delete';
  readonly stage: Stage;
  readonly scope: string | null;
  readonly policy: string | null;
  readonly rule: string | null;
  readonly reason: string;
}

export interface Report {
  readonly now: string;
  readonly summary: {
    readonly repositories: number;
    readonly tags: number;
    readonly keep: number;
    readonly delete: number;
  };
  readonly decisions: readonly DecisionRecord[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringOrNull = (value: unknown): boolean => value === null || typeof value === 'string';

function assertRecord(value: unknown, index: number): asserts value is DecisionRecord {
  const ok =
    isObject(value) &&
    typeof value.repository === 'string' &&
    isStringOrNull(value.tag) &&
    typeof value.digest === 'string' &&
    (value.decision === 'keep' || value.decision === 'delete') &&
    STAGES.some((stage) => stage === value.stage) &&
    isStringOrNull(value.scope) &&
    isStringOrNull(value.policy) &&
    isStringOrNull(value.rule) &&
    typeof value.reason === 'string';
  if (!ok)
    throw new Error(`decisions[${index}] is not a decision record: ${JSON.stringify(value)}`);
}

/** Parses stdout as the report and checks the shape of every part (not the key order). */
export function parseReport(stdout: string): Report {
  const value: unknown = JSON.parse(stdout);
  if (!isObject(value) || typeof value.now !== 'string') throw new Error('not a report');
  const summary = value.summary;
  if (!isObject(summary) || !SUMMARY_KEYS.every((key) => typeof summary[key] === 'number')) {
    throw new Error(`summary is malformed: ${JSON.stringify(summary)}`);
  }
  if (!Array.isArray(value.decisions)) throw new Error('decisions is not an array');
  const decisions: unknown[] = value.decisions;
  decisions.forEach(assertRecord);
  return value as unknown as Report;
}

/** `winnow evaluate` that must succeed; fails with what the command printed otherwise. */
export function evaluateOk(args: readonly string[]): { result: CliResult; report: Report } {
  const result = runCli(['evaluate', ...args]);
  if (result.status !== 0) {
    throw new Error(`winnow evaluate exited ${String(result.status)}:\n${result.stderr}`);
  }
  return { result, report: parseReport(result.stdout) };
}

/** Evaluates an example directory's policy and inventory at NOW. */
export function evaluateExample(
  policy: string,
  inventory: string,
  extra: readonly string[] = [],
): { result: CliResult; report: Report } {
  return evaluateOk(['--policy', policy, '--inventory', inventory, '--now', NOW, ...extra]);
}

/** The records of one tag (throws unless there is exactly one). */
export function recordOf(report: Report, repository: string, tag: string | null): DecisionRecord {
  const found = report.decisions.filter((r) => r.repository === repository && r.tag === tag);
  if (found.length !== 1 || !found[0]) {
    throw new Error(`expected one record for ${repository}:${String(tag)}, found ${found.length}`);
  }
  return found[0];
}

/** Code-point order, as the contract sorts (not locale order: `B` comes before `a`). */
export const compareCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// ---- inventory snapshots ------------------------------------------------------------------------

export interface TagInput {
  name: string;
  digest: string;
  pushedAt?: string;
  lastPulledAt?: string | null;
  immutable?: boolean;
  labels?: string[];
}

export interface ManifestInput {
  digest: string;
  mediaType?: string;
  pushedAt?: string;
  sizeBytes?: number;
  children?: string[];
  subject?: string | null;
  artifactType?: string | null;
}

export interface RepositoryInput {
  namespace: string;
  name: string;
  tags: TagInput[];
  manifests?: ManifestInput[];
}

export interface InventoryInput {
  apiVersion: 'winnow/v1';
  kind: 'Inventory';
  repositories: RepositoryInput[];
}

export const digestOf = (seed: string): string =>
  `sha256:${createHash('sha256').update(seed).digest('hex')}`;

const DAY = 86_400_000;
/** An RFC 3339 time `days` before NOW. */
export const daysAgo = (days: number): string =>
  new Date(Date.parse(NOW) - days * DAY).toISOString().replace('.000Z', 'Z');

/** A tag pushed `days` before NOW, on its own digest. */
export const tag = (name: string, days: number, extra: Partial<TagInput> = {}): TagInput => ({
  name,
  digest: digestOf(name),
  pushedAt: daysAgo(days),
  ...extra,
});

export function repository(
  path: string,
  tags: TagInput[],
  manifests?: ManifestInput[],
): RepositoryInput {
  const slash = path.indexOf('/');
  return {
    namespace: path.slice(0, slash),
    name: path.slice(slash + 1),
    tags,
    ...(manifests ? { manifests } : {}),
  };
}

export const inventory = (...repositories: RepositoryInput[]): InventoryInput => ({
  apiVersion: 'winnow/v1',
  kind: 'Inventory',
  repositories,
});

export function readExampleInventory(file: string): InventoryInput {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')) as InventoryInput;
}

/** A namespace policy for `acme` with the given YAML rule list (indented by the caller). */
export const namespacePolicy = (rulesYaml: string, namespace = 'acme'): string =>
  `apiVersion: winnow/v1
kind: RetentionPolicy
scope: { level: namespace, namespace: ${namespace} }
rules:
${rulesYaml}`;

// ---- invalid input ------------------------------------------------------------------------------

/** Where an issue must be reported: the file as given on the command line, and a JSON pointer. */
export interface ExpectedIssue {
  readonly file: string;
  /** `document 2` in a multi-document file, when expected. */
  readonly document?: number;
  readonly pointer: string;
  /** Something the message must say. */
  readonly says?: RegExp;
}

const issuePrefix = (issue: ExpectedIssue): string =>
  `winnow: ${issue.file}: ${issue.document === undefined ? '' : `document ${issue.document}: `}${issue.pointer}: `;

/**
 * Exit 2, nothing on stdout, and exactly the expected issues on stderr, one line each, each
 * naming its file and JSON pointer.
 */
export function expectInvalid(result: CliResult, issues: readonly ExpectedIssue[]): void {
  expect(result.stdout).toBe('');
  const lines = stderrLines(result);
  for (const issue of issues) {
    const pattern = `^${escapeRegExp(issuePrefix(issue))}${issue.says ? `.*${issue.says.source}` : ''}`;
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(pattern)));
  }
  expect(lines).toHaveLength(issues.length);
  expect(result.status).toBe(2);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs `winnow ARGS` without waiting; `until` resolves once stderr says `text`. */
export function startCli(args: readonly string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    stderr: () => stderr,
    exited,
    async until(text: string): Promise<void> {
      const deadline = Date.now() + 30_000;
      while (!stderr.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no "${text}" in: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Reads until `done` says so, within a minute; the error says what was last read. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
