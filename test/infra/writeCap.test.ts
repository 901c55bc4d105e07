/**
 * The Graph write cap in infra/app/api.bicep against how Flex Consumption scales: per function
 * group, maximumInstanceCount capping the on-demand instances of each group (the HTTP functions
 * share the `http` group, every other function is its own group; Microsoft Learn, "Flex
 * Consumption plan hosting", per-function scaling; the REST API describes maximumInstanceCount as
 * "the maximum number of on demand instances per function group"). Every group that writes to
 * Graph takes its writes from the deployment's one shared budget (src/state/sharedWriteBudget.ts),
 * so the setting is the whole ceiling, however many instances run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFRA, objectProperties, parseBicepFile, propertyKey, propertyValue, variable } from './bicep';

/** Each registered function, and whether it writes to Graph (a new function must be placed here). */
const WRITES_TO_GRAPH: Record<string, boolean> = {
  enrichWorker: true, // the queue function: the per-worker pipeline
  resyncWorker: true, // HTTP: runs the same pipeline inline
  workerStatus: false, // HTTP: reads the ledger and escrow
  approveHeldCycle: false, // HTTP: records an approval on the held run; the next cycle enqueues
  enrichCycle: false, // timer: reads Workday, plans, enqueues
  escrowSweep: false, // timer: looks users up, enqueues
  enrichWorkerPoison: false, // queue: records `failed`
};

const FUNCTIONS = resolve(__dirname, '../../src/functions');

/** [name, scale group] of every function the app registers. */
function registeredFunctions(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const file of readdirSync(FUNCTIONS).filter((name) => name.endsWith('.ts'))) {
    for (const match of readFileSync(join(FUNCTIONS, file), 'utf8').matchAll(/app\.(\w+)\('(\w+)'/g)) {
      found.push([match[2]!, match[1] === 'http' ? 'http' : `function:${match[2]}`]);
    }
  }
  return found;
}

const api = parseBicepFile(join(INFRA, 'app/api.bicep'));
const writeCap = objectProperties(variable(api, 'queueConcurrency')!).find(
  (p) => propertyKey(p) === 'GRAPH_MAX_WRITES_PER_SECOND',
);

describe('the Graph write cap under per-function scaling', () => {
  it('knows whether each registered function writes', () => {
    expect(
      registeredFunctions()
        .map(([name]) => name)
        .sort(),
    ).toEqual(Object.keys(WRITES_TO_GRAPH).sort());
  });

  it('gives the whole deployment one ceiling of 20 writes/s, not a share per instance', () => {
    const writingGroups = new Set(
      registeredFunctions()
        .filter(([name]) => WRITES_TO_GRAPH[name])
        .map(([, group]) => group),
    );
    // Both groups scale out; neither divides the ceiling: they take turns of one shared budget.
    expect([...writingGroups].sort()).toEqual(['function:enrichWorker', 'http']);
    expect(propertyValue(writeCap!).text).toBe("'20'");
    expect(variable(api, 'writingGroups')).toBeUndefined();
  });

  it("passes the headroom left to the tenant's other writers from main.bicep to the app setting", () => {
    const headroom = objectProperties(variable(api, 'queueConcurrency')!).find(
      (p) => propertyKey(p) === 'GRAPH_WRITE_HEADROOM_PERCENT',
    );
    expect(propertyValue(headroom!).text).toBe('string(graphWriteHeadroomPercent)');
    const source = readFileSync(join(INFRA, 'main.bicep'), 'utf8');
    expect(source).toMatch(
      /@maxValue\(90\)\s*@description\('GRAPH_WRITE_HEADROOM_PERCENT[^\n]*\n\s*param graphWriteHeadroomPercent int = 0/,
    );
    expect(source).toMatch(/graphWriteHeadroomPercent: graphWriteHeadroomPercent/);
  });
});
