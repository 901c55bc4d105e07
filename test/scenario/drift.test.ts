/**
 * Drift is seen, not fought: where AD carries msExchUsageLocation, Cloud Sync puts usageLocation
 * back after the connector wrote it. Re-verification writes it again once (reason `drift`), and
 * the second time leaves it to Entra: `conflict` `overwrittenInEntra` until the worker's data
 * changes. Each run's record counts the drifted workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/app/operations';
import { formatSummary } from '../../src/cli/format';
import type { AzuriteInstance } from '../support/azurite';
import { patches, type Scenario, startAzurite, startScenario } from './harness';
import { hybridWorker, syncedUser, world } from './smallWorld';

let azurite: AzuriteInstance;
let s: Scenario;
beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, {
    world: world([hybridWorker('D1'), hybridWorker('D2')], [syncedUser('D1'), syncedUser('D2')]),
  });
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

/** Cloud Sync writing AD's msExchUsageLocation over the connector's value. */
const syncPutsBack = () => {
  s.graph.usersByEmployeeId('D1')[0]!.usageLocation = 'US';
};
const reverify = () => runCycle(s.services, { drain: s.services.consumer, reverify: true });
const patchesOfD1 = () =>
  patches(s.graph).filter((request) => request.path.endsWith(`/${s.graph.usersByEmployeeId('D1')[0]!.id}`));

describe('a value sync keeps putting back', () => {
  it('is written first, as any value', async () => {
    const summary = await runCycle(s.services, { drain: s.services.consumer });
    expect(summary.counts.written).toBe(2);
    expect(summary.drift).toBe(0);
    expect(s.graph.usersByEmployeeId('D1')[0]!.usageLocation).toBe('GB');
  });

  it('is written again once when re-verification finds it replaced, and reported as drift', async () => {
    syncPutsBack();
    const summary = await reverify();
    expect(await s.services.ledger.get('D1')).toMatchObject({ lastOutcome: 'written', reason: 'drift' });
    expect((await s.services.ledger.get('D1'))?.detail).toContain('usageLocation');
    expect(summary.drift).toBe(1);
    expect(formatSummary(summary)).toContain('drift: 1 workers hold a value Entra replaced');
    expect((await s.services.runs.latest(1))[0]).toMatchObject({ drift: 1 });
    expect(s.graph.usersByEmployeeId('D1')[0]!.usageLocation).toBe('GB');
  });

  it('is left to Entra the second time: conflict overwrittenInEntra, counted in the run record', async () => {
    syncPutsBack();
    const before = patchesOfD1().length;
    const summary = await reverify();
    expect(await s.services.ledger.get('D1')).toMatchObject({ lastOutcome: 'conflict', reason: 'overwrittenInEntra' });
    expect(s.graph.usersByEmployeeId('D1')[0]!.usageLocation).toBe('US');
    expect(patchesOfD1().length).toBe(before);
    expect(summary.counts.conflict).toBe(1);
    expect(summary.drift).toBe(1);
    expect((await s.services.runs.latest(1))[0]).toMatchObject({ drift: 1, settled: { counts: { conflict: 1 } } });
    expect(await s.services.ledger.get('D2')).toMatchObject({ lastOutcome: 'unchanged' });
  });

  it('stays left to Entra on the next cycles, without a job or a write, until the data changes', async () => {
    const before = patchesOfD1().length;
    const summary = await runCycle(s.services, { drain: s.services.consumer });
    expect(summary.enqueued).toBe(0);
    expect(summary.counts.conflict).toBe(1);
    await reverify();
    expect(patchesOfD1().length).toBe(before);
    expect(await s.services.ledger.get('D1')).toMatchObject({ lastOutcome: 'conflict', reason: 'overwrittenInEntra' });
  });

  it("is written again once the worker's data changes", async () => {
    const worker = s.workday.tenant.workers.find((w) => w.workerId === 'D1')!;
    worker.businessSiteCountry = 'FR';
    worker.updatedAt = new Date();
    const summary = await runCycle(s.services, { drain: s.services.consumer });
    expect(summary.counts.written).toBe(1);
    expect(s.graph.usersByEmployeeId('D1')[0]!.usageLocation).toBe('FR');
    const entry = await s.services.ledger.get('D1');
    expect(entry).toMatchObject({ lastOutcome: 'written' });
    expect(entry?.drift).toBeUndefined();
  });
});
