import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
let integration: string[];
beforeAll(async () => {
  // An ES module, as vitest.config.mts loads it.
  const { integrationTestFiles } = await import('./testKinds.mjs');
  integration = integrationTestFiles(root);
});

describe('npm run test:unit', () => {
  it('leaves out every test that starts Azurite, a scenario or a process, named or through a helper', () => {
    for (const file of [
      'test/state/ledger.test.ts', // startAzurite
      'test/scenario/pipeline.test.ts', // the scenario harness
      'test/cli/bin.test.ts', // the CLI from dist/
      'test/faults/faults.test.ts', // the fault suite's children, through faults/
    ]) {
      expect(integration, file).toContain(file);
    }
  });

  it('keeps the in-process tests of the core, the adapters and the simulators', () => {
    for (const file of ['test/core/cycle.test.ts', 'test/graph/pacer.test.ts', 'test/sim/graph/batch.test.ts']) {
      expect(integration, file).not.toContain(file);
    }
  });

  it('leaves out every file that starts Azurite or a scenario itself', () => {
    const starters = allTestFiles(join(root, 'test')).filter((file) =>
      /\bstart(Azurite|Scenario)\(/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(starters.length).toBeGreaterThan(10);
    expect(starters.filter((file) => !integration.includes(file))).toEqual([]);
  });
});

function allTestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'));
}
