import { describe, expect, it } from 'vitest';
import { planCycle, type CycleOptions } from '../../src/core/cycle';
import { enrichWorker } from '../../src/core/enrichWorker';
import type { EscrowEntry } from '../../src/core/ports';
import { backlogAfter, sweepEscrow } from '../../src/core/sweep';
import {
  connectorOf,
  DAY,
  drain,
  FakeSource,
  jobOf,
  MINUTE,
  dependenciesOf,
  rowOf,
  T0,
  userOf,
  type FakeDependencies,
} from './fakes';

function entryOf(workerId: string, overrides: Partial<EscrowEntry> = {}): EscrowEntry {
  return {
    workerId,
    reason: 'notFound',
    firstSeen: T0,
    attempts: 1,
    nextAttempt: T0,
    job: jobOf(workerId, { personalEmail: `${workerId.toLowerCase()}@home.example`, countryIso: 'GB' }),
    ...overrides,
  };
}

async function withEntries(
  entries: EscrowEntry[],
  parts: Parameters<typeof dependenciesOf>[0] = {},
): Promise<FakeDependencies> {
  const deps = dependenciesOf(parts);
  for (const entry of entries) deps.escrow.seed(entry);
  return deps;
}

const cycle = (deps: FakeDependencies, runId: string, extra: Partial<CycleOptions> = {}) =>
  planCycle(deps, { runId, dryRun: false, approve: false, reverify: false, ...extra });

describe('sweepEscrow', () => {
  it('asks Graph nothing when escrow is empty', async () => {
    const deps = await withEntries([]);
    await sweepEscrow(deps, { runId: 'sweep-1' });
    expect(deps.directory.calls).toEqual([]);
    expect(deps.queue.calls).toEqual([]);
  });

  it('leaves an entry that is not due alone while its user is still missing', async () => {
    const deps = await withEntries([entryOf('W1', { nextAttempt: new Date(T0.getTime() + MINUTE) })]);
    const result = await sweepEscrow(deps, { runId: 'sweep-1' });
    expect(result).toMatchObject({ enqueued: 0 });
    expect(result.tally.total()).toBe(0);
    expect(deps.queue.calls).toEqual([]);
    expect(deps.escrow.puts).toEqual([]);
  });

  it('enqueues a worker whose user appeared, even before its next attempt is due', async () => {
    const deps = await withEntries([entryOf('W1', { nextAttempt: new Date(T0.getTime() + 40 * MINUTE) })]);
    deps.directory.users.push(userOf());
    expect(await sweepEscrow(deps, { runId: 'sweep-1' })).toMatchObject({ enqueued: 1 });
  });

  it('does not enqueue a found worker again every minute while its replay waits in the queue (a backfill ahead)', async () => {
    const deps = await withEntries([entryOf('W1')]);
    deps.directory.users.push(userOf());
    const enqueued: number[] = [];
    for (let minute = 0; minute < 40; minute++) {
      enqueued.push((await sweepEscrow(deps, { runId: `sweep-${minute}` })).enqueued);
      deps.clock.advance(MINUTE);
    }
    // Once at once, and once more after 30 minutes in case that message was lost.
    expect(enqueued.reduce((a, b) => a + b, 0)).toBe(2);
    expect(enqueued[0]).toBe(1);
  });

  it('reports the backlog and the age of its oldest entry', async () => {
    const deps = await withEntries([entryOf('W1', { firstSeen: new Date(T0.getTime() - 90 * MINUTE) }), entryOf('W2')]);
    const result = await sweepEscrow(deps, { runId: 'sweep-1' });
    expect(backlogAfter(result.escrowAtStart, result.tally, T0)).toEqual({ backlog: 2, oldestAgeMinutes: 90 });
  });

  it('reports an empty backlog as zero minutes old', async () => {
    const deps = await withEntries([]);
    const result = await sweepEscrow(deps, { runId: 'sweep-1' });
    expect(backlogAfter(result.escrowAtStart, result.tally, T0)).toEqual({ backlog: 0, oldestAgeMinutes: 0 });
  });

  it('looks every escrowed worker up in one batched call, due or not', async () => {
    const deps = await withEntries([
      entryOf('W1'),
      entryOf('W2'),
      entryOf('W3', { nextAttempt: new Date(T0.getTime() + MINUTE) }),
    ]);
    await sweepEscrow(deps, { runId: 'sweep-1' });
    expect(deps.directory.calls).toEqual([{ method: 'findUsersByEmployeeIds', args: [['w1', 'w2', 'w3']] }]);
  });

  it('enqueues the escrowed job of a worker whose user now exists, under the sweep run id', async () => {
    const deps = await withEntries([entryOf('W1'), entryOf('W2')]);
    deps.directory.users.push(userOf({ employeeId: 'w1' }));
    const result = await sweepEscrow(deps, { runId: 'sweep-1', operationId: 'op-1' });
    expect(result).toMatchObject({ enqueued: 1 });
    expect(deps.queue.jobs).toEqual([{ ...entryOf('W1').job, runId: 'sweep-1', operationId: 'op-1' }]);
  });

  it('backs off a worker still without a user and counts it escrowed', async () => {
    const deps = await withEntries([entryOf('W1', { attempts: 2 })]);
    const result = await sweepEscrow(deps, { runId: 'sweep-1' });
    expect(deps.escrow.entries.get('W1')).toMatchObject({
      attempts: 3,
      firstSeen: T0,
      nextAttempt: new Date(T0.getTime() + 5 * MINUTE),
    });
    expect(result.tally.counts().escrowed).toBe(1);
    expect(deps.queue.calls).toEqual([]);
  });

  it('keeps a soft-deleted entry soft-deleted while no active user exists', async () => {
    const deps = await withEntries([entryOf('W1', { reason: 'softDeleted' })]);
    deps.directory.deleted.push(userOf());
    await sweepEscrow(deps, { runId: 'sweep-1' });
    expect(deps.escrow.entries.get('W1')?.reason).toBe('softDeleted');
  });

  it('hands an expiring entry to the pipeline, which ends it as expired', async () => {
    const deps = await withEntries([entryOf('W1', { firstSeen: new Date(T0.getTime() - 28 * DAY) })]);
    expect((await sweepEscrow(deps, { runId: 'sweep-1' })).enqueued).toBe(1);
    const [outcome] = await drain(deps);
    expect(outcome?.code).toBe('expired');
    expect(deps.escrow.entries.size).toBe(0);
  });

  it('writes a user that Cloud Sync created since, and closes the entry', async () => {
    const deps = dependenciesOf({ source: new FakeSource([rowOf('W1')]) });
    await cycle(deps, 'cycle-1');
    await drain(deps);
    deps.directory.users.push(userOf());
    deps.clock.advance(MINUTE);
    await sweepEscrow(deps, { runId: 'sweep-1' });
    const [outcome] = await drain(deps);
    expect(outcome?.code).toBe('written');
    expect(deps.escrow.entries.size).toBe(0);
    expect((await sweepEscrow(deps, { runId: 'sweep-2' })).enqueued).toBe(0);
  });

  it('dry run: backs nothing off and flags the jobs it enqueues', async () => {
    const deps = await withEntries([entryOf('W1'), entryOf('W2')], { dryRun: true });
    deps.directory.users.push(userOf({ employeeId: 'W1' }));
    await sweepEscrow(deps, { runId: 'sweep-1' });
    expect(deps.escrow.puts).toEqual([]);
    expect(deps.queue.jobs.map((job) => job.dryRun)).toEqual([true]);
    await drain(deps);
    expect(deps.directory.writes).toEqual([]);
  });

  // Regression, fixed (escrow entries outlive the ledger state they belong to): enrichWorker's `settle` closes
  // an escrow entry only when the ledger's previous outcome was escrowed or failed, and planCycle
  // overwrites that outcome (outOfScope, rejected, conflict, held) without closing the entry. The
  // sweep then replays the stale job as soon as a user appears, and since it peeks at every entry
  // and found entries are never removed, it replays them at every sweep, forever.
  // Fix: close the entry whenever a worker settles (remove is idempotent), and have the cycle
  // close the entries of workers it decides as outOfScope/rejected/conflict (or have the sweep
  // skip entries whose ledger outcome is no longer escrowed/failed).
  describe('escrow entries after the cycle decided otherwise', () => {
    it('never writes a worker that a later cycle found in both scopes', async () => {
      const connector = connectorOf({
        cloudOnlyScope: [[{ attribute: 'Legal_Entity', operator: 'EQUALS', value: 'Cloud Co' }]],
      });
      const deps = dependenciesOf({ connector, source: new FakeSource([rowOf('W1')]) });
      await cycle(deps, 'cycle-1');
      await drain(deps);
      deps.source.records = [rowOf('W1', { Legal_Entity: 'Cloud Co' })];
      await cycle(deps, 'cycle-2');
      deps.directory.users.push(userOf());
      deps.clock.advance(MINUTE);
      await sweepEscrow(deps, { runId: 'sweep-1' });
      await drain(deps);
      expect(deps.directory.writes).toEqual([]);
    });

    it('stops replaying an entry once its worker is written after a held cycle', async () => {
      const deps = dependenciesOf({
        connector: connectorOf({ guards: { maxWritesPerCycle: 0 } }),
        source: new FakeSource([rowOf('W1')]),
      });
      await cycle(deps, 'cycle-1', { approve: true });
      await drain(deps);
      deps.source.records = [rowOf('W1', { CountryISO: 'FR' })];
      expect((await cycle(deps, 'cycle-2')).held).toBe(true);
      deps.directory.users.push(userOf());
      deps.clock.advance(MINUTE);
      await sweepEscrow(deps, { runId: 'sweep-1' });
      await drain(deps);
      deps.clock.advance(MINUTE);
      expect((await sweepEscrow(deps, { runId: 'sweep-2' })).enqueued).toBe(0);
    });

    it('never writes an old escrowed job over a newer approved write', async () => {
      const deps = dependenciesOf({
        connector: connectorOf({ guards: { maxWritesPerCycle: 0 } }),
        source: new FakeSource([rowOf('W1')]),
      });
      await cycle(deps, 'cycle-1', { approve: true });
      await drain(deps);
      deps.source.records = [rowOf('W1', { CountryISO: 'FR' })];
      await cycle(deps, 'cycle-2');
      deps.directory.users.push(userOf());
      await cycle(deps, 'cycle-3', { approve: true });
      await drain(deps);
      expect(deps.directory.user('user-1').usageLocation).toBe('FR');
      deps.clock.advance(MINUTE);
      await sweepEscrow(deps, { runId: 'sweep-1' });
      for (const job of deps.queue.take()) await enrichWorker(job, deps);
      expect(deps.directory.user('user-1').usageLocation).toBe('FR');
    });
  });
});
