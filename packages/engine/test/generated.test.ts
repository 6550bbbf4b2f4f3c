import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInventorySchema, buildPolicySchema, renderRuleKindReference } from '../src';

const read = (relative: string): string => readFileSync(join(__dirname, '..', relative), 'utf8');

describe('generated files match the registry (run `pnpm --filter @winnow/engine generate` after changing it)', () => {
  it('schema/policy.schema.json', () => {
    expect(JSON.parse(read('schema/policy.schema.json'))).toEqual(buildPolicySchema());
  });
  it('schema/inventory.schema.json', () => {
    expect(JSON.parse(read('schema/inventory.schema.json'))).toEqual(buildInventorySchema());
  });
  it('docs/reference/rule-kinds.md', () => {
    expect(read('../../docs/reference/rule-kinds.md')).toBe(renderRuleKindReference());
  });
});
