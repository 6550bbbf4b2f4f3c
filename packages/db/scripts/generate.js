// Copies prisma/models.prisma into each provider's schema folder, then generates both clients
// into src/generated/<provider>. Prisma's native schema engine is not needed for this: it is
// replaced by a script that fails loudly if anything ever executes it.
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const providers = ['sqlite', 'postgresql'];
const header =
  '// GENERATED from prisma/models.prisma by `pnpm --filter @winnow/db generate`: edit that file.\n\n';

const models = readFileSync(path.join(root, 'prisma/models.prisma'), 'utf8');
const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_SCHEMA_ENGINE_BINARY: path.join(root, 'prisma/engine-unavailable.sh'),
};
const prisma = require.resolve('prisma/build/index.js');

for (const provider of providers) {
  writeFileSync(path.join(root, 'prisma', provider, 'models.prisma'), header + models);
  execFileSync(
    process.execPath,
    [prisma, 'generate', '--config', `prisma.${provider}.config.mjs`],
    { cwd: path.resolve(__dirname, '..'), env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
}
