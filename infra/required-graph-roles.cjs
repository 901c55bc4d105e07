#!/usr/bin/env node
/*
 * Which Microsoft Graph application roles the connector file needs, and what to do about the
 * roles a managed identity already holds: the command line around graph-roles.cjs. Plain CommonJS
 * with no dependencies: the grant script runs it with the operator's `node`, before (and without)
 * any build.
 *
 *   node required-graph-roles.cjs [connector.json]
 *       prints the required role names, one a line
 *   node required-graph-roles.cjs plan <connector.json> <graph-service-principal.json> <assignments.json>
 *       prints one tab-separated line per role: grant|keep|extra, name, app role id, and for
 *       extra the assignment id, whether it is broader than anything the connector needs, and
 *       for a broader one what it can do and the narrower role to grant instead
 */
'use strict';

const fs = require('node:fs');
// The role knowledge itself: src/core/mappingTargets.ts, compiled beside this file (npm run infra:roles).
const { requiredGraphRoles, planGrants } = require('./graph-roles.cjs');

function readJson(file, what) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${err.message}`);
  }
}

/** `az rest` returns `{ value: [...] }`; a bare array is accepted too. */
function listOf(document) {
  return Array.isArray(document) ? document : document.value || [];
}

function main(argv) {
  if (argv[0] === 'plan') {
    const [, connectorFile, graphFile, assignmentsFile] = argv;
    const required = requiredGraphRoles(readJson(connectorFile, 'connector file'));
    const steps = planGrants(
      required,
      readJson(graphFile, 'Graph service principal'),
      listOf(readJson(assignmentsFile, 'assignments')),
    );
    for (const s of steps) {
      const tail = s.action === 'extra' ? [s.assignmentId, s.broader ? 'broader' : 'unneeded', s.advice || ''] : [];
      process.stdout.write(`${[s.action, s.value, s.appRoleId, ...tail].join('\t')}\n`);
    }
    return;
  }
  const connectorFile = argv[0] || 'connector.json';
  for (const role of requiredGraphRoles(readJson(connectorFile, 'connector file'))) process.stdout.write(`${role}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`required-graph-roles: ${err.message}\n`);
    process.exit(2);
  }
}
