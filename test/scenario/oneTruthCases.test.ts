/**
 * One truth across instances (issue 18): what several processes, an operator's laptop and Graph's
 * late answers did wrong, each replayed on Azurite and the simulators through the real use cases.
 * The race between OS processes is in concurrentProcesses.test.ts and `npm run faults -- --kinds instances`.
 */
import { TableClient } from '@azure/data-tables';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workerKeys } from '../../src/state/tableKeys';
import { createMemoryLogger } from '../../src/app/logger';
import { runCycle, runResync } from '../../src/app/operations';
import { buildServices } from '../../src/app/services';
import { loadSettings } from '../../src/config/settings';
import { valueHash } from '../../src/core/mapping';
import type { SimWorker } from '../../sim/world';
import type { AzuriteInstance } from '../support/azurite';
import { baseConnector, patches, startAzurite, startScenario, type Scenario } from './harness';
import { hybridWorker, syncedUser, world } from './smallWorld';

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

const soap = () => ({ ...baseConnector(), source: { kind: 'soap' } });

function setEmail(sc: Scenario, workerId: string, address: string): void {
  const worker = sc.workday.tenant.workers.find((w) => w.workerId === workerId) as SimWorker;
  worker.emails = [{ address, usage: 'HOME', primary: true }];
  // Entered a moment ago by Workday's clock: the shared time is known to within about a second.
  worker.updatedAt = new Date(Date.now() - 2000);
}

const otherMailsOf = (sc: Scenario, workerId: string) => sc.graph.usersByEmployeeId(workerId)[0]?.otherMails;

describe('a CLI cycle that stops after planning (case 3)', () => {
  it('loses nothing: the next incremental cycles still write the change it planned', async () => {
    s = await startScenario(azurite, {
      world: world([hybridWorker('C1'), hybridWorker('C2')], [syncedUser('C1'), syncedUser('C2')]),
      connector: soap(),
    });
    await runCycle(s.services, { drain: true });
    setEmail(s, 'C1', 'c1.corrected@home.example');
    // An operator's CLI run later that day plans the change; Graph refuses the app as a whole
    // before the first write, so its drain stops (exit 3).
    s.graph.setAppRoles(['User.Read.All']);
    const laptop = buildServices(loadSettings(s.env), {
      logger: createMemoryLogger('error'),
      dependencies: { clock: { now: () => new Date(Date.now() + 10 * 60_000) } },
    });
    await expect(runCycle(laptop, { drain: true })).rejects.toMatchObject({ code: 'GRAPH.REQUEST_REFUSED' });
    await laptop.close();
    s.graph.setAppRoles(null);
    for (const minutes of [20, 40, 60]) {
      s.advance(20 * 60_000);
      const next = await runCycle(s.services, { drain: true });
      expect(next.read, `${minutes} min later`).toBe('incremental');
    }
    expect(otherMailsOf(s, 'C1')).toEqual(['c1.corrected@home.example']);
  }, 120_000);

  it('a planned job lost with its process is asked for again by id on an incremental read', async () => {
    s = await startScenario(azurite, {
      world: world([hybridWorker('L1'), hybridWorker('L2')], [syncedUser('L1'), syncedUser('L2')]),
      connector: soap(),
    });
    await runCycle(s.services, { drain: true });
    setEmail(s, 'L1', 'l1.new@home.example');
    // The deployed timer plans and enqueues later that day; the message is then lost (a queue cleared by hand).
    s.advance(10 * 60_000);
    await runCycle(s.services);
    const queue = await s.services.consumer.receive(32, 30);
    for (const message of queue) await s.services.consumer.complete(message);
    s.advance(30 * 60_000);
    const next = await runCycle(s.services, { drain: true });
    expect(next.read).toBe('incremental');
    expect(otherMailsOf(s, 'L1')).toEqual(['l1.new@home.example']);
  }, 120_000);
});

describe('workers read again by id (case 9)', () => {
  it('are asked for in one Get_Workers with many references, not one request per id and id type', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `R${String(i).padStart(3, '0')}`);
    s = await startScenario(azurite, {
      world: world(
        ids.map((id) => hybridWorker(id)),
        ids.map((id) => syncedUser(id)),
      ),
      connector: soap(),
    });
    // Every job of the first cycle is lost (a queue cleared by hand): 60 plans never applied.
    await runCycle(s.services);
    for (
      let batch = await s.services.consumer.receive(32, 30);
      batch.length > 0;
      batch = await s.services.consumer.receive(32, 30)
    )
      for (const message of batch) await s.services.consumer.complete(message);
    s.advance(10 * 60_000);
    const before = s.workday.tenant.requests.length;
    const next = await runCycle(s.services, { drain: true });
    const soapRequests = s.workday.tenant.requests.slice(before).filter((r) => r.protocol === 'soap');
    expect(next).toMatchObject({ read: 'incremental', workersRead: 60 });
    expect(next.counts.written).toBe(60);
    // The two change windows (entered, effective), then all 60 ids under both id types at once.
    expect(soapRequests.length).toBe(3);
    expect(soapRequests.filter((r) => r.summary?.includes('refs=')).length).toBe(1);
  }, 120_000);
});

describe('a late write through the real Graph adapter (case 1)', () => {
  it('a PATCH delayed by a 503 while the operator resyncs the corrected email ends with the corrected value', async () => {
    s = await startScenario(azurite, {
      world: world([hybridWorker('T1', { email: 'jane.deo@home.example' })], [syncedUser('T1')]),
    });
    const user = s.graph.usersByEmployeeId('T1')[0]!;
    let delayed = true;
    let oldPatchWaits = () => {};
    const waiting = new Promise<void>((resolve) => (oldPatchWaits = resolve));
    // The old job's PATCH is answered 503 with Retry-After: it waits, then tries again.
    s.graph.injectFaults({
      status: 503,
      count: 1,
      retryAfterSeconds: 3,
      match: (method, path) => {
        if (!delayed || method !== 'PATCH' || !path.endsWith(user.id)) return false;
        delayed = false;
        oldPatchWaits();
        return true;
      },
    });
    const timer = runCycle(s.services, { drain: true });
    await waiting;
    setEmail(s, 'T1', 'jane.doe@home.example');
    s.advance(1000);
    const resync = await runResync(s.services, 'T1');
    expect(resync.outcome).toMatchObject({ code: 'written' });
    await timer;
    expect(otherMailsOf(s, 'T1')).toEqual(['jane.doe@home.example']);
    const row = await s.services.ledger.get('T1');
    expect(row?.writtenHashes?.otherMails).toBe(valueHash('jane.doe@home.example'));
    expect(row?.pendingWrites).toBeUndefined();
    // The typo never reached Graph after the correction did, or was written over again at once.
    const sent = patches(s.graph).map((r) => `${r.status} ${(r.body as { otherMails?: string[] }).otherMails?.[0]}`);
    expect(sent.at(-1)).toBe('204 jane.doe@home.example');
  }, 60_000);
});

describe('approving a held plan (case 8)', () => {
  it('finds the held plan however many runs came after it; --approve <runId> approves exactly that plan', async () => {
    const workers = ['A1', 'A2', 'A3'].map((id) => hybridWorker(id));
    const base = baseConnector();
    s = await startScenario(azurite, {
      world: world(
        workers,
        workers.map((w) => syncedUser(w.workerId)),
      ),
      connector: { ...base, guards: { ...(base.guards as object), maxWritesPerCycle: 2 } },
    });
    const held = await s.cli(['cycle', '--json']);
    const heldRun = JSON.parse(held.stdout) as { runId: string; held: boolean };
    expect(heldRun.held).toBe(true);
    expect(held.stderr).toContain(heldRun.runId);
    // A day and a half of one-minute sweeps and resyncs recorded after it.
    const later = Date.now() + 1000;
    for (let chunk = 0; chunk < 21; chunk++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          s!.services.runs.record({
            runId: `sweep-filler-${chunk}-${i}`,
            kind: 'sweep',
            startedAt: new Date(later + (chunk * 100 + i) * 60_000),
            durationMs: 1,
            dryRun: false,
            approved: false,
            held: false,
            counts: JSON.parse(held.stdout).counts,
            enqueued: 0,
            graphRequests: 0,
            graphThrottled: 0,
            workdayReadMs: 0,
          }),
        ),
      );
    }
    const typo = await s.cli(['cycle', '--approve', 'cycle-20260101T000000Z-deadbeef']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('no held cycle awaiting approval has that run id');
    expect(patches(s.graph)).toEqual([]);
    const approved = await s.cli(['cycle', '--approve', heldRun.runId, '--json']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({
      held: false,
      approvedHeldRun: heldRun.runId,
      counts: { written: 3 },
    });
  }, 120_000);
});

describe('an unreadable row (case 7)', () => {
  it('is skipped and reported: sweeps and cycles go on for everyone else', async () => {
    s = await startScenario(azurite, {
      world: world([hybridWorker('U1'), hybridWorker('U2')], [syncedUser('U2')]),
    });
    await runCycle(s.services, { drain: true });
    // A hand edit leaves one escrow row without its job, and one ledger row with broken JSON.
    const prefix = s.env.TABLE_PREFIX as string;
    const escrow = TableClient.fromConnectionString(azurite.connectionString, `${prefix}Escrow`, {
      allowInsecureConnection: true,
    });
    await escrow.upsertEntity({ ...workerKeys('U9'), workerId: 'U9', reason: 'notFound' }, 'Replace');
    const ledger = TableClient.fromConnectionString(azurite.connectionString, `${prefix}Ledger`, {
      allowInsecureConnection: true,
    });
    await ledger.upsertEntity({ ...workerKeys('U8'), workerId: 'U8', writtenHashes: '{broken' }, 'Replace');
    s.advance(10 * 60_000);
    const sweep = await s.cli(['sweep', '--json']);
    expect(sweep.code, sweep.stderr).toBe(0);
    const cycle = await s.cli(['cycle', '--json', '--reverify']);
    expect(cycle.code, cycle.stderr).toBe(0);
    expect(cycle.stderr).toMatch(/skipped an unreadable escrow row \(U9\)/);
    expect(cycle.stderr).toMatch(/skipped an unreadable ledger row \(U8\)/);
    const escrowed = JSON.parse((await s.cli(['escrow', '--json'])).stdout) as { entries: Array<{ workerId: string }> };
    expect(escrowed.entries.map((e) => e.workerId)).toEqual(['U1']);
  }, 60_000);
});

describe('a write that lands after a newer one (case 1, learned afterwards)', () => {
  it('the late typo is written over at once with the corrected value, and the ledger claims what Graph holds', async () => {
    s = await startScenario(azurite, {
      world: world([hybridWorker('T2', { email: 'jane.deo@home.example' })], [syncedUser('T2')]),
    });
    const user = s.graph.usersByEmployeeId('T2')[0]!;
    let onTheWire = () => {};
    const sent = new Promise<void>((resolve) => (onTheWire = resolve));
    let first = true;
    // The old job's PATCH passes its guard, then travels two seconds before Graph acts on it.
    s.graph.delayLanding((method, path) => {
      if (!first || method !== 'PATCH' || !path.endsWith(user.id)) return 0;
      first = false;
      onTheWire();
      return 2000;
    });
    const timer = runCycle(s.services, { drain: true });
    await sent;
    setEmail(s, 'T2', 'jane.doe@home.example');
    s.advance(1000);
    expect((await runResync(s.services, 'T2')).outcome).toMatchObject({ code: 'written' });
    await timer;
    const landed = patches(s.graph).map((r) => (r.body as { otherMails?: string[] }).otherMails?.[0]);
    // In the order Graph acted on them: the correction, the late typo, the correction again.
    expect(landed).toEqual(['jane.doe@home.example', 'jane.deo@home.example', 'jane.doe@home.example']);
    expect(otherMailsOf(s, 'T2')).toEqual(['jane.doe@home.example']);
    const row = await s.services.ledger.get('T2');
    expect(row?.writtenHashes?.otherMails).toBe(valueHash('jane.doe@home.example'));
    expect(row?.pendingWrites).toBeUndefined();
    expect(s.logLines.some((line) => line.includes('reached Graph after a newer plan'))).toBe(true);
  }, 60_000);
});

describe('resync applies the cycle guards (case 6)', () => {
  it('an employee and a contingent worker sharing an id are a conflict for resync as for the cycle', async () => {
    s = await startScenario(azurite, {
      world: world(
        [hybridWorker('7001'), hybridWorker('7001', { workerType: 'Contingent_Worker', employeeType: 'Contractor' })],
        [syncedUser('7001')],
      ),
      connector: soap(),
    });
    const resync = await runResync(s.services, '7001');
    expect(resync.outcome).toMatchObject({ code: 'conflict', reason: 'duplicateWorkerId' });
    const cycle = await runCycle(s.services, { drain: true });
    expect(cycle.counts.conflict).toBeGreaterThanOrEqual(1);
    expect(patches(s.graph)).toEqual([]);
  }, 60_000);

  it.each([
    ['a report (read in full)', baseConnector],
    ['Get_Workers (changes since the last read)', soap],
  ])(
    'two workers who moved to one mailbox since the last cycle are a conflict for resync: %s',
    async (_, connector) => {
      s = await startScenario(azurite, {
        world: world([hybridWorker('M1'), hybridWorker('M2')], [syncedUser('M1'), syncedUser('M2')]),
        connector: connector(),
      });
      await runCycle(s.services, { drain: true });
      const before = otherMailsOf(s, 'M1');
      setEmail(s, 'M1', 'shared.box@home.example');
      setEmail(s, 'M2', 'shared.box@home.example');
      const resync = await runResync(s.services, 'M1');
      expect(resync.outcome).toMatchObject({ code: 'conflict', reason: 'sharedPersonalEmail' });
      expect(otherMailsOf(s, 'M1')).toEqual(before);
      // M2 moves on: Workday's current data, not the ledger's memory, decides, and M1 is written.
      setEmail(s, 'M2', 'm2.elsewhere@home.example');
      const again = await runResync(s.services, 'M1');
      expect(again.outcome).toMatchObject({ code: 'written' });
      expect(otherMailsOf(s, 'M1')).toEqual(['shared.box@home.example']);
    },
    60_000,
  );
});
