'use strict';
// Writes the published schemas and the rule-kind reference from the built engine.
// A test (test/generated.test.ts) fails when the committed files drift from the registry.
const fs = require('node:fs');
const path = require('node:path');
const engine = require('../dist');

const root = path.resolve(__dirname, '..');
const write = (file, text) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
};
write(
  path.join(root, 'schema/policy.schema.json'),
  `${JSON.stringify(engine.buildPolicySchema(), null, 2)}\n`,
);
write(
  path.join(root, 'schema/inventory.schema.json'),
  `${JSON.stringify(engine.buildInventorySchema(), null, 2)}\n`,
);
write(path.join(root, '../../docs/reference/rule-kinds.md'), engine.renderRuleKindReference());
