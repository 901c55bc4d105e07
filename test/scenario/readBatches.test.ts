/**
 * Re-verification reads its users in full `$batch`es (20 filters of 15 ids: 300 workers per
 * Graph request) however few jobs run at once: the CLI's drain receives a full batch of jobs
 * ahead and looks their users up together (src/app/drainQueue.ts, `readAhead`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle, runSweep } from '../../src/app/operations';
import { buildWorld, personalEmailOf } from '../../sim/world';
import type { AzuriteInstance } from '../support/azurite';
import { startAzurite, startScenario, type Scenario } from './harness';

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** A world whose synced users already hold their values: a cycle checks every worker and writes nothing. */
function settledWorld(size: number) {
  const world = buildWorld({ size, seed: 23 });
  const workers = new Map(world.workers.map((worker) => [worker.workerId, worker]));
  for (const user of world.users) {
    const worker = user.employeeId ? workers.get(user.employeeId) : undefined;
    const email = worker ? personalEmailOf(worker) : null;
    if (!worker || !email) continue;
    user.otherMails = [email];
    user.usageLocation = worker.businessSiteCountry;
  }
  return world;
}

describe('re-verification reads', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(azurite, { world: settledWorld(800) });
    await runCycle(s.services, { drain: s.services.consumer });
  });
  afterAll(async () => s?.close());

  it('costs about one Graph request per 100 workers, with 16 jobs at once', async () => {
    s.graph.resetLog();
    const summary = await runCycle(s.services, {
      reverify: true,
      drain: s.services.consumer,
      drainOptions: { concurrency: 16 },
    });
    expect(summary.enqueued).toBeGreaterThan(450);
    const lookups = s.graph.requests.filter((r) => r.path === '/users' && r.method === 'GET');
    // 15 ids per filter, 20 filters per request: at most one partial filter per wave of 300.
    expect(lookups.length).toBeLessThanOrEqual(Math.ceil(summary.enqueued / 15) + 10);
    // About 7 requests for 800 workers: the cycle's peek at the escrowed, two waves of lookups
    // (300, then the rest) and each wave's soft-deleted lookups. Without the read-ahead: 46.
    expect(summary.graph.httpRequests).toBeLessThanOrEqual(0.01 * s.world.workers.length);
    expect(summary.counts.written).toBe(0);
  });

  it('sweeps the users Cloud Sync created with one peek, one lookup and their writes in full $batches', async () => {
    for (const user of s.world.pendingUsers) s.graph.addUser(user);
    s.advance(2 * 60_000);
    s.graph.resetLog();
    const summary = await runSweep(s.services, { drain: s.services.consumer, drainOptions: { concurrency: 16 } });
    const found = s.world.pendingUsers.length;
    expect(summary.counts.written).toBe(found);
    expect(found).toBeGreaterThan(20);
    // The limit: the peek at every escrowed worker (300 per request), the found users' lookups
    // together, and the writes in $batches of up to 20: of 16 here, as 16 jobs run at once.
    // Without the read-ahead the lookups took a request per 16 jobs too (9 requests for 50).
    expect(summary.graph.httpRequests).toBeLessThanOrEqual(2 + Math.ceil(found / 16));
  });
});
