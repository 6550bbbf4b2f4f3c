/* global WebAssembly */
// Prisma's schema engine as a developer tool: @prisma/schema-engine-wasm, the Wasm build of the
// engine behind `prisma migrate`, pinned to the version of prisma. It writes migration SQL
// (create-migration.mjs) and checks for drift (check-drift.mjs). Node 20 cannot import .wasm
// modules, so the bindings are wired by hand the way wasm-bindgen's bundler target expects.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// Resolved through the adapter, which depends on it (it is not a direct dependency).
const adapterUtils = createRequire(require.resolve('@prisma/adapter-pg')).resolve(
  '@prisma/driver-adapter-utils',
);
const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));

export function providerOf(url) {
  return url.startsWith('file:') ? 'sqlite' : 'postgresql';
}

/** A provider's schema folder as the engine wants it. */
export function schemaFiles(provider) {
  return ['schema.prisma', 'models.prisma'].map((file) => {
    const full = path.join(root, 'prisma', provider, file);
    return { path: full, content: readFileSync(full, 'utf8') };
  });
}

/** A driver adapter factory for the database at `url`. */
export function adapterFor(url) {
  if (providerOf(url) === 'sqlite') {
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

/**
 * The SQL that takes the database at `url` (or, with `url` null, an empty database of
 * `provider`) to the models; '' when there is nothing to do.
 */
export async function sqlToModels(provider, url) {
  const files = schemaFiles(provider);
  // Diffing from empty never connects: the adapter only names the provider.
  const adapter = adapterFor(
    url ?? (provider === 'sqlite' ? 'file::memory:' : 'postgresql://unused@127.0.0.1:1/unused'),
  );
  const engine = await openSchemaEngine(adapter, files);
  const { stdout } = await engine.diff({
    // "The database the schema's datasource points at": in the Wasm engine, the adapter's.
    from: url === null ? { tag: 'empty' } : { tag: 'schemaDatasource', files, configDir: root },
    to: { tag: 'schemaDatamodel', files },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  const script = (stdout ?? '').trim();
  return script === '-- This is an empty migration.' ? '' : script;
}

async function openSchemaEngine(adapterFactory, files) {
  const bg = await loadBindings();
  const log = () => {};
  // The engine expects the error-capturing wrapper Prisma's CLI puts around adapters.
  const { bindMigrationAwareSqlAdapterFactory } = require(adapterUtils);
  return bg.SchemaEngine.new(
    { datamodels: files.map((f) => [f.path, f.content]) },
    log,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}

let bindings;
async function loadBindings() {
  if (bindings) return bindings;
  // The engine reports Rust panics through this global before throwing.
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message(message) {
      console.error(`schema engine panic: ${message}`);
    },
  };
  const bg = await import(path.join(pkgDir, 'schema_engine_bg.js'));
  const bytes = await readFile(path.join(pkgDir, 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  bindings = bg;
  return bg;
}
