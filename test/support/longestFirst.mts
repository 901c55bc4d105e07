/**
 * The order test files start in: the longest first, so that the two workers finish together
 * instead of one running a two-minute file alone at the end. vitest orders by the durations it
 * cached from the last run on this machine, but a clean clone (CI) has none and falls back to file
 * size, which starts the short-looking process tests (clockSkew, faults, demoKeep) last.
 * The files below are the slowest, longest first, as measured by
 * `npx vitest run --reporter=json --outputFile=/tmp/suite.json` (docs/testing.md); a file not listed
 * keeps vitest's own order after them. A stale list costs time only, never a test.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SLOWEST_FILES = [
  'test/cli/check.test.ts',
  'test/cli/bin.test.ts',
  'test/scenario/concurrentProcesses.test.ts',
  'test/cli/clockSkew.test.ts',
  'test/scenario/oneTruthCases.test.ts',
  'test/faults/faults.test.ts',
  'test/cli/settingsPerCommand.test.ts',
  'test/cli/demoKeep.test.ts',
  'test/scenario/sources.test.ts',
  'test/sim/storage/azurite.test.ts',
  'test/scenario/oneTruth.test.ts',
  'test/scenario/badInput.test.ts',
  'test/state/sharedWriteBudget.test.ts',
  'test/infra/grantGraphPermissions.test.ts',
  'test/scenario/telemetryCost.test.ts',
  'test/scenario/privacy.test.ts',
  'test/scenario/pipeline.test.ts',
  'test/cli/quietTerminal.test.ts',
  'test/infra/kqlQueries.test.ts',
  'test/sim/graph/throttling.test.ts',
];

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = SLOWEST_FILES.findIndex((file) => spec.moduleId.replaceAll('\\', '/').endsWith(file));
      return index === -1 ? SLOWEST_FILES.length : index;
    };
    // Array.prototype.sort is stable: the files not listed keep vitest's order after the listed ones.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
