/**
 * The worked examples of docs/policy-language.md: the files of each, how its region in the doc
 * is rendered (policy, inventory, decisions), and the check of a region against what Winnow
 * decided. Used by test/worked-examples.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatDuration,
  type InventoryRepository,
  parseInventory,
  type TagDecision,
} from '@winnow/engine';

export const ROOT = join(__dirname, '../../../..');
const DOC = join(ROOT, 'docs/policy-language.md');
export const NOW = '2026-11-01T00:00:00Z';
const UPDATE = process.env.WINNOW_UPDATE_DOCS === '1';

export interface Example {
  readonly name: string;
  readonly policy: string;
  /** Decided by a server run (proxy cache) rather than by the engine alone. */
  readonly run?: true;
}

export const EXAMPLES: readonly Example[] = [
  { name: 'ci-cleanup', policy: 'policy.yaml' },
  { name: 'semver-releases', policy: 'policy.yaml' },
  { name: 'signatures-multi-arch', policy: 'policy.yaml' },
  { name: 'namespace-defaults', policy: 'policies.yaml' },
  { name: 'proxy-cache', policy: 'policy.yaml', run: true },
];

export const dir = (example: Example): string => `examples/worked/${example.name}`;
export const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
export const inventoryOf = (example: Example) =>
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

export function check(example: Example, decisions: readonly TagDecision[]): void {
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
