/**
 * The Graph write cap in infra/app/api.bicep against how Flex Consumption scales: per function
 * group, maximumInstanceCount capping the on-demand instances of each group (the HTTP functions
 * share the `http` group, every other function is its own group; Microsoft Learn, "Flex
 * Consumption plan hosting", per-function scaling; the REST API describes maximumInstanceCount as
 * "the maximum number of on demand instances per function group"). Every group that writes to
 * Graph must be in the divisor, or scale-out passes Graph's 20 writes/s.
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

  it('divides 20 writes/s among the instances of every group that writes', () => {
    const writingGroups = new Set(
      registeredFunctions()
        .filter(([name]) => WRITES_TO_GRAPH[name])
        .map(([, group]) => group),
    );
    expect([...writingGroups].sort()).toEqual(['function:enrichWorker', 'http']);
    expect(variable(api, 'writingGroups')?.text).toBe(String(writingGroups.size));
    expect(propertyValue(writeCap!).text).toBe('string(20 / (writingGroups * maximumInstanceCount))');
  });

  it('leaves every instance a write rate at the largest maximumInstanceCount main.bicep allows (Bicep divides integers)', () => {
    const source = readFileSync(join(INFRA, 'main.bicep'), 'utf8');
    const largest = Number(
      /@maxValue\((\d+)\)\s*@description\('Flex Consumption maximumInstanceCount/.exec(source)?.[1],
    );
    expect(largest).toBeGreaterThan(0);
    const perInstance = Math.trunc(20 / (2 * largest));
    expect(perInstance).toBeGreaterThan(0);
    expect(2 * largest * perInstance).toBeLessThanOrEqual(20);
  });
});
