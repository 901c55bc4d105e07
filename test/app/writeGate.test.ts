/**
 * Issue 18, case 5: a refusal the app cannot fix per user (its write permission missing or removed)
 * stops every instance through one shared row, and the workers are written when it lifts. Two
 * instances here are two sets of services over the same storage, as two Functions hosts are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEnrichWorker, WRITES_REFUSED_FOR_MS } from '../../src/app/jobRunner';
import { createMemoryLogger } from '../../src/app/logger';
import { runCycle } from '../../src/app/operations';
import { buildServices } from '../../src/app/services';
import { loadSettings } from '../../src/config/settings';
import type { WorkerJob } from '../../src/core/ports';
import { patches, startAzurite, startScenario, type Scenario } from '../scenario/harness';
import { hybridWorker, syncedUser, world } from '../scenario/smallWorld';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
beforeAll(async () => {
  azurite = await startAzurite();
  const ids = ['G1', 'G2', 'G3', 'G4'];
  s = await startScenario(azurite, {
    world: world(
      ids.map((id) => hybridWorker(id)),
      ids.map((id) => syncedUser(id)),
    ),
  });
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

describe('an app-wide refusal', () => {
  it('stops every instance after the first refused PATCH, and the jobs go through once it lifts', async () => {
    let offset = 0;
    const clock = { now: () => new Date(Date.now() + offset) };
    const instance = () =>
      buildServices(loadSettings(s.env), { logger: createMemoryLogger('debug'), dependencies: { clock } });
    const [a, b] = [instance(), instance()];
    try {
      await runCycle(a); // the timer plans: four jobs on the shared queue
      const received = await a.consumer.receive(32, 60);
      const jobs: WorkerJob[] = received.map((message) => message.job);
      expect(jobs).toHaveLength(4);
      // The write role was removed after the app had written for months.
      s.graph.setAppRoles([
        'User.Read.All',
        'RoleManagement.Read.Directory',
        'GroupMember.Read.All',
        'PrivilegedEligibilitySchedule.Read.AzureADGroup',
      ]);
      s.graph.resetLog();
      await expect(runEnrichWorker(a, jobs[0]!)).rejects.toMatchObject({ code: 'GRAPH.REQUEST_REFUSED' });
      for (const job of jobs.slice(1))
        await expect(runEnrichWorker(b, job)).rejects.toMatchObject({ code: 'GRAPH.REQUEST_REFUSED' });
      expect(patches(s.graph)).toHaveLength(1);
      const logged = (a.logger as ReturnType<typeof createMemoryLogger>).lines.filter((l) =>
        l.includes('every instance stops writing'),
      );
      expect(logged).toHaveLength(1);
      // No worker was settled `denied` by a refusal that was never about them.
      for (const job of jobs) expect((await a.ledger.get(job.workerId))?.lastOutcome).not.toBe('denied');
      // The grant comes back; after the window the next job asks Graph again and every job writes.
      s.graph.setAppRoles(null);
      offset = WRITES_REFUSED_FOR_MS + 1000;
      for (const job of jobs) expect((await runEnrichWorker(b, job))?.code).toBe('written');
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
