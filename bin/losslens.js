#!/usr/bin/env node
'use strict';
// The CLI is TypeScript compiled to dist/; this file only starts it.
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli[\\/]main\.js/.test(error.message)) {
    console.error('losslens: the library is not compiled yet; run `npm run build` in the losslens checkout first.');
    process.exit(1);
  }
  throw error;
}
cli.main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
