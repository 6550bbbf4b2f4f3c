#!/usr/bin/env node
'use strict';
// Thin launcher: the command lives in dist/ (built by `pnpm build`).
let main;
try {
  ({ main } = require('../dist/main.js'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('winnow: the CLI is not built yet; run `pnpm build` first\n');
    process.exit(1);
  }
  throw error;
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(
      `winnow: internal error: ${error && error.message ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
