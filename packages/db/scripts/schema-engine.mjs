/* global WebAssembly */
// Loads @prisma/schema-engine-wasm (the Wasm build of Prisma's schema engine, a developer tool
// here: it writes migration SQL and checks for drift). Node 20 cannot import .wasm modules, so
// the bindings are wired by hand the way wasm-bindgen's bundler target expects.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
// Resolved through the adapter, which depends on it (it is not a direct dependency).
const adapterUtils = createRequire(require.resolve('@prisma/adapter-pg')).resolve(
  '@prisma/driver-adapter-utils',
);
const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));

/** A SchemaEngine bound to a driver adapter factory (PrismaLibSql or PrismaPg). */
export async function openSchemaEngine(adapterFactory, datamodels) {
  const bg = await loadBindings();
  const log = () => {};
  // The engine expects the error-capturing wrapper Prisma's CLI puts around adapters.
  const { bindMigrationAwareSqlAdapterFactory } = require(adapterUtils);
  return bg.SchemaEngine.new(
    { datamodels },
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
