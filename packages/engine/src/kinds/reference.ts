import { conditionKinds, selectorKinds } from './registry';

const code = (value: unknown): string => `\`${JSON.stringify(value)}\``;

/** The rule-kind reference (docs/reference/rule-kinds.md), generated from the registry. */
export function renderRuleKindReference(): string {
  const lines: string[] = [
    '# Rule kinds',
    '',
    '<!-- Generated from packages/engine/src/kinds/registry.ts by `pnpm --filter @winnow/engine generate`. Do not edit. -->',
    '',
    'Every selector and condition the policy language knows. The JSON Schema',
    '(`packages/engine/schema/policy.schema.json`) and the API catalogue come from the same table.',
    '',
    '## Selectors (`select`)',
    '',
    '| key | levels | what it selects | example |',
    '|---|---|---|---|',
    ...selectorKinds.map(
      (k) => `| \`${k.key}\` | ${k.levels.join(', ')} | ${k.summary} | ${code(k.example)} |`,
    ),
    '',
    '## Conditions (`match`)',
    '',
    'Exactly one condition per `match`, plus an optional `by`.',
    '',
    '| key | hits | `by` (default) | example `match` |',
    '|---|---|---|---|',
    ...conditionKinds.map(
      (k) =>
        `| \`${k.key}\` | ${k.summary.replace(/\|/g, '\\|')} | ${k.byKeys.length === 0 ? 'not allowed' : `${k.byKeys.join(', ')} (${k.defaultBy})`} | ${code(k.example)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
