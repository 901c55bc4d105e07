/**
 * `npm run infra:roles`: writes infra/graph-roles.cjs, src/core/mappingTargets.ts compiled to plain
 * CommonJS. The grant script runs at `azd up`'s postprovision, before anything is built, so it
 * needs the roles as JavaScript beside it; this keeps that copy generated from the one source
 * (test/scripts/graphRoles.test.ts fails when it is stale).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const SOURCE = 'src/core/mappingTargets.ts';
export const GRAPH_ROLES_COPY = 'infra/graph-roles.cjs';

/** The text of infra/graph-roles.cjs, compiled from the source under `root`. */
export function compiledGraphRoles(root: string): string {
  const { outputText } = ts.transpileModule(readFileSync(join(root, SOURCE), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, removeComments: false },
    fileName: SOURCE,
  });
  const header = `// Generated from ${SOURCE} by \`npm run infra:roles\`: edit that file, not this one.\n`;
  return header + outputText;
}

if (require.main === module) {
  const root = resolve(__dirname, '..', '..');
  writeFileSync(join(root, GRAPH_ROLES_COPY), compiledGraphRoles(root));
  process.stdout.write(`wrote ${GRAPH_ROLES_COPY}\n`);
}
