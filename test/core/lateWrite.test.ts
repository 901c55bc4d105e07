import { describe, expect, it } from 'vitest';
import { enrichWorker } from '../../src/core/enrichWorker';
import { valueHash } from '../../src/core/mapping';
import type { WorkerJob } from '../../src/core/ports';
import { recordPlans } from '../../src/core/recordPlans';
import { connectorOf, type FakeDependencies, FakeDirectory, jobOf, dependenciesOf, T0, userOf } from './fakes';

const TYPO = { personalEmail: 'jane.deo@home.example', countryIso: 'GB' };
const FIXED = { personalEmail: 'jane.doe@home.example', countryIso: 'GB' };

/** Records a plan as the cycle or resync does (its fields, version and hash), returning the job it enqueues. */
async function plan(deps: FakeDependencies, job: WorkerJob, version: number): Promise<WorkerJob> {
  const [recorded] = await recordPlans(deps, {
    runId: job.runId,
    version,
    now: new Date(version),
    ledger: new Map(),
    escrow: new Map(),
    decided: [],
    held: [],
    jobs: [job],
  });
  if (!recorded) throw new Error('plan not recorded');
  return recorded;
}

const mergeConnector = () =>
  connectorOf({ mappings: [{ source: 'personalEmail', target: 'otherMails', mode: 'merge', onSourceEmpty: 'keep' }] });

describe('a late write (Graph has no conditional write)', () => {
  it('is stopped at the wire when a newer plan is recorded while the write waits', async () => {
    const deps = dependenciesOf({ directory: new FakeDirectory([userOf()]) });
    const old = await plan(deps, jobOf('W1', TYPO, { runId: 'cycle-1' }), T0.getTime());
    deps.directory.onTheWay = async () => {
      await plan(deps, jobOf('W1', FIXED, { runId: 'resync-1' }), T0.getTime() + 1000);
    };
    expect(await enrichWorker(old, deps)).toBeNull();
    expect(deps.directory.updates).toEqual([]);
    expect(deps.directory.notSent).toEqual(['updateUser']);
    const row = deps.ledger.entries.get('W1');
    expect(row?.lastOutcome).toBeUndefined();
    expect(row?.pendingWrites).toBeUndefined();
  });

  it('that lands after the newer plan was written claims nothing and the newest plan is written again', async () => {
    const deps = dependenciesOf({ directory: new FakeDirectory([userOf()]) });
    const old = await plan(deps, jobOf('W1', TYPO, { runId: 'cycle-1' }), T0.getTime());
    const fixed = jobOf('W1', FIXED, { runId: 'resync-1' });
    deps.directory.onTheWire = async () => {
      // The operator fixes the email and resyncs while the old PATCH is on its way.
      const newer = await plan(deps, fixed, T0.getTime() + 1000);
      expect(await enrichWorker(newer, deps)).toMatchObject({ code: 'written' });
    };
    expect(await enrichWorker(old, deps)).toBeNull();
    expect(deps.directory.updates.map((u) => u.patch.otherMails)).toEqual([
      ['jane.deo@home.example'],
      ['jane.doe@home.example'],
      ['jane.doe@home.example'],
    ]);
    expect(deps.directory.user('user-1').otherMails).toEqual(['jane.doe@home.example']);
    const row = deps.ledger.entries.get('W1');
    expect(row).toMatchObject({ lastOutcome: 'written', desiredHash: fixed.desiredHash });
    expect(row?.writtenHashes?.otherMails).toBe(valueHash('jane.doe@home.example'));
    expect(row?.pendingWrites).toBeUndefined();
    expect(row?.addedHashes).toContain(valueHash('jane.deo@home.example'));
    expect(deps.logger.lines.some((l) => l.properties?.event === 'lateWrite' && l.level === 'warn')).toBe(true);
  });

  it('in merge mode never merges its hashes over the newer plan, so the typo is retired later', async () => {
    const deps = dependenciesOf({
      connector: mergeConnector(),
      directory: new FakeDirectory([userOf({ otherMails: ['keep@work.example'] })]),
    });
    const connector = deps.connector;
    const old = await plan(deps, jobOf('W1', TYPO, { runId: 'cycle-1' }, connector), T0.getTime());
    deps.directory.onTheWire = async () => {
      const newer = await plan(deps, jobOf('W1', FIXED, { runId: 'cycle-2' }, connector), T0.getTime() + 1000);
      await enrichWorker(newer, deps);
    };
    expect(await enrichWorker(old, deps)).toBeNull();
    expect(deps.directory.user('user-1').otherMails).toEqual(['keep@work.example', 'jane.doe@home.example']);
    expect(deps.ledger.entries.get('W1')?.writtenHashes?.otherMails).toBe(valueHash('jane.doe@home.example'));
  });

  it('merge: an instance that dies after its PATCH leaves a write-ahead record, so the newer plan retires that address', async () => {
    const deps = dependenciesOf({
      connector: mergeConnector(),
      directory: new FakeDirectory([userOf({ otherMails: ['keep@work.example'] })]),
    });
    const connector = deps.connector;
    const old = await plan(deps, jobOf('W1', TYPO, { runId: 'cycle-1' }, connector), T0.getTime());
    deps.directory.onTheWire = async () => {
      // The PATCH lands, then the instance dies before its record.
      deps.ledger.beforeWrite = () => {
        throw new Error('instance died');
      };
    };
    await expect(enrichWorker(old, deps)).rejects.toThrow('instance died');
    expect(deps.directory.user('user-1').otherMails).toEqual(['keep@work.example', 'jane.deo@home.example']);
    // Workday changes the email before the message comes back; the new plan's job runs first.
    const newer = await plan(deps, jobOf('W1', FIXED, { runId: 'cycle-2' }, connector), T0.getTime() + 60_000);
    expect(await enrichWorker(newer, deps)).toMatchObject({ code: 'written' });
    expect(deps.directory.user('user-1').otherMails).toEqual(['keep@work.example', 'jane.doe@home.example']);
    // The redelivered old job is superseded; it ends its own write-ahead record.
    expect(await enrichWorker(old, deps)).toBeNull();
    expect(deps.directory.user('user-1').otherMails).toEqual(['keep@work.example', 'jane.doe@home.example']);
    expect(deps.ledger.entries.get('W1')?.pendingWrites).toBeUndefined();
  });

  it('whose answer was lost, and whose retry the guard then stopped, is repaired: it may have landed after the newer write', async () => {
    const deps = dependenciesOf({ directory: new FakeDirectory([userOf()]) });
    const old = await plan(deps, jobOf('W1', TYPO, { runId: 'cycle-1' }), T0.getTime());
    deps.directory.onTheWire = async () => {
      const newer = await plan(deps, jobOf('W1', FIXED, { runId: 'resync-1' }), T0.getTime() + 1000);
      expect(await enrichWorker(newer, deps)).toMatchObject({ code: 'written' });
    };
    // The old PATCH lands after the newer one; its answer is lost, and its retry is stopped unsent.
    deps.directory.loseAnswer = true;
    expect(await enrichWorker(old, deps)).toBeNull();
    expect(deps.directory.notSent).toEqual(['updateUser']);
    expect(deps.directory.user('user-1').otherMails).toEqual(['jane.doe@home.example']);
    const row = deps.ledger.entries.get('W1');
    expect(row?.writtenHashes?.otherMails).toBe(valueHash('jane.doe@home.example'));
    expect(row?.pendingWrites).toBeUndefined();
  });

  it('refused by Graph after a newer plan was recorded claims nothing and leaves no write-ahead record behind', async () => {
    const deps = dependenciesOf({ directory: new FakeDirectory([userOf()]) });
    const old = await plan(deps, jobOf('W1', TYPO, { runId: 'cycle-1' }), T0.getTime());
    deps.directory.refuseUpdate.set('user-1', { status: 'denied', code: 'Authorization_RequestDenied', message: 'no' });
    deps.directory.onTheWire = async () => {
      await plan(deps, jobOf('W1', FIXED, { runId: 'cycle-2' }), T0.getTime() + 1000);
    };
    expect(await enrichWorker(old, deps)).toBeNull();
    const row = deps.ledger.entries.get('W1');
    expect(row?.lastOutcome).toBeUndefined();
    expect(row?.pendingWrites).toBeUndefined();
  });

  it('a redelivery of a job that died after its late PATCH writes the newest plan again', async () => {
    const deps = dependenciesOf({ directory: new FakeDirectory([userOf()]) });
    const old = await plan(deps, jobOf('W1', TYPO, { runId: 'cycle-1' }), T0.getTime());
    deps.directory.onTheWire = async () => {
      const newer = await plan(deps, jobOf('W1', FIXED, { runId: 'resync-1' }), T0.getTime() + 1000);
      await enrichWorker(newer, deps);
      deps.ledger.beforeWrite = () => {
        throw new Error('instance died');
      };
    };
    await expect(enrichWorker(old, deps)).rejects.toThrow('instance died');
    expect(deps.directory.user('user-1').otherMails).toEqual(['jane.deo@home.example']);
    expect(await enrichWorker(old, deps)).toBeNull();
    expect(deps.directory.user('user-1').otherMails).toEqual(['jane.doe@home.example']);
    expect(deps.ledger.entries.get('W1')?.pendingWrites).toBeUndefined();
  });
});

describe('what a write claims', () => {
  it('is every desired value the user holds after it, not an older value for a property the PATCH did not carry', async () => {
    // An older job's late PATCH already put GB in place; the row still claims the FR written before.
    const deps = dependenciesOf({
      directory: new FakeDirectory([userOf({ otherMails: ['jane.deo@home.example'], usageLocation: 'GB' })]),
    });
    deps.ledger.seed({
      workerId: 'W1',
      lastOutcome: 'written',
      runId: 'cycle-0',
      updatedAt: T0,
      writtenHashes: { otherMails: valueHash('jane.old@home.example'), usageLocation: valueHash('FR') },
    });
    const newest = await plan(deps, jobOf('W1', FIXED, { runId: 'cycle-2' }), T0.getTime() + 1000);
    expect(await enrichWorker(newest, deps)).toMatchObject({ code: 'written' });
    expect(deps.directory.updates.map((u) => u.patch)).toEqual([{ otherMails: ['jane.doe@home.example'] }]);
    expect(deps.ledger.entries.get('W1')?.writtenHashes).toEqual({
      otherMails: valueHash('jane.doe@home.example'),
      usageLocation: valueHash('GB'),
    });
  });
});
