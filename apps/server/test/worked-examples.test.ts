/**
 * The worked examples of docs/policy-language.md: each region between
 * `<!-- worked-example: NAME -->` and `<!-- /worked-example -->` shows examples/worked/NAME's
 * policy, its inventory and the decisions, and must be exactly what this test renders from the
 * files and from what Winnow decides: the engine for the plain examples, a real run of the
 * server (API, worker, a real upstream registry) for the proxy cache, whose rules only runs add.
 *
 * After changing an example, `WINNOW_UPDATE_DOCS=1 pnpm --filter @winnow/server exec jest
 * test/worked-examples.test.ts` rewrites the regions (then `pnpm format`); read the diff.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import {
  compilePolicies,
  evaluateInventory,
  formatDuration,
  type InventoryRepository,
  loadPolicyTexts,
  parseInventory,
  type TagDecision,
} from '@winnow/engine';
import { startRegistry, type TestRegistry } from '@winnow/registry/testing';

import { readConfig } from '../src/config';
import { buildService } from '../src/service';
import { until } from './support/service';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../../..');
const DOC = join(ROOT, 'docs/policy-language.md');
const NOW = '2026-11-01T00:00:00Z';
const UPDATE = process.env.WINNOW_UPDATE_DOCS === '1';

interface Example {
  readonly name: string;
  readonly policy: string;
  /** Decided by a server run (proxy cache) rather than by the engine alone. */
  readonly run?: true;
}

const EXAMPLES: readonly Example[] = [
  { name: 'ci-cleanup', policy: 'policy.yaml' },
  { name: 'semver-releases', policy: 'policy.yaml' },
  { name: 'signatures-multi-arch', policy: 'policy.yaml' },
  { name: 'namespace-defaults', policy: 'policies.yaml' },
  { name: 'proxy-cache', policy: 'policy.yaml', run: true },
];

const dir = (example: Example): string => `examples/worked/${example.name}`;
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const inventoryOf = (example: Example) =>
  parseInventory(read(`${dir(example)}/inventory.json`), `${dir(example)}/inventory.json`);

// ---- rendering ---------------------------------------------------------------------------------

const short = (digest: string): string => digest.slice(0, 'sha256:'.length + 12);
const code = (text: string): string => `\`${text}\``;
const age = (time: string | null | undefined): string =>
  time == null ? 'never' : `${time} (${formatDuration(Date.parse(NOW) - Date.parse(time))} ago)`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

function inventoryTables(repositories: readonly InventoryRepository[]): string[] {
  const tags = repositories.flatMap((r) =>
    r.tags.map((t) => [
      `${r.namespace}/${r.name}`,
      code(t.name),
      code(short(t.digest)),
      age(t.pushedAt),
      age(t.lastPulledAt),
      t.immutable === true ? 'yes' : '',
    ]),
  );
  const lines = table(['repository', 'tag', 'digest', 'pushed', 'last pulled', 'immutable'], tags);
  const manifests = repositories.flatMap((r) => {
    const tagged = new Set(r.tags.map((t) => t.digest));
    return (r.manifests ?? [])
      .filter((m) => !tagged.has(m.digest) || (m.children ?? []).length > 0 || m.subject)
      .map((m) => [
        `${r.namespace}/${r.name}`,
        code(short(m.digest)),
        (m.children ?? []).length > 0 ? 'index' : m.subject ? 'referrer' : 'image',
        tagged.has(m.digest) ? 'yes' : 'no',
        age(m.pushedAt),
        (m.children ?? []).map((c) => code(short(c))).join(', '),
        m.subject ? code(short(m.subject)) : '',
      ]);
  });
  if (manifests.length === 0) return lines;
  return [
    ...lines,
    '',
    'Manifests that are not simply the image of a tag:',
    '',
    ...table(
      ['repository', 'digest', 'kind', 'tagged', 'pushed', 'children', 'subject'],
      manifests,
    ),
  ];
}

function decisionTable(decisions: readonly TagDecision[]): string[] {
  return table(
    ['repository', 'tag', 'decision', 'stage', 'policy', 'rule', 'reason'],
    decisions.map((d) => [
      d.repository,
      d.tag === null ? `untagged ${code(short(d.digest))}` : code(d.tag),
      d.decision === 'delete' ? '**delete**' : 'keep',
      d.stage,
      d.policy ?? '—',
      d.rule ?? '—',
      code(d.reason),
    ]),
  );
}

function region(example: Example, decisions: readonly TagDecision[]): string {
  const policyFile = `${dir(example)}/${example.policy}`;
  const policy = read(policyFile)
    .split('\n')
    .filter((line) => !line.startsWith('# yaml-language-server:'))
    .join('\n')
    .trimEnd();
  const lines = [`Policy (\`${policyFile}\`):`, '', '```yaml', policy, '```', ''];
  if (example.run) {
    const namespace = read(`${dir(example)}/namespace.json`).trimEnd();
    lines.push(
      `Namespace (\`${dir(example)}/namespace.json\`):`,
      '',
      '```json',
      namespace,
      '```',
      '',
    );
  }
  lines.push(
    `Inventory (\`${dir(example)}/inventory.json\`), at ${NOW}:`,
    '',
    ...inventoryTables(inventoryOf(example).repositories),
    '',
    'Decisions:',
    '',
    ...decisionTable(decisions),
  );
  return lines.join('\n');
}

/** Table padding and separator widths are Prettier's business: compare cell by cell. */
const normalize = (text: string): string =>
  text
    .trim()
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split('|')
            .map((cell) => (/^\s*:?-+:?\s*$/.test(cell) ? '---' : cell.trim()))
            .join('|')
        : line.trimEnd(),
    )
    .join('\n');

const MARKER = (name: string) =>
  new RegExp(`(<!-- worked-example: ${name} -->\\n)([\\s\\S]*?)(<!-- /worked-example -->)`);

function documented(name: string): string | undefined {
  return MARKER(name).exec(readFileSync(DOC, 'utf8'))?.[2];
}

function check(example: Example, decisions: readonly TagDecision[]): void {
  const expected = region(example, decisions);
  if (UPDATE) {
    const doc = readFileSync(DOC, 'utf8');
    if (!MARKER(example.name).test(doc)) throw new Error(`no region for ${example.name}`);
    writeFileSync(
      DOC,
      doc.replace(MARKER(example.name), (_, a: string, _b, c: string) => `${a}${expected}\n${c}`),
    );
    return;
  }
  const actual = documented(example.name);
  expect(actual).toBeDefined();
  expect(normalize(actual ?? '')).toBe(normalize(expected));
}

// ---- the examples ------------------------------------------------------------------------------

describe('docs/policy-language.md worked examples', () => {
  it.each(EXAMPLES.filter((e) => e.run !== true).map((e) => [e.name, e] as const))(
    '%s: the decisions shown are the engine’s',
    (_, example) => {
      const file = `${dir(example)}/${example.policy}`;
      const policies = compilePolicies(
        loadPolicyTexts([{ file, text: read(file) }]).map((loaded) => loaded.policy),
      );
      const report = evaluateInventory(inventoryOf(example), policies, { now: new Date(NOW) });
      check(example, report.decisions);
    },
  );

  describe('proxy-cache: the decisions shown are a dry run’s', () => {
    const example = EXAMPLES.find((e) => e.name === 'proxy-cache') as Example;
    const dataDir = mkdtempSync(join(tmpdir(), 'winnow-worked-upstream-'));
    let upstream: TestRegistry;

    beforeAll(async () => {
      upstream = await startRegistry({ dataDir });
    });
    afterAll(async () => {
      await upstream.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('matches the documented table', async () => {
      const created = await migratedDatabase('sqlite');
      const clock = () => new Date(NOW);
      const database = openDatabase(created.url, { clock });
      const service = await buildService({
        config: readConfig({ WINNOW_WORKER_INTERVAL: '50ms' }),
        database,
        logger: false,
        clock,
      });
      const { app } = service;
      try {
        await app.ready();
        service.start();
        // The documented upstream, here a real local registry that answers: a down upstream
        // would bring in the staleness guard (docs/registry.md).
        const namespace = JSON.parse(read(`${dir(example)}/namespace.json`)) as {
          settings: { upstream: { url: string } };
        };
        namespace.settings.upstream.url = upstream.url;
        const steps = [
          { method: 'POST' as const, url: '/api/v1/namespaces', payload: namespace },
          {
            method: 'POST' as const,
            url: '/api/v1/inventory/import',
            payload: JSON.parse(read(`${dir(example)}/inventory.json`)) as object,
          },
          {
            method: 'PUT' as const,
            url: '/api/v1/namespaces/dockerhub/policy',
            payload: read(`${dir(example)}/policy.yaml`),
            headers: { 'content-type': 'application/yaml' },
          },
        ];
        for (const step of steps) {
          const response = await app.inject(step);
          expect({ url: step.url, status: response.statusCode < 300 }).toEqual({
            url: step.url,
            status: true,
          });
        }
        const queued = await app.inject({
          method: 'POST',
          url: '/api/v1/runs',
          payload: { scope: { level: 'namespace', namespace: 'dockerhub' }, dryRun: true },
        });
        expect(queued.statusCode).toBe(202);
        const { id } = queued.json<{ id: number }>();
        const run = await until(
          'the run',
          async () =>
            (await app.inject({ method: 'GET', url: `/api/v1/runs/${id}` })).json<{
              status: string;
              finishedAt: string | null;
            }>(),
          (r) => r.finishedAt !== null,
        );
        expect(run.status).toBe('succeeded');
        const health = await app.inject({ method: 'GET', url: '/api/v1/namespaces/dockerhub' });
        expect(health.json<{ upstream: { status: string | null } }>().upstream.status).not.toBe(
          'down',
        );
        const listed = await app.inject({ method: 'GET', url: `/api/v1/runs/${id}/decisions` });
        const decisions = listed
          .json<{ decisions: (TagDecision & { outcome: string })[] }>()
          .decisions.map(({ outcome: _outcome, ...record }) => record);
        check(example, decisions);
      } finally {
        await service.stop();
        await database.close();
        await created.drop();
      }
    });
  });
});
