/**
 * The pipeline end to end on real storage: Workday RaaS simulator → cycle → Azurite queue →
 * worker pipeline → Graph simulator, with escrow, ledger and run history in Azurite tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainQueue } from '../../src/app/drainQueue';
import { runCycle, runSweep } from '../../src/app/operations';
import { RunTally } from '../../src/core/tally';
import { enrichWorker } from '../../src/core/enrichWorker';
import { desiredHash, desiredStateOf } from '../../src/core/mapping';
import type { LedgerEntry, WorkerJob } from '../../src/core/ports';
import { personalEmailOf } from '../../sim/world';
import { dangerousRequests, patches, startAzurite, startScenario, type Scenario } from './harness';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function ledgerOf(s: Scenario): Promise<Map<string, LedgerEntry>> {
  const map = new Map<string, LedgerEntry>();
  for await (const entry of s.services.ledger.list()) map.set(entry.workerId, entry);
  return map;
}

describe('a full cycle', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(azurite, { size: 150, seed: 3 });
  });
  afterAll(async () => s?.close());

  it('gives every worker read exactly one outcome, recorded in the ledger', async () => {
    const summary = await runCycle(s.services, { drain: s.services.consumer });
    const total = Object.values(summary.counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(s.world.workers.length);
    expect(summary.workersRead).toBe(s.world.workers.length);
    const ledger = await ledgerOf(s);
    const idsWithData = new Set(s.world.workers.map((w) => w.workerId).filter((id) => id !== ''));
    for (const id of idsWithData) expect(ledger.has(id), `ledger entry for ${id}`).toBe(true);
    for (const code of ['written', 'unchanged', 'escrowed', 'conflict', 'denied', 'outOfScope', 'rejected'] as const) {
      expect(summary.counts[code], code).toBeGreaterThan(0);
    }
  });

  it('writes the personal email and country to each synced hybrid user that lacked them', () => {
    const written = s.world.workers.filter((w) => {
      const user = s.graph.usersByEmployeeId(w.workerId)[0];
      return user && user.otherMails.length === 1;
    });
    expect(written.length).toBeGreaterThan(50);
    for (const worker of written) {
      const user = s.graph.usersByEmployeeId(worker.workerId)[0]!;
      expect(user.otherMails[0]!.toLowerCase()).toBe(personalEmailOf(worker)!.toLowerCase());
      expect(user.usageLocation).toBe(worker.businessSiteCountry);
    }
  });

  it('never creates, deletes or restores a user, and patches only mapped properties', () => {
    expect(dangerousRequests(s.graph)).toEqual([]);
    const bodies = patches(s.graph).map((r) => Object.keys(r.body as object));
    expect(bodies.length).toBeGreaterThan(0);
    for (const keys of bodies) for (const key of keys) expect(['otherMails', 'usageLocation']).toContain(key);
  });

  it('sends no PATCH to users that already hold the desired values', () => {
    const preset = s.world.users.filter(
      (u) => (u.otherMails?.length ?? 0) > 0 && u.onPremisesSyncEnabled && !u.deleted,
    );
    expect(preset.length).toBeGreaterThan(0);
    const patchedIds = new Set(patches(s.graph).map((r) => r.path.split('/')[2]));
    for (const seed of preset) {
      const user = s.graph.usersByEmployeeId(seed.employeeId!)[0]!;
      expect(patchedIds.has(user.id), `PATCH sent to ${seed.employeeId}`).toBe(false);
    }
  });

  it('enqueues nothing for settled workers in a second cycle with no changes', async () => {
    s.graph.resetLog();
    const summary = await runCycle(s.services, { drain: s.services.consumer });
    expect(patches(s.graph)).toEqual([]);
    const ledger = await ledgerOf(s);
    // Escrowed workers belong to the sweep; conflicts found in Graph are looked at again.
    const unsettled = [...ledger.values()].filter(
      (e) =>
        !['written', 'unchanged', 'denied', 'expired', 'outOfScope', 'rejected', 'escrowed'].includes(
          e.lastOutcome ?? '',
        ) &&
        !(
          e.lastOutcome === 'conflict' &&
          ['inBothScopes', 'sharedPersonalEmail', 'duplicateWorkerId'].includes(e.reason ?? '')
        ),
    );
    expect(summary.enqueued).toBe(unsettled.length);
    const settledIds = [...ledger.values()].filter((e) => e.lastOutcome === 'written').map((e) => e.workerId);
    const lookedUp = JSON.stringify(s.graph.requests.map((r) => r.query));
    for (const id of settledIds.slice(0, 20)) expect(lookedUp).not.toContain(`'${id}'`);
  });

  it('records the run with its counts in the run history', async () => {
    const [latest] = await s.services.runs.latest(1);
    expect(latest?.kind).toBe('cycle');
    // Planning's outcomes and the settled jobs' apart, together one per worker.
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total(latest!.counts) + total(latest!.settled!.counts)).toBe(s.world.workers.length);
    expect(latest!.settled!.jobs).toBe(latest!.enqueued);
  });
});

describe('escrow', () => {
  let s: Scenario;
  let deletedEmployeeId: string;
  beforeAll(async () => {
    s = await startScenario(azurite, { size: 120, seed: 5 });
    const victim = s.graph
      .allUsers()
      .find((u) => u.onPremisesSyncEnabled && !u.privileged && !u.deletedDateTime && u.otherMails.length === 0)!;
    deletedEmployeeId = victim.employeeId!;
    s.graph.softDeleteUser(victim.id);
    await runCycle(s.services, { drain: s.services.consumer });
  });
  afterAll(async () => s?.close());

  it('keeps new hires without a user in Table storage with reason and next attempt', async () => {
    const entries = [];
    for await (const entry of s.services.escrow.list()) entries.push(entry);
    const pendingIds = s.world.pendingUsers.map((u) => u.employeeId);
    expect(pendingIds.length).toBeGreaterThan(0);
    for (const id of pendingIds) {
      const entry = entries.find((e) => e.workerId === id);
      expect(entry?.reason).toBe('notFound');
      expect(entry!.nextAttempt.getTime()).toBeGreaterThan(entry!.firstSeen.getTime());
    }
    const { code, stdout } = await s.cli(['escrow', '--json']);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { entries: Array<Record<string, unknown>> };
    expect(listed.entries.map((e) => e.workerId)).toEqual(expect.arrayContaining(pendingIds));
    expect(Object.keys(listed.entries[0]!)).toEqual(
      expect.arrayContaining(['workerId', 'reason', 'firstSeen', 'attempts', 'nextAttempt']),
    );
  });

  it('counts no retry while the users are still missing and no attempt is due', async () => {
    s.graph.resetLog();
    const summary = await runSweep(s.services, { drain: s.services.consumer });
    expect(summary.enqueued).toBe(0);
    expect(summary.counts.escrowed).toBe(0);
    expect(summary.graph.httpRequests).toBe(1);
  });

  it('writes the workers at the next sweep once Cloud Sync has created their users, whatever the backoff', async () => {
    for (const user of s.world.pendingUsers) s.graph.addUser(user);
    s.advance(30_000);
    const summary = await runSweep(s.services, { drain: s.services.consumer });
    expect(summary.counts.written).toBe(s.world.pendingUsers.length);
    for (const seed of s.world.pendingUsers) {
      expect(s.graph.usersByEmployeeId(seed.employeeId!)[0]!.otherMails).toHaveLength(1);
      expect(await s.services.escrow.get(seed.employeeId!)).toBeNull();
    }
    expect(summary.graph.httpRequests).toBeLessThanOrEqual(Math.ceil(s.world.pendingUsers.length * 0.5) + 2);
  });

  it('expires an entry after expireAfterDays with its own outcome', async () => {
    const before = await s.services.escrow.get(deletedEmployeeId);
    expect(before?.reason).toBe('softDeleted');
    s.advance(29 * 24 * 3600_000);
    const summary = await runSweep(s.services, { drain: s.services.consumer });
    expect(summary.counts.expired).toBeGreaterThan(0);
    expect(await s.services.escrow.get(deletedEmployeeId)).toBeNull();
    expect((await s.services.ledger.get(deletedEmployeeId))?.lastOutcome).toBe('expired');
    expect(
      s.graph.getUser(s.graph.allUsers().find((u) => u.employeeId === deletedEmployeeId)!.id)?.deletedDateTime,
    ).not.toBeNull();
  });
});

describe('delivery twice', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(azurite, { size: 40, seed: 9 });
  });
  afterAll(async () => s?.close());

  const jobFor = (s: Scenario): WorkerJob => {
    const seed = s.world.users.find(
      (u) => u.onPremisesSyncEnabled && !u.deleted && !u.privileged && (u.otherMails?.length ?? 0) === 0,
    )!;
    const worker = s.world.workers.find((w) => w.workerId === seed.employeeId)!;
    const fields = {
      workerId: worker.workerId,
      personalEmail: personalEmailOf(worker),
      countryIso: worker.businessSiteCountry,
    };
    // The hash a cycle gives these fields: the job runner screens a message against it.
    const { mappings } = s.services.connector;
    return {
      workerId: worker.workerId,
      runId: 'cycle-test-1',
      desiredHash: desiredHash(desiredStateOf(fields, mappings), mappings),
      fields,
    };
  };

  it('reaches the same end state and counts the worker once as written', async () => {
    const job = jobFor(s);
    await s.services.queue.enqueue([job, job]);
    const tally = new RunTally();
    await drainQueue(s.services, s.services.consumer, { onOutcome: (o) => tally.add(o) });
    expect(tally.counts().written).toBe(1);
    expect(tally.total()).toBe(1);
    expect(patches(s.graph)).toHaveLength(1);
  });

  it('after a crash that followed the PATCH, the retry sends no second PATCH', async () => {
    const job = {
      ...jobFor(s),
      runId: 'cycle-test-2',
      version: Date.now(),
      fields: { ...jobFor(s).fields, countryIso: 'NZ' },
    };
    s.graph.resetLog();
    // The write-ahead record is made; the process dies after the PATCH, before its outcome record.
    let changes = 0;
    const crashingLedger: typeof s.services.ledger = {
      ...s.services.ledger,
      change: async (...args) => {
        changes += 1;
        if (changes > 1) throw new Error('process killed');
        return s.services.ledger.change(...args);
      },
    };
    await expect(enrichWorker(job, { ...s.services, ledger: crashingLedger })).rejects.toThrow();
    expect(patches(s.graph)).toHaveLength(1);
    const retry = await enrichWorker(job, s.services);
    expect(patches(s.graph)).toHaveLength(1);
    expect(['written', 'unchanged']).toContain(retry?.code);
    expect(s.graph.usersByEmployeeId(job.workerId)[0]!.usageLocation).toBe('NZ');
  });
});
