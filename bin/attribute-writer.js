#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (npm install builds it through the `prepare` script).
// Node 22 or later (package.json `engines`): the Azure SDK packages the CLI uses support
// nothing older, and Azure Functions runs it on 22. On an older `node` the CLI runs itself
// again on the Node 22 that the project pins as a dev dependency, when it is installed.
const { spawnSync } = require('node:child_process');

const MINIMUM_MAJOR = 22;
const major = Number(process.versions.node.split('.')[0]);
if (major < MINIMUM_MAJOR) {
  let pinned = null;
  try {
    pinned = require.resolve('node/bin/node', { paths: [__dirname] });
  } catch {
    // No dev install here: say what is needed below.
  }
  // The pinned Node too old as well: refuse rather than start it again and again.
  if (process.env.ATTRIBUTE_WRITER_PINNED_NODE === '1') pinned = null;
  if (!pinned) {
    process.stderr.write(
      `attribute-writer needs Node.js ${MINIMUM_MAJOR} or later (this is ${process.version}); install Node ${MINIMUM_MAJOR}, or run 'npm install' here so the pinned Node ${MINIMUM_MAJOR} is used.\n`,
    );
    process.exit(2);
  }
  const child = spawnSync(pinned, [__filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ATTRIBUTE_WRITER_PINNED_NODE: '1' },
  });
  if (child.error) {
    process.stderr.write(`attribute-writer: could not start the pinned Node at ${pinned}: ${child.error.message}\n`);
    process.exit(2);
  }
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}
require('../dist/src/cli/main.js')
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
