import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors';
import { planCycle, type CycleOptions } from '../../src/core/cycle';
import { INCREMENTAL_OVERLAP_MS } from '../../src/core/workdayReads';
import type { LedgerEntry, RawRecord } from '../../src/core/ports';
import {
  connectorOf,
  DAY,
  drain,
  FakeDirectory,
  FakeLedger,
  FakeSource,
  dependenciesOf,
  rowOf,
  T0,
  userOf,
  type FakeDependencies,
} from './fakes';

const HOUR = 3600_000;

function options(overrides: Partial<CycleOptions> = {}): CycleOptions {
  return { runId: 'cycle-1', dryRun: false, approve: false, reverify: false, ...overrides };
}

function setup(records: RawRecord[], parts: Parameters<typeof dependenciesOf>[0] = {}): FakeDependencies {
  return dependenciesOf({ source: new FakeSource(records), ...parts });
}

/** Runs a cycle, then the jobs it enqueued, as the app does. */
async function cycleAndDrain(deps: FakeDependencies, runId: string, extra: Partial<CycleOptions> = {}) {
  const plan = await planCycle(deps, options({ runId, ...extra }));
  const outcomes = await drain(deps);
  return { plan, outcomes };
}

function soapSetup(
  records: RawRecord[],
  changed: () => RawRecord[],
  parts: Parameters<typeof dependenciesOf>[0] = {},
): FakeDependencies {
  return dependenciesOf({
    connector: connectorOf({ source: { kind: 'soap', fullReadEveryHours: 24 } }),
    source: new FakeSource(records, { kind: 'soap', supportsIncremental: true, changedSince: changed }),
    ...parts,
  });
}

const ids = (deps: FakeDependencies) => deps.queue.jobs.map((job) => job.workerId);

describe('planCycle', () => {
  it('enqueues one job per in-scope worker, carrying its validated fields', async () => {
    const deps = setup([rowOf('W1'), rowOf('W2', { CountryISO: 'fr' })]);
    const plan = await planCycle(deps, options());
    expect(plan).toMatchObject({ enqueued: 2, changes: 2, held: false, workersRead: 2, read: 'full', dryRun: false });
    expect(deps.queue.jobs[1]).toMatchObject({
      workerId: 'W2',
      runId: 'cycle-1',
      fields: { workerId: 'W2', personalEmail: 'w2@home.example', countryIso: 'FR' },
    });
    expect(deps.queue.jobs[1]?.dryRun).toBeUndefined();
  });

  it('passes the operation id on to every job', async () => {
    const deps = setup([rowOf('W1')]);
    await planCycle(deps, options({ operationId: 'op-7' }));
    expect(deps.queue.jobs[0]?.operationId).toBe('op-7');
  });

  it('gives every worker read exactly one outcome', async () => {
    const deps = setup([
      rowOf('W1'),
      rowOf('W2', { Worker_Type: 'Intern' }),
      rowOf('W3', { CountryISO: 'XX' }),
      { personalEmail: 'x@home.example' },
      rowOf('W5'),
      rowOf('w5'),
    ]);
    const plan = await planCycle(deps, options());
    for (const outcome of await drain(deps)) plan.tally.add(outcome);
    expect(plan.tally.total()).toBe(6);
    expect(plan.tally.counts()).toMatchObject({ escrowed: 1, outOfScope: 1, rejected: 2, conflict: 2 });
  });

  it('sends at most one PATCH per user, carrying only mapped properties, even when jobs are redelivered', async () => {
    const EXT = 'extension_0123456789abcdef0123456789abcdef_costCenter';
    const users = ['W1', 'W2', 'W3'].map((id) =>
      userOf({ id: `user-${id}`, employeeId: id, otherMails: ['old@home.example'], extensions: { [EXT]: 'CC1' } }),
    );
    const deps = setup([rowOf('W1'), rowOf('W2'), rowOf('W3', { CountryISO: 'FR' })], {
      directory: new FakeDirectory(users),
    });
    await planCycle(deps, options());
    const jobs = [...deps.queue.jobs];
    await drain(deps);
    await deps.queue.enqueue(jobs);
    const again = await drain(deps);
    expect(again.map((outcome) => outcome.reason)).toEqual(['alreadyApplied', 'alreadyApplied', 'alreadyApplied']);
    expect(deps.directory.updates.map((update) => update.userId)).toEqual(['user-W1', 'user-W2', 'user-W3']);
    for (const { patch } of deps.directory.updates)
      expect(Object.keys(patch).sort()).toEqual(['otherMails', 'usageLocation']);
  });

  it('rejects a worker with bad data and records why, without a job', async () => {
    const deps = setup([rowOf('W1', { personalEmail: 'josé@home.example' })]);
    const plan = await planCycle(deps, options());
    expect(plan.enqueued).toBe(0);
    expect(plan.tally.counts().rejected).toBe(1);
    expect(deps.ledger.entries.get('W1')).toMatchObject({
      lastOutcome: 'rejected',
      reason: 'accentedEmail',
      runId: 'cycle-1',
    });
    expect(deps.ledger.entries.get('W1')?.desiredHash).toBeUndefined();
  });

  it('counts a record without a worker id as rejected and keeps it out of the ledger', async () => {
    const deps = setup([{ WorkerID: '', Worker_Type: 'Employee' }]);
    const plan = await planCycle(deps, options());
    expect(plan.tally.counts().rejected).toBe(1);
    expect(deps.ledger.writes).toEqual([]);
  });

  it('records an out-of-scope worker without a job', async () => {
    const deps = setup([rowOf('W1', { Worker_Type: 'Intern' })]);
    const plan = await planCycle(deps, options());
    expect(plan.enqueued).toBe(0);
    expect(deps.ledger.entries.get('W1')).toMatchObject({ lastOutcome: 'outOfScope', reason: 'notInScope' });
  });

  it('does not rewrite the ledger for a worker whose planning outcome did not change', async () => {
    const deps = setup([rowOf('W1', { Worker_Type: 'Intern' })]);
    await planCycle(deps, options());
    await planCycle(deps, options({ runId: 'cycle-2' }));
    expect(deps.ledger.writes).toHaveLength(1);
  });

  it('reports a worker in both scopes as a conflict and never enqueues it', async () => {
    const connector = connectorOf({
      cloudOnlyScope: [[{ attribute: 'Company', operator: 'EQUALS', value: 'Cloud Co' }]],
    });
    const deps = setup([rowOf('W1', { Company: { Descriptor: 'Cloud Co' } })], { connector });
    const plan = await planCycle(deps, options());
    expect(plan.enqueued).toBe(0);
    expect(deps.ledger.entries.get('W1')).toMatchObject({ lastOutcome: 'conflict', reason: 'inBothScopes' });
  });

  it('rejects a personal email in a blocked domain', async () => {
    const connector = connectorOf({ guards: { blockedEmailDomains: ['contoso.com'] } });
    const deps = setup([rowOf('W1', { personalEmail: 'jane@mail.contoso.com' })], { connector });
    const plan = await planCycle(deps, options());
    expect(plan.enqueued).toBe(0);
    expect(deps.ledger.entries.get('W1')).toMatchObject({ lastOutcome: 'rejected', reason: 'blockedEmailDomain' });
  });

  it('reports workers sharing one id (whatever its case) as conflicts and enqueues neither', async () => {
    const deps = setup([
      rowOf('W1', { personalEmail: 'a@home.example' }),
      rowOf('w1', { personalEmail: 'b@home.example' }),
      rowOf('W2'),
    ]);
    const plan = await planCycle(deps, options());
    expect(ids(deps)).toEqual(['W2']);
    expect(deps.ledger.entries.get('W1')?.reason).toBe('duplicateWorkerId');
    expect(deps.ledger.entries.get('w1')?.reason).toBe('duplicateWorkerId');
    expect(plan.tally.counts().conflict).toBe(2);
  });

  it('reports every worker sharing a personal email as a conflict, whatever its case', async () => {
    const deps = setup([
      rowOf('W1', { personalEmail: 'shared@home.example' }),
      rowOf('W2', { personalEmail: 'Shared@Home.example' }),
      rowOf('W3'),
    ]);
    const plan = await planCycle(deps, options());
    expect(ids(deps)).toEqual(['W3']);
    expect(deps.ledger.entries.get('W1')).toMatchObject({ lastOutcome: 'conflict', reason: 'sharedPersonalEmail' });
    expect(deps.ledger.entries.get('W2')).toMatchObject({ lastOutcome: 'conflict', reason: 'sharedPersonalEmail' });
    expect(JSON.stringify([...deps.ledger.entries.values()])).not.toContain('shared@');
    expect(plan.tally.counts().conflict).toBe(2);
  });

  it('enqueues a worker again once its shared-email conflict is resolved', async () => {
    const deps = setup([
      rowOf('W1', { personalEmail: 'shared@home.example' }),
      rowOf('W2', { personalEmail: 'shared@home.example' }),
    ]);
    await planCycle(deps, options());
    deps.source.records = [
      rowOf('W1', { personalEmail: 'shared@home.example' }),
      rowOf('W2', { personalEmail: 'own@home.example' }),
    ];
    await planCycle(deps, options({ runId: 'cycle-2' }));
    expect(ids(deps)).toEqual(['W1', 'W2']);
  });

  it('does not enqueue a worker the ledger says was written with the same desired state', async () => {
    const deps = setup([rowOf('W1'), rowOf('W2')], {
      directory: new FakeDirectory([userOf({ id: 'u1', employeeId: 'W1' }), userOf({ id: 'u2', employeeId: 'W2' })]),
    });
    await cycleAndDrain(deps, 'cycle-1');
    deps.source.records = [rowOf('W1'), rowOf('W2', { CountryISO: 'FR' })];
    const plan = await planCycle(deps, options({ runId: 'cycle-2' }));
    expect(ids(deps)).toEqual(['W2']);
    expect(plan.changes).toBe(1);
    expect(plan.tally.counts().unchanged).toBe(1);
  });

  it('does not enqueue a denied worker again while its data is unchanged, and still counts it', async () => {
    const deps = setup([rowOf('W1')], { directory: new FakeDirectory([userOf()]) });
    deps.directory.refuseUpdate.set('user-1', {
      status: 'denied',
      code: 'Authorization_RequestDenied',
      message: 'privileged',
    });
    await cycleAndDrain(deps, 'cycle-1');
    const plan = await planCycle(deps, options({ runId: 'cycle-2' }));
    expect(plan.enqueued).toBe(0);
    expect(plan.tally.counts().denied).toBe(1);
  });

  it('leaves an unchanged escrowed worker to the sweep, and counts it as escrowed', async () => {
    const deps = setup([rowOf('W1')]);
    await cycleAndDrain(deps, 'cycle-1');
    const plan = await planCycle(deps, options({ runId: 'cycle-2' }));
    expect(plan).toMatchObject({ enqueued: 0, changes: 0 });
    expect(plan.tally.counts().escrowed).toBe(1);
  });

  it('enqueues an escrowed worker whose data changed, or on --reverify', async () => {
    const deps = setup([rowOf('W1')]);
    await cycleAndDrain(deps, 'cycle-1');
    expect((await planCycle(deps, options({ runId: 'cycle-2', reverify: true }))).enqueued).toBe(1);
    deps.queue.take();
    deps.source.records[0] = rowOf('W1', { personalEmail: 'new.address@home.example' });
    expect((await planCycle(deps, options({ runId: 'cycle-3' }))).enqueued).toBe(1);
  });

  it('re-verifies a settled worker once reverifyEveryHours has passed', async () => {
    const deps = setup([rowOf('W1')], { directory: new FakeDirectory([userOf()]) });
    await cycleAndDrain(deps, 'cycle-1');
    deps.clock.advance(23 * HOUR);
    expect((await planCycle(deps, options({ runId: 'cycle-2' }))).enqueued).toBe(0);
    deps.clock.advance(HOUR);
    expect((await planCycle(deps, options({ runId: 'cycle-3' }))).enqueued).toBe(1);
  });

  // So that granting a missing permission does not leave every worker denied for good.
  it('re-checks a denied worker once reverifyEveryHours has passed', async () => {
    const deps = setup([rowOf('W1')], {
      directory: new FakeDirectory([userOf()]),
      connector: connectorOf({ guards: { maxWritesPerCycle: 10, reverifyEveryHours: 24 } }),
    });
    deps.directory.refuseUpdate.set('user-1', {
      status: 'denied',
      code: 'Authorization_RequestDenied',
      message: 'privileged',
    });
    await cycleAndDrain(deps, 'cycle-1');
    deps.clock.advance(HOUR);
    expect((await planCycle(deps, options({ runId: 'cycle-2' }))).enqueued).toBe(0);
    deps.clock.advance(24 * HOUR);
    expect((await planCycle(deps, options({ runId: 'cycle-3' }))).enqueued).toBe(1);
  });

  it('re-verifies every worker with --reverify, without counting them as changes', async () => {
    const deps = setup([rowOf('W1')], { directory: new FakeDirectory([userOf()]) });
    await cycleAndDrain(deps, 'cycle-1');
    const plan = await planCycle(deps, options({ runId: 'cycle-2', reverify: true }));
    expect(plan).toMatchObject({ enqueued: 1, changes: 0 });
  });

  describe('mass-change guard', () => {
    const guarded = (max: number) => connectorOf({ guards: { maxWritesPerCycle: max } });

    it('lets exactly maxWritesPerCycle changes through', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2')], { connector: guarded(2) });
      expect((await planCycle(deps, options())).held).toBe(false);
    });

    it('holds a cycle over maxWritesPerCycle: nothing enqueued, every planned worker held', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2'), rowOf('W3')], { connector: guarded(2) });
      const plan = await planCycle(deps, options());
      expect(plan).toMatchObject({ held: true, enqueued: 0, changes: 3, approvedBy: null });
      expect(deps.queue.calls).toEqual([]);
      expect(plan.tally.counts().held).toBe(3);
      expect(deps.ledger.entries.get('W1')).toMatchObject({ lastOutcome: 'held', reason: 'maxWritesPerCycle' });
      expect(deps.logger.lines.some((line) => line.level === 'warn' && /held/.test(line.message))).toBe(true);
    });

    it('a job queued before the hold writes nothing: the held data is not approved, the older data is stale', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2'), rowOf('W3')], {
        connector: guarded(5),
        directory: new FakeDirectory([
          userOf({ id: 'u1', employeeId: 'W1' }),
          userOf({ id: 'u2', employeeId: 'W2' }),
          userOf({ id: 'u3', employeeId: 'W3' }),
        ]),
      });
      await planCycle(deps, options({ runId: 'cycle-1' }));
      // The jobs wait in the queue; every email changes; the next cycle is held.
      deps.source.records = ['W1', 'W2', 'W3'].map((id) => rowOf(id, { personalEmail: `${id}.new@home.example` }));
      deps.connector.guards.maxWritesPerCycle = 2;
      deps.clock.advance(60_000);
      const held = await planCycle(deps, options({ runId: 'cycle-2' }));
      expect(held.held).toBe(true);
      const outcomes = await drain(deps);
      expect(outcomes).toEqual([]);
      expect(deps.directory.updates).toEqual([]);
    });

    it('holds on any change with maxWritesPerCycle 0', async () => {
      const deps = setup([rowOf('W1')], { connector: guarded(0) });
      expect((await planCycle(deps, options())).held).toBe(true);
    });

    it('still counts a held change as a change in the next cycle', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2'), rowOf('W3')], {
        connector: guarded(2),
        directory: new FakeDirectory([userOf({ id: 'u1', employeeId: 'W1' })]),
      });
      deps.connector.guards.maxWritesPerCycle = 5;
      await cycleAndDrain(deps, 'cycle-1');
      deps.connector.guards.maxWritesPerCycle = 2;
      deps.source.records = [
        rowOf('W1', { CountryISO: 'FR' }),
        rowOf('W2', { CountryISO: 'FR' }),
        rowOf('W3', { CountryISO: 'FR' }),
      ];
      expect((await planCycle(deps, options({ runId: 'cycle-2' }))).held).toBe(true);
      const next = await planCycle(deps, options({ runId: 'cycle-3' }));
      expect(next).toMatchObject({ held: true, changes: 3 });
    });

    it('lets a held cycle through with --approve', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2'), rowOf('W3')], { connector: guarded(2) });
      await planCycle(deps, options());
      const plan = await planCycle(deps, options({ runId: 'cycle-2', approve: true }));
      expect(plan).toMatchObject({ held: false, enqueued: 3, approvedBy: 'flag' });
    });

    it('lets the next cycle through once when APPROVE_HELD_CYCLE names the latest held cycle', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2'), rowOf('W3')], {
        connector: guarded(2),
        approveHeldCycle: 'cycle-1',
      });
      const held = await planCycle(deps, options());
      await deps.runs.record({
        runId: 'cycle-1',
        kind: 'cycle',
        startedAt: held.startedAt,
        durationMs: 1,
        dryRun: false,
        approved: false,
        held: true,
        counts: held.tally.counts(),
        enqueued: 0,
        graphRequests: 0,
        graphThrottled: 0,
        workdayReadMs: 0,
      });
      deps.clock.advance(HOUR);
      const approved = await planCycle(deps, options({ runId: 'cycle-2' }));
      expect(approved).toMatchObject({ held: false, enqueued: 3, approvedBy: 'setting' });
      await deps.runs.record({
        runId: 'cycle-2',
        kind: 'cycle',
        startedAt: approved.startedAt,
        durationMs: 1,
        dryRun: false,
        approved: true,
        held: false,
        counts: approved.tally.counts(),
        enqueued: 3,
        graphRequests: 0,
        graphThrottled: 0,
        workdayReadMs: 0,
      });
      deps.source.records = [
        rowOf('W1', { CountryISO: 'FR' }),
        rowOf('W2', { CountryISO: 'FR' }),
        rowOf('W3', { CountryISO: 'FR' }),
      ];
      expect((await planCycle(deps, options({ runId: 'cycle-3' }))).held).toBe(true);
    });

    // Sweeps (every minute by default) and resyncs record runs too: the held cycle is rarely the latest run.
    it('still approves the held cycle with APPROVE_HELD_CYCLE when sweeps ran in between', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2'), rowOf('W3')], {
        connector: guarded(2),
        approveHeldCycle: 'cycle-1',
      });
      const held = await planCycle(deps, options());
      await deps.runs.record({
        runId: 'cycle-1',
        kind: 'cycle',
        startedAt: held.startedAt,
        durationMs: 1,
        dryRun: false,
        approved: false,
        held: true,
        counts: held.tally.counts(),
        enqueued: 0,
        graphRequests: 0,
        graphThrottled: 0,
        workdayReadMs: 0,
      });
      deps.clock.advance(60_000);
      await deps.runs.record({
        runId: 'sweep-1',
        kind: 'sweep',
        startedAt: deps.clock.now(),
        durationMs: 1,
        dryRun: false,
        approved: false,
        held: false,
        counts: held.tally.counts(),
        enqueued: 0,
        graphRequests: 0,
        graphThrottled: 0,
        workdayReadMs: 0,
      });
      deps.clock.advance(29 * 60_000);
      expect(await planCycle(deps, options({ runId: 'cycle-2' }))).toMatchObject({
        held: false,
        enqueued: 3,
        approvedBy: 'setting',
      });
    });

    it('ignores APPROVE_HELD_CYCLE naming a cycle that is not the latest held one', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2'), rowOf('W3')], {
        connector: guarded(2),
        approveHeldCycle: 'cycle-0',
      });
      expect((await planCycle(deps, options())).held).toBe(true);
    });

    it('counts changes against the ledger, so re-verifications and escrow retries are not changes', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2'), rowOf('W3')], { connector: guarded(5) });
      await cycleAndDrain(deps, 'cycle-1');
      deps.connector.guards.maxWritesPerCycle = 0;
      const plan = await planCycle(deps, options({ runId: 'cycle-2', reverify: true }));
      expect(plan).toMatchObject({ held: false, changes: 0, enqueued: 3 });
    });
  });

  describe('dry run', () => {
    it('flags every job as a dry run and records nothing in the ledger', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2', { Worker_Type: 'Intern' })]);
      const plan = await planCycle(deps, options({ dryRun: true }));
      expect(plan.dryRun).toBe(true);
      expect(deps.queue.jobs.map((job) => job.dryRun)).toEqual([true]);
      expect(deps.ledger.writes).toEqual([]);
    });

    it('with DRY_RUN set, flags the jobs too', async () => {
      const deps = setup([rowOf('W1')], { dryRun: true });
      expect((await planCycle(deps, options())).dryRun).toBe(true);
      expect(deps.queue.jobs[0]?.dryRun).toBe(true);
    });

    it('writes nothing to the directory, ledger, escrow or watermarks, end to end', async () => {
      const deps = soapSetup([rowOf('W1'), rowOf('W2')], () => [], { directory: new FakeDirectory([userOf()]) });
      await cycleAndDrain(deps, 'cycle-1', { dryRun: true });
      expect(deps.directory.writes).toEqual([]);
      expect(deps.ledger.writes).toEqual([]);
      expect(deps.escrow.puts).toEqual([]);
      expect(deps.watermarks.sets).toEqual([]);
    });

    it('plans as if approved with --approve and still writes nothing', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2')], {
        connector: connectorOf({ guards: { maxWritesPerCycle: 1 } }),
        directory: new FakeDirectory([userOf()]),
      });
      const { plan } = await cycleAndDrain(deps, 'cycle-1', { dryRun: true, approve: true });
      expect(plan).toMatchObject({ held: false, enqueued: 2 });
      expect(deps.directory.writes).toEqual([]);
    });

    it('plans in full, says a real cycle would be held, and records nothing', async () => {
      const deps = setup([rowOf('W1'), rowOf('W2')], { connector: connectorOf({ guards: { maxWritesPerCycle: 1 } }) });
      const plan = await planCycle(deps, options({ dryRun: true }));
      expect(plan).toMatchObject({ held: false, wouldBeHeld: true, enqueued: 2 });
      expect(deps.queue.jobs.every((job) => job.dryRun === true)).toBe(true);
      expect(deps.ledger.writes).toEqual([]);
    });
  });

  describe('a failed read', () => {
    it('enqueues nothing and records nothing when the source throws midway', async () => {
      const records = [rowOf('W1'), rowOf('W2', { Worker_Type: 'Intern' }), rowOf('W3'), rowOf('W4')];
      const deps = soapSetup(records, () => records);
      deps.source.throwAfter = 3;
      await expect(planCycle(deps, options())).rejects.toMatchObject({ code: 'WORKDAY.UNAVAILABLE', transient: true });
      expect(deps.queue.calls).toEqual([]);
      expect(deps.ledger.writes).toEqual([]);
      expect(deps.watermarks.sets).toEqual([]);
    });

    it('turns anything else the source throws into a WORKDAY error', async () => {
      const deps = setup([]);
      deps.source.readWorkers = async function* () {
        yield rowOf('W1');
        throw new TypeError('unexpected token in JSON');
      };
      await expect(planCycle(deps, options())).rejects.toMatchObject({ code: 'WORKDAY.BAD_RESPONSE' });
      expect(deps.queue.calls).toEqual([]);
    });
  });

  describe('incremental reads', () => {
    it('reads a RaaS report in full every time and keeps no watermark', async () => {
      const deps = setup([rowOf('W1')]);
      await planCycle(deps, options());
      expect((await planCycle(deps, options({ runId: 'cycle-2' }))).read).toBe('full');
      expect(deps.source.reads.every((read) => read.updatedFrom === undefined)).toBe(true);
      expect(deps.watermarks.sets).toEqual([]);
    });

    it('reads SOAP in full first, then only the changes since the last read', async () => {
      const deps = soapSetup([rowOf('W1'), rowOf('W2')], () => [rowOf('W2', { CountryISO: 'FR' })]);
      expect((await planCycle(deps, options())).read).toBe('full');
      await drain(deps);
      expect(deps.watermarks.values.get('soap:lastRead')).toEqual(T0);
      expect(deps.watermarks.values.get('soap:lastFullRead')).toEqual(T0);
      deps.clock.advance(HOUR);
      const plan = await planCycle(deps, options({ runId: 'cycle-2' }));
      expect(plan).toMatchObject({ read: 'incremental', workersRead: 1 });
      // The window overlaps the last one, so a late commit or a skewed clock is read again, not missed.
      expect(deps.source.reads[1]).toEqual({
        updatedFrom: new Date(T0.getTime() - INCREMENTAL_OVERLAP_MS),
        asOf: new Date(T0.getTime() + HOUR),
      });
      expect(deps.watermarks.values.get('soap:lastRead')).toEqual(new Date(T0.getTime() + HOUR));
      expect(deps.watermarks.values.get('soap:lastFullRead')).toEqual(T0);
    });

    it('reads in full again after fullReadEveryHours', async () => {
      const deps = soapSetup([rowOf('W1')], () => []);
      await planCycle(deps, options());
      deps.clock.advance(24 * HOUR);
      expect((await planCycle(deps, options({ runId: 'cycle-2' }))).read).toBe('full');
    });

    it('reads in full when asked to, or to re-verify', async () => {
      const deps = soapSetup([rowOf('W1')], () => []);
      await planCycle(deps, options());
      expect((await planCycle(deps, options({ runId: 'cycle-2', fullRead: true }))).read).toBe('full');
      expect((await planCycle(deps, options({ runId: 'cycle-3', reverify: true }))).read).toBe('full');
    });

    // Loading a large ledger takes seconds: changes entered in Workday meanwhile must be read next time.
    it('moves the watermark to the moment the read was pinned to, not to when planning ended', async () => {
      const deps = soapSetup([rowOf('W1')], () => []);
      const ledgerList = deps.ledger.list.bind(deps.ledger);
      deps.ledger.list = async function* () {
        deps.clock.advance(5_000);
        yield* ledgerList();
      };
      await planCycle(deps, options());
      expect(deps.watermarks.values.get('soap:lastRead')).toEqual(deps.source.reads[0]!.asOf);
    });

    it('a worker that cannot be read again by id waits for the next cycle; the changes still go through', async () => {
      const deps = soapSetup([rowOf('W1'), rowOf('W2')], () => [rowOf('W2', { CountryISO: 'FR' })], {
        directory: new FakeDirectory([userOf({ id: 'u2', employeeId: 'W2' })]),
      });
      await cycleAndDrain(deps, 'cycle-1'); // W1 has no user: escrowed; mark it failed to be retried by id
      const w1 = deps.ledger.entries.get('W1');
      if (w1) deps.ledger.seed({ ...w1, lastOutcome: 'failed' });
      deps.source.readWorker = async (id) => {
        if (id === 'W1') throw new AppError('WORKDAY.UNAVAILABLE', 'Workday answered 503', { transient: true });
        return null;
      };
      deps.clock.advance(HOUR);
      const plan = await planCycle(deps, options({ runId: 'cycle-2' }));
      expect(plan).toMatchObject({ read: 'incremental', enqueued: 1 });
      expect(
        deps.logger.lines.some((l) => l.level === 'warn' && l.message.includes('W1 could not be read again')),
      ).toBe(true);
    });

    it('workers that cannot be read again in one batch wait for the next cycle; the changes still go through', async () => {
      const deps = soapSetup([rowOf('W1'), rowOf('W2')], () => [rowOf('W2', { CountryISO: 'FR' })], {
        directory: new FakeDirectory([userOf({ id: 'u2', employeeId: 'W2' })]),
      });
      await cycleAndDrain(deps, 'cycle-1');
      const w1 = deps.ledger.entries.get('W1');
      if (w1) deps.ledger.seed({ ...w1, lastOutcome: 'failed' });
      const asked: string[][] = [];
      deps.source.readWorkersByIds = async function* (ids) {
        asked.push([...ids]);
        yield* [];
        throw new AppError('WORKDAY.UNAVAILABLE', 'Workday answered 503', { transient: true });
      };
      deps.clock.advance(HOUR);
      const plan = await planCycle(deps, options({ runId: 'cycle-2' }));
      expect(plan).toMatchObject({ read: 'incremental', enqueued: 1 });
      expect(asked).toEqual([['W1']]);
      expect(
        deps.logger.lines.some((l) => l.level === 'warn' && l.message.includes('1 worker could not be read again')),
      ).toBe(true);
    });

    it('does not move the watermark when the read fails', async () => {
      const deps = soapSetup([rowOf('W1')], () => [rowOf('W1')]);
      await planCycle(deps, options());
      deps.clock.advance(HOUR);
      deps.source.throwAfter = 0;
      await expect(planCycle(deps, options({ runId: 'cycle-2' }))).rejects.toThrow();
      expect(deps.watermarks.values.get('soap:lastRead')).toEqual(T0);
    });

    // Regression, fixed: a held cycle still commits the watermark, so the next incremental read starts after the
    // held changes and never sees them again: `cycle --approve` lets nothing through and the held
    // workers wait for the next full read (up to fullReadEveryHours). Fix: do not commit the
    // watermark of a held cycle (or force a full read when approving).
    it('lets the changes of a held incremental cycle through on approval', async () => {
      const deps = soapSetup([rowOf('W1'), rowOf('W2'), rowOf('W3')], () => [], {
        connector: connectorOf({ source: { kind: 'soap' }, guards: { maxWritesPerCycle: 2 } }),
      });
      expect((await planCycle(deps, options())).held).toBe(true);
      deps.clock.advance(HOUR);
      const approved = await planCycle(deps, options({ runId: 'cycle-2', approve: true }));
      expect(approved.enqueued).toBe(3);
    });

    // The ledger keeps a hash of each worker's personal email, so an incremental read that sees
    // only the changed worker still finds the mailbox it now shares with an unread one.
    it('finds a shared personal email when only one of the two workers changed', async () => {
      const all = [rowOf('W1', { personalEmail: 'mine@home.example' }), rowOf('W2')];
      const deps = soapSetup(all, () => [rowOf('W2', { personalEmail: 'mine@home.example' })]);
      await planCycle(deps, options());
      await drain(deps);
      deps.clock.advance(HOUR);
      await planCycle(deps, options({ runId: 'cycle-2' }));
      expect(ids(deps)).toEqual([]);
      expect(deps.ledger.entries.get('W2')?.reason).toBe('sharedPersonalEmail');
    });
  });

  it('keeps ledger state it does not own when recording a planning outcome', async () => {
    const previous: LedgerEntry = {
      workerId: 'W1',
      lastOutcome: 'written',
      runId: 'cycle-0',
      updatedAt: new Date(T0.getTime() - DAY),
      desiredHash: 'h',
      writtenHashes: { otherMails: 'x' },
      userId: 'user-1',
    };
    const deps = setup([rowOf('W1', { Worker_Type: 'Intern' })], { ledger: new FakeLedger([previous]) });
    await planCycle(deps, options());
    expect(deps.ledger.entries.get('W1')).toMatchObject({
      lastOutcome: 'outOfScope',
      writtenHashes: { otherMails: 'x' },
    });
  });
});
