#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (npm install builds it through the `prepare` script).
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`attribute-writer needs Node.js 22 or later (this is ${process.version}); run it through npm/npx so the pinned Node 22 is used.\n`);
  process.exit(2);
}
require('../dist/src/cli/main.js')
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
