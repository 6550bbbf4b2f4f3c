// Exits 0 when the database at DATABASE_URL (migrated) has exactly the schema of the models, and
// 2 with the SQL that would fix it otherwise. Uses Prisma's Wasm schema engine (`diff`), so it
// proves the committed migrations and prisma/models.prisma agree. Usage: check-drift.mjs <url>
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSchemaEngine } from './schema-engine.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const url = process.argv[2] ?? process.env.DATABASE_URL ?? '';
const provider = url.startsWith('file:') ? 'sqlite' : 'postgresql';

function adapterFactory() {
  if (provider === 'sqlite') {
    const { PrismaLibSql } = require('@prisma/adapter-libsql');
    return new PrismaLibSql({ url });
  }
  const { PrismaPg } = require('@prisma/adapter-pg');
  const pg = require('pg');
  // adapter-pg cannot map PostgreSQL's internal "char" type (oid 18), which the engine's catalog
  // queries return: present those columns as text (oid 25), which is what they hold.
  class CatalogPool extends pg.Pool {
    async query(...args) {
      const result = await super.query(...args);
      for (const field of result.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
      return result;
    }
  }
  return new PrismaPg(new CatalogPool({ connectionString: url }));
}

const files = ['schema.prisma', 'models.prisma'].map((file) => {
  const full = path.join(root, 'prisma', provider, file);
  return { path: full, content: readFileSync(full, 'utf8') };
});
const engine = await openSchemaEngine(
  adapterFactory(),
  files.map((f) => [f.path, f.content]),
);
const { stdout } = await engine.diff({
  // "The database the schema's datasource points at": in the Wasm engine, the adapter's.
  from: { tag: 'schemaDatasource', files, configDir: root },
  to: { tag: 'schemaDatamodel', files },
  script: true,
  exitCode: true,
  filters: { externalTables: [], externalEnums: [] },
});
const script = (stdout ?? '').trim();
if (script === '' || script === '-- This is an empty migration.') {
  console.log(`${provider}: no drift`);
  process.exit(0);
}
console.log(script);
process.exit(2);
