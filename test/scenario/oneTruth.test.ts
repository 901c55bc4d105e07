/**
 * One truth per worker (issue 9): at-least-once delivery, replays from escrow and concurrent
 * runs must never put an older value on a user. Each case is a week of an operator's life on
 * Azurite and the simulators, through the same use cases the Functions and the CLI run.
 */
import { QueueClient } from '@azure/storage-queue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { drainQueue } from '../../src/app/drainQueue';
import { runCycle, runResync, runSweep } from '../../src/app/operations';
import { JOB_QUEUE } from '../../src/config/settings';
import { valueHash } from '../../src/core/mapping';
import type { EscrowStore, Ledger } from '../../src/core/ports';
import type { SimWorker, SimWorld } from '../../sim/world';
import { baseConnector, patches, startAzurite, startScenario, type Scenario } from './harness';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario | undefined;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterEach(async () => {
  await s?.close();
  s = undefined;
});
afterAll(async () => {
  await azurite?.stop();
});

function hire(workerId: string, email: string, country = 'GB'): SimWorker {
  return {
    workerId,
    workerType: 'Employee',
    employeeType: 'Regular',
    legalEntity: 'Contoso Corp',
    emails: [{ address: email, usage: 'HOME', primary: true }],
    businessSiteCountry: country,
    homeCountry: country,
    active: true,
    updatedAt: new Date(Date.now() - 86_400_000),
  };
}

const userFor = (workerId: string, otherMails: string[] = []) => ({
  employeeId: workerId,
  displayName: workerId,
  userPrincipalName: `${workerId.toLowerCase()}@contoso.com`,
  onPremisesSyncEnabled: true,
  otherMails,
  usageLocation: null,
});

async function scenario(
  workers: SimWorker[],
  users: ReturnType<typeof userFor>[],
  options: Parameters<typeof startScenario>[1] = {},
): Promise<Scenario> {
  const world: SimWorld = { workers, users, pendingUsers: [] };
  s = await startScenario(azurite, { world, ...options });
  return s;
}

function setEmail(sc: Scenario, workerId: string, address: string): void {
  const worker = sc.workday.tenant.workers.find((w) => w.workerId === workerId)!;
  worker.emails = [{ address, usage: 'HOME', primary: true }];
  worker.updatedAt = new Date();
}

const otherMailsOf = (sc: Scenario, workerId: string) => sc.graph.usersByEmployeeId(workerId)[0]?.otherMails;
/** The deployed queue function's view: drain the shared worker-jobs queue. */
const hostDrain = (sc: Scenario) => drainQueue(sc.services, sc.services.consumer);

async function sharedQueueLength(_sc: Scenario): Promise<number> {
  const queue = new QueueClient(azurite.connectionString.replace(/;TableEndpoint=[^;]*/, ''), JOB_QUEUE);
  if (!(await queue.exists())) return 0;
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

describe('a stale job never writes', () => {
  it('keeps the corrected email when the escrowed typo is replayed after the fix (point 1)', async () => {
    const sc = await scenario([hire('N1', 'typo.adress@home.example')], []);
    await runCycle(sc.services, { drain: true });
    expect((await sc.services.escrow.get('N1'))?.reason).toBe('notFound');
    setEmail(sc, 'N1', 'fixed.address@home.example');
    await runCycle(sc.services); // the timer: job B waits in the shared queue
    sc.graph.addUser(userFor('N1')); // Cloud Sync creates the user
    sc.advance(10 * 60_000);
    await runSweep(sc.services); // the sweep replays whatever escrow holds
    await hostDrain(sc); // the queue function runs both jobs, in queue order
    expect(otherMailsOf(sc, 'N1')).toEqual(['fixed.address@home.example']);
    expect(patches(sc.graph).every((p) => !JSON.stringify(p.body ?? '').includes('typo'))).toBe(true);
    expect(await sc.services.escrow.get('N1')).toBeNull();
  });

  it('never brings back an escrow entry that a job closed while the sweep ran (point 2)', async () => {
    const sc = await scenario([hire('N2', 'n2@home.example')], []);
    await runCycle(sc.services, { drain: true });
    sc.advance(10 * 60_000);
    // The worker settles (user found by a resync) between the sweep's listing and its write.
    const escrow: EscrowStore = sc.services.escrow;
    let closedMeanwhile = false;
    const racing: EscrowStore = {
      ...escrow,
      change: async (workerId, decide, seen) => {
        if (!closedMeanwhile) {
          closedMeanwhile = true;
          sc.graph.addUser(userFor('N2'));
          expect((await runResync(sc.services, 'N2')).outcome.code).toBe('written');
          sc.graph.softDeleteUser(sc.graph.usersByEmployeeId('N2')[0]!.id); // gone again, so the sweep still misses
        }
        return escrow.change(workerId, decide, seen);
      },
    };
    await runSweep({ ...sc.services, escrow: racing });
    expect(closedMeanwhile).toBe(true);
    expect(await sc.services.escrow.get('N2')).toBeNull();
  });
});

describe('resync applies the population guards from current data (point 3)', () => {
  it('refuses a worker id that the report holds twice', async () => {
    const sc = await scenario([hire('D1', 'first@home.example'), hire('D1', 'second@home.example')], [userFor('D1')]);
    const { outcome } = await runResync(sc.services, 'D1');
    expect(outcome).toMatchObject({ code: 'conflict', reason: 'duplicateWorkerId' });
    expect(patches(sc.graph)).toEqual([]);
  });

  it('refuses a shared personal email after another mapped field of the worker changed', async () => {
    const sc = await scenario(
      [hire('S1', 'shared@home.example'), hire('S2', 'shared@home.example')],
      [userFor('S1'), userFor('S2')],
    );
    await runCycle(sc.services, { drain: true });
    const worker = sc.workday.tenant.workers.find((w) => w.workerId === 'S2')!;
    worker.businessSiteCountry = 'FR';
    worker.homeCountry = 'FR';
    const { outcome } = await runResync(sc.services, 'S2');
    expect(outcome).toMatchObject({ code: 'conflict', reason: 'sharedPersonalEmail' });
    expect(otherMailsOf(sc, 'S2')).toEqual([]);
  });
});

describe('merge mode remembers its own write (point 4)', () => {
  it('retires the old address after a PATCH whose ledger write was lost', async () => {
    const connector = {
      ...baseConnector(),
      mappings: [{ source: 'personalEmail', target: 'otherMails', mode: 'merge' }],
    };
    const sc = await scenario([hire('M1', 'old.mailbox@home.example')], [userFor('M1', ['kept@partner.example'])], {
      connector,
    });
    const ledger: Ledger = sc.services.ledger;
    let lost = 0;
    const losing: Ledger = {
      ...ledger,
      change: async (workerId, decide, seen) => {
        // The first outcome record after the PATCH fails: the job is redelivered.
        if (lost === 0 && patches(sc.graph).length === 1) {
          lost += 1;
          throw Object.assign(new Error('storage down'), { statusCode: 503 });
        }
        return ledger.change(workerId, decide, seen);
      },
    };
    await runCycle({ ...sc.services, ledger: losing }, { drain: true, drainOptions: { retryDelaySeconds: () => 0 } });
    expect(lost).toBe(1);
    expect(otherMailsOf(sc, 'M1')).toEqual(['kept@partner.example', 'old.mailbox@home.example']);
    expect((await ledger.get('M1'))?.writtenHashes?.otherMails).toBe(valueHash('old.mailbox@home.example'));
    setEmail(sc, 'M1', 'new.mailbox@home.example');
    await runCycle(sc.services, { drain: true });
    expect(otherMailsOf(sc, 'M1')).toEqual(['kept@partner.example', 'new.mailbox@home.example']);
  });
});

describe('retries that incremental reads used to miss', () => {
  it('retries a failed worker on the next incremental SOAP cycle (point 5)', async () => {
    const connector = { ...baseConnector(), source: { kind: 'soap' } };
    const sc = await scenario(
      [hire('F1', 'f1@home.example'), hire('F2', 'f2@home.example')],
      [userFor('F1'), userFor('F2')],
      { connector },
    );
    const f1 = sc.graph.usersByEmployeeId('F1')[0]!.id;
    let outage = true;
    sc.graph.injectFaults({
      status: 503,
      count: 1000,
      match: (method, path) => outage && method === 'PATCH' && path.includes(f1),
    });
    const first = await runCycle(sc.services, {
      drain: true,
      drainOptions: { retryDelaySeconds: () => 0, maxDequeueCount: 2 },
    });
    expect(first.counts.failed).toBe(1);
    outage = false;
    sc.advance(30 * 60_000);
    const second = await runCycle(sc.services, { drain: true });
    expect(second.read).toBe('incremental');
    expect(second.counts.written).toBe(1);
    expect(otherMailsOf(sc, 'F1')).toEqual(['f1@home.example']);
  }, 120_000);

  it('writes escrowed new hires on the next cycle once their users appear (point 8)', async () => {
    for (const kind of ['raas', 'soap'] as const) {
      const connector = { ...baseConnector(), source: { kind } };
      const sc = await scenario([hire('H1', 'h1@home.example'), hire('H2', 'h2@home.example')], [], { connector });
      expect((await runCycle(sc.services, { drain: true })).counts.escrowed).toBe(2);
      sc.graph.addUser(userFor('H1'));
      sc.graph.addUser(userFor('H2'));
      sc.advance(20 * 60_000);
      const second = await runCycle(sc.services, { drain: true });
      expect(second.counts.written, kind).toBe(2);
      expect(otherMailsOf(sc, 'H1')).toEqual(['h1@home.example']);
      expect(second.escrow?.backlog).toBe(0);
      await sc.close();
      s = undefined;
    }
  }, 120_000);
});

describe('the CLI runs only what it planned (point 6)', () => {
  it('leaves jobs the timer queued alone on cycle --dry-run and sweep', async () => {
    const sc = await scenario([hire('Q1', 'q1@home.example')], [userFor('Q1')]);
    await runCycle(sc.services); // the deployed timer queues a real job
    expect(await sharedQueueLength(sc)).toBe(1);
    for (const args of [['cycle', '--dry-run'], ['sweep'], ['cycle', '--dry-run', '--reverify']]) {
      expect((await sc.cli(args)).code).toBe(0);
    }
    expect(patches(sc.graph)).toEqual([]);
    expect(await sharedQueueLength(sc)).toBe(1);
  });
});

describe('an approval covers the held plan and no more (point 7)', () => {
  const guarded = (max: number) => ({ ...baseConnector(), guards: { maxWritesPerCycle: max } });

  it('holds again when the approved cycle plans more than the held one', async () => {
    const workers = ['A1', 'A2', 'A3'].map((id) => hire(id, `${id.toLowerCase()}@home.example`));
    const sc = await scenario(
      workers,
      workers.map((w) => userFor(w.workerId)),
      { connector: guarded(2) },
    );
    const held = await runCycle(sc.services, { drain: true });
    expect(held.held).toBe(true);
    sc.workday.tenant.workers.push(hire('A4', 'a4@home.example'));
    sc.graph.addUser(userFor('A4'));
    const again = await runCycle(sc.services, { drain: true, approve: true });
    expect(again.held).toBe(true);
    expect(again.heldReason).toMatch(/4 changes, more than the 3 of held cycle/);
    expect(patches(sc.graph)).toEqual([]);
    const approved = await runCycle(sc.services, { drain: true, approve: true });
    expect(approved).toMatchObject({ held: false, approvedHeldRun: again.runId });
    expect(approved.counts.written).toBe(4);
  });

  it('lets APPROVE_HELD_CYCLE through once, however many cycles try it', async () => {
    const workers = ['B1', 'B2', 'B3'].map((id) => hire(id, `${id.toLowerCase()}@home.example`));
    const sc = await scenario(
      workers,
      workers.map((w) => userFor(w.workerId)),
      { connector: guarded(2) },
    );
    const held = await runCycle(sc.services, { drain: true });
    const approving = { ...sc.services, approveHeldCycle: held.runId };
    const [one, two] = await Promise.all([runCycle(approving, { drain: true }), runCycle(approving, { drain: true })]);
    expect([one.held, two.held].sort()).toEqual([false, true]);
    expect(patches(sc.graph)).toHaveLength(3);
  });
});
