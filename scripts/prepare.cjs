// npm `prepare`: build after a development install. A production install (--omit=dev, as a
// deployment build may do) has no TypeScript: it ships the dist/ built before, so skip quietly.
'use strict';
const { execFileSync } = require('node:child_process');

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  process.stdout.write('prepare: TypeScript is not installed (production install); using the existing dist/\n');
  process.exit(0);
}
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
