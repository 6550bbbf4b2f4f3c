import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { execute, migratedDatabase, providers, type TestDatabase } from './support/databases';

const run = promisify(execFile);
const checkDrift = path.resolve(__dirname, '../scripts/check-drift.mjs');
const prismaDir = path.resolve(__dirname, '../../../prisma');

function driftOf(url: string): Promise<{ code: number; stdout: string }> {
  return run(process.execPath, [checkDrift, url]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (reason: unknown) => {
      const error = reason as { code?: number; stdout?: string; stderr?: string };
      return { code: error.code ?? 1, stdout: `${error.stdout ?? ''}${error.stderr ?? ''}` };
    },
  );
}

// Prisma's schema engine (Wasm) diffs the migrated database against prisma/models.prisma: any
// difference means the committed migrations and the models disagree.
describe.each(providers)('committed migrations on %s', (provider) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await migratedDatabase(provider);
  });
  afterAll(() => database.drop());

  it('produce exactly the schema of the models (no drift)', async () => {
    expect(await driftOf(database.url)).toEqual({ code: 0, stdout: `${provider}: no drift\n` });
  });

  it('are compared for real: a dropped index is reported as drift', async () => {
    const broken = await migratedDatabase(provider);
    try {
      await execute(broken.url, 'DROP INDEX "Tag_repositoryId_digest_idx"');
      const drift = await driftOf(broken.url);
      expect(drift.code).toBe(2);
      expect(drift.stdout).toContain('CREATE INDEX "Tag_repositoryId_digest_idx"');
    } finally {
      await broken.drop();
    }
  });

  it('go with a schema folder whose models are the current prisma/models.prisma', () => {
    const models = readFileSync(path.join(prismaDir, 'models.prisma'), 'utf8');
    const copy = readFileSync(path.join(prismaDir, provider, 'models.prisma'), 'utf8');
    expect(copy.endsWith(models)).toBe(true);
  });
});
