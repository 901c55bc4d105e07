/**
 * The example connector, connector.example.json at the repository root, as the demo, the tests,
 * the fault suite and the benches start from it: one document, each caller replacing only the
 * sections its case is about (the write cap, the escrow schedule, the source).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/app/packageRoot';

export type ConnectorDocument = Record<string, unknown>;

/** connector.example.json without its `$schema`, with the top-level sections of `overrides` in place of its own. */
export function exampleConnector(overrides: ConnectorDocument = {}): ConnectorDocument {
  const document = JSON.parse(readFileSync(join(packageRoot(), 'connector.example.json'), 'utf8')) as ConnectorDocument;
  delete document.$schema;
  return { ...document, ...overrides };
}
