/**
 * One clock for every writer: a process whose own clock is far from the storage service's time
 * (an operator's laptop two hours fast or slow) says so and writes nothing, exit 2. The skew is
 * applied from outside src/, by a preload that shifts Date in that process alone.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, startScenario, type Scenario } from '../scenario/harness';
import type { AzuriteInstance } from '../support/azurite';
import { run } from './processRun';

const SKEW = join(__dirname, '..', 'support', 'skewClock.cjs');
const HOURS_2 = String(2 * 3600_000);

let azurite: AzuriteInstance;
let s: Scenario;
beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, { size: 20, seed: 31 });
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

const skewed = (ms: string) => ({ ...s.env, NODE_OPTIONS: `--require ${SKEW}`, SKEW_MS: ms });

describe('a process whose clock is off', () => {
  it.each([
    ['2 h fast', HOURS_2, 'ahead of', [['cycle', '--json'], ['sweep'], ['resync', '100001']]],
    ['2 h slow', `-${HOURS_2}`, 'behind', [['cycle']]],
  ])('%s: exits 2 naming the skew and writes nothing', async (_name, ms, direction, commands) => {
    s.graph.resetLog();
    for (const args of commands) {
      const { code, stderr } = await run(args, skewed(ms));
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(new RegExp(`clock is 7\\d{3}\\.\\d s ${direction} the storage service's time`));
    }
    expect(s.graph.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    const runs = await run(['runs', '--json'], s.env);
    expect(JSON.parse(runs.stdout).count).toBe(0);
  });

  it('a clock within a second or two of the storage time runs', async () => {
    const { code, stderr } = await run(['cycle', '--json'], skewed('1500'));
    expect(code, stderr).toBe(0);
    const runs = JSON.parse((await run(['runs', '--json'], s.env)).stdout) as { count: number };
    expect(runs.count).toBe(1);
  });
});
