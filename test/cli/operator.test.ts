/**
 * Every CLI run and approval names who made it: with no Azure identity configured (the
 * simulators' GRAPH_AUTH=none), the operating-system user, recorded with the run and shown by `runs`.
 */
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports';
import { baseConnector, startAzurite, startScenario, type Scenario } from '../scenario/harness';
import { hybridWorker, syncedUser, world } from '../scenario/smallWorld';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
const ids = ['8101', '8102', '8103'];
beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, {
    world: world(
      ids.map((id) => hybridWorker(id)),
      ids.map((id) => syncedUser(id)),
    ),
    connector: { ...baseConnector(), guards: { maxWritesPerCycle: 1, blockedEmailDomains: [] } },
  });
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

const runs = async (): Promise<RunRecord[]> =>
  (JSON.parse((await s.cli(['runs', '--json'])).stdout) as { runs: RunRecord[] }).runs;

describe('the operator of a CLI run', () => {
  it('records the OS user with a held cycle, its approval, a sweep and a resync, and `runs` shows it', async () => {
    const me = userInfo().username;
    const held = JSON.parse((await s.cli(['cycle', '--json'])).stdout) as { runId: string; held: boolean };
    expect(held.held).toBe(true);
    const approved = JSON.parse((await s.cli(['cycle', '--approve', '--json'])).stdout) as { runId: string };
    const swept = JSON.parse((await s.cli(['sweep', '--json'])).stdout) as { runId: string };
    const resynced = JSON.parse((await s.cli(['resync', '8101', '--json'])).stdout) as { runId: string };
    const recorded = await runs();
    for (const runId of [held.runId, approved.runId, swept.runId, resynced.runId]) {
      expect(recorded.find((run) => run.runId === runId)?.requestedBy).toEqual({ source: 'os', name: me });
    }
    expect(recorded.find((run) => run.runId === approved.runId)?.approved).toBe(true);
    expect((await s.cli(['runs'])).stdout).toContain(`approved, by ${me}`);
  });
});
