import { describe, expect, it } from 'vitest';
import { enrichWorker } from '../../src/core/enrichWorker';
import { AppError } from '../../src/core/errors';
import { valueHash } from '../../src/core/mapping';
import type { LedgerEntry } from '../../src/core/ports';
import { RunTally } from '../../src/core/tally';
import { settled } from '../support/settled';
import { connectorOf, DAY, FakeDirectory, FakeLedger, jobOf, MINUTE, dependenciesOf, T0, userOf } from './fakes';

const W1 = { personalEmail: 'jane.doe@home.example', countryIso: 'GB' };
const EXT = 'extension_0123456789abcdef0123456789abcdef_costCenter';

function setup(users = [userOf()], parts: Parameters<typeof dependenciesOf>[0] = {}) {
  return dependenciesOf({ directory: new FakeDirectory(users), ...parts });
}

const mergeConnector = (onSourceEmpty: 'keep' | 'clear' = 'keep') =>
  connectorOf({ mappings: [{ source: 'personalEmail', target: 'otherMails', mode: 'merge', onSourceEmpty }] });

describe('enrichWorker', () => {
  it('writes the mapped properties in one PATCH and records the outcome', async () => {
    const deps = setup();
    const outcome = await enrichWorker(jobOf('W1', W1), deps);
    expect(outcome).toMatchObject({ code: 'written', workerId: 'W1', userId: 'user-1' });
    expect(deps.directory.updates).toEqual([
      { userId: 'user-1', patch: { otherMails: ['jane.doe@home.example'], usageLocation: 'GB' } },
    ]);
    expect(deps.ledger.entries.get('W1')).toMatchObject({
      lastOutcome: 'written',
      userId: 'user-1',
      runId: 'cycle-1',
      desiredHash: jobOf('W1', W1).desiredHash,
      writtenHashes: { otherMails: valueHash('jane.doe@home.example'), usageLocation: valueHash('GB') },
      updatedAt: T0,
      verifiedAt: T0,
    });
  });

  it('reports and records the diff with the personal email masked', async () => {
    const deps = setup([userOf({ otherMails: ['old.name@home.example'] })]);
    const outcome = await settled(enrichWorker(jobOf('W1', W1), deps));
    expect(outcome.changes).toContainEqual({
      property: 'otherMails',
      before: ['o***@home.example'],
      after: ['j***@home.example'],
    });
    expect(JSON.stringify(outcome)).not.toMatch(/jane\.doe|old\.name/);
    expect(JSON.stringify([...deps.ledger.entries.values()])).not.toMatch(/jane\.doe|old\.name/);
  });

  it('never sends a property that is not mapped', async () => {
    const deps = setup(
      [userOf({ otherMails: ['x@home.example'], usageLocation: 'FR', extensions: { [EXT]: 'CC1' } })],
      {
        connector: connectorOf({ mappings: [{ source: 'countryIso', target: 'usageLocation' }] }),
      },
    );
    await enrichWorker(jobOf('W1', W1, {}, deps.connector), deps);
    expect(deps.directory.updates).toEqual([{ userId: 'user-1', patch: { usageLocation: 'GB' } }]);
  });

  it('sends no write to a user that already holds the desired values', async () => {
    const deps = setup([userOf({ otherMails: ['Jane.Doe@home.example'], usageLocation: 'GB' })]);
    const outcome = await enrichWorker(jobOf('W1', W1), deps);
    expect(outcome).toMatchObject({ code: 'unchanged', userId: 'user-1' });
    expect(deps.directory.writes).toEqual([]);
    expect(deps.ledger.entries.get('W1')?.lastOutcome).toBe('unchanged');
  });

  it('escrows a worker without a user (notFound), with the first retry after the first wait', async () => {
    const deps = setup([]);
    const outcome = await enrichWorker(jobOf('W1', W1), deps);
    expect(outcome).toMatchObject({ code: 'escrowed', reason: 'notFound' });
    expect(deps.escrow.entries.get('W1')).toMatchObject({
      reason: 'notFound',
      attempts: 1,
      firstSeen: T0,
      nextAttempt: new Date(T0.getTime() + MINUTE),
    });
    expect(deps.escrow.entries.get('W1')?.job).toEqual(jobOf('W1', W1));
    expect(deps.ledger.entries.get('W1')?.lastOutcome).toBe('escrowed');
    expect(deps.directory.writes).toEqual([]);
  });

  it('backs off on a further miss and keeps the first-seen time', async () => {
    const deps = setup([]);
    await enrichWorker(jobOf('W1', W1), deps);
    deps.clock.advance(3 * MINUTE);
    await enrichWorker(jobOf('W1', W1, { runId: 'cycle-2' }), deps);
    expect(deps.escrow.entries.get('W1')).toMatchObject({
      attempts: 2,
      firstSeen: T0,
      nextAttempt: new Date(T0.getTime() + 5 * MINUTE),
    });
  });

  it('escrows a worker whose only user is soft-deleted (softDeleted) and never restores it', async () => {
    const deps = setup([]);
    deps.directory.deleted.push(userOf({ id: 'deleted-1' }));
    const outcome = await enrichWorker(jobOf('W1', W1), deps);
    expect(outcome).toMatchObject({ code: 'escrowed', reason: 'softDeleted' });
    expect(deps.escrow.entries.get('W1')?.reason).toBe('softDeleted');
    expect(deps.directory.writes).toEqual([]);
  });

  it('falls back to notFound when Graph refuses to filter deleted users', async () => {
    const deps = setup([]);
    deps.directory.deleted.push(userOf({ id: 'deleted-1' }));
    deps.directory.deletedLookupSupported = false;
    expect(await enrichWorker(jobOf('W1', W1), deps)).toMatchObject({ code: 'escrowed', reason: 'notFound' });
  });

  it('ends an escrow entry past expireAfterDays as expired and closes it', async () => {
    const deps = setup([]);
    await enrichWorker(jobOf('W1', W1), deps);
    deps.clock.advance(28 * DAY);
    const outcome = await settled(enrichWorker(jobOf('W1', W1, { runId: 'cycle-2' }), deps));
    expect(outcome).toMatchObject({ code: 'expired', reason: 'notFound' });
    expect(outcome.detail).toMatch(/28 days/);
    expect(deps.escrow.entries.has('W1')).toBe(false);
    expect(deps.ledger.entries.get('W1')?.lastOutcome).toBe('expired');
  });

  it('keeps escrowing a moment before expiry', async () => {
    const deps = setup([]);
    await enrichWorker(jobOf('W1', W1), deps);
    deps.clock.advance(28 * DAY - 1);
    expect((await settled(enrichWorker(jobOf('W1', W1, { runId: 'cycle-2' }), deps))).code).toBe('escrowed');
  });

  // Regression, fixed: a periodic re-verification (guards.reverifyEveryHours) re-enqueues an expired worker; the
  // miss then finds no escrow entry (expiry removed it) and opens a fresh one with a new firstSeen,
  // so `expired` never ends anything: the worker is retried for another expireAfterDays every day.
  it('keeps an expired worker expired when a re-verification still finds no user', async () => {
    const deps = setup([]);
    await enrichWorker(jobOf('W1', W1), deps);
    deps.clock.advance(28 * DAY);
    await enrichWorker(jobOf('W1', W1, { runId: 'cycle-2' }), deps);
    deps.clock.advance(DAY);
    const outcome = await settled(enrichWorker(jobOf('W1', W1, { runId: 'cycle-3' }), deps));
    expect(outcome.code).toBe('expired');
    expect(deps.escrow.entries.has('W1')).toBe(false);
  });

  it('writes a user that appeared after escrow and closes the escrow entry', async () => {
    const deps = setup([]);
    await enrichWorker(jobOf('W1', W1), deps);
    deps.directory.users.push(userOf());
    const outcome = await settled(enrichWorker(jobOf('W1', W1, { runId: 'sweep-1' }), deps));
    expect(outcome.code).toBe('written');
    expect(deps.escrow.entries.has('W1')).toBe(false);
  });

  it('reports duplicate users as a conflict and writes none of them', async () => {
    const deps = setup([userOf({ id: 'user-1' }), userOf({ id: 'user-2', employeeId: 'w1' })]);
    const outcome = await settled(enrichWorker(jobOf('W1', W1), deps));
    expect(outcome).toMatchObject({ code: 'conflict', reason: 'duplicateEmployeeId' });
    expect(outcome.userId).toBeUndefined();
    expect(deps.directory.writes).toEqual([]);
    expect(deps.ledger.entries.get('W1')?.lastOutcome).toBe('conflict');
  });

  it.each([
    ['a cloud-only user (onPremisesSyncEnabled null)', null],
    ['a user no longer synced (false)', false],
  ])('reports %s as a conflict and does not write it', async (_, sync) => {
    const deps = setup([userOf({ onPremisesSyncEnabled: sync })]);
    const outcome = await enrichWorker(jobOf('W1', W1), deps);
    expect(outcome).toMatchObject({ code: 'conflict', reason: 'notSyncedUser', userId: 'user-1' });
    expect(deps.directory.writes).toEqual([]);
  });

  it('records a 403 on a privileged user as denied, after exactly one PATCH', async () => {
    const deps = setup();
    deps.directory.refuseUpdate.set('user-1', {
      status: 'denied',
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    const outcome = await enrichWorker(jobOf('W1', W1), deps);
    expect(outcome).toMatchObject({ code: 'denied', reason: 'Authorization_RequestDenied', userId: 'user-1' });
    expect(deps.directory.updates).toHaveLength(1);
    expect(deps.ledger.entries.get('W1')).toMatchObject({ lastOutcome: 'denied' });
    expect(deps.ledger.entries.get('W1')?.writtenHashes).toBeUndefined();
  });

  it('records a value Graph refuses (400) as rejected', async () => {
    const deps = setup();
    deps.directory.refuseUpdate.set('user-1', {
      status: 'invalid',
      code: 'Request_BadRequest',
      message: 'Invalid value specified for property otherMails',
    });
    expect(await enrichWorker(jobOf('W1', W1), deps)).toMatchObject({ code: 'rejected', reason: 'graphRefusedValue' });
  });

  it('counts a job redelivered after its write as the one written, without a second PATCH', async () => {
    const deps = setup();
    const job = jobOf('W1', W1);
    const tally = new RunTally();
    tally.add(await settled(enrichWorker(job, deps)));
    const again = await settled(enrichWorker(job, deps));
    tally.add(again);
    expect(again).toMatchObject({ code: 'written', reason: 'alreadyApplied' });
    expect(again.changes).toEqual(deps.ledger.entries.get('W1')?.lastChanges);
    expect(deps.directory.updates).toHaveLength(1);
    expect(tally.counts()).toMatchObject({ written: 1, unchanged: 0 });
  });

  it('calls the same state unchanged in a later cycle', async () => {
    const deps = setup();
    await enrichWorker(jobOf('W1', W1), deps);
    expect((await settled(enrichWorker(jobOf('W1', W1, { runId: 'cycle-2' }), deps))).code).toBe('unchanged');
    expect(deps.directory.updates).toHaveLength(1);
  });

  it('merge: a changed personal email replaces the one it wrote and keeps the rest', async () => {
    const connector = mergeConnector();
    const deps = setup([userOf({ otherMails: ['manual@home.example'] })], { connector });
    await enrichWorker(jobOf('W1', { personalEmail: 'old@home.example' }, {}, connector), deps);
    await enrichWorker(jobOf('W1', { personalEmail: 'new@home.example' }, { runId: 'cycle-2' }, connector), deps);
    expect(deps.directory.updates.map((u) => u.patch)).toEqual([
      { otherMails: ['manual@home.example', 'old@home.example'] },
      { otherMails: ['manual@home.example', 'new@home.example'] },
    ]);
  });

  it('onSourceEmpty keep: an emptied personal email leaves otherMails as it is', async () => {
    const connector = mergeConnector('keep');
    const deps = setup([userOf()], { connector });
    await enrichWorker(jobOf('W1', { personalEmail: 'old@home.example' }, {}, connector), deps);
    const outcome = await settled(
      enrichWorker(jobOf('W1', { personalEmail: null }, { runId: 'cycle-2' }, connector), deps),
    );
    expect(outcome.code).toBe('unchanged');
    expect(deps.directory.user('user-1').otherMails).toEqual(['old@home.example']);
  });

  it('onSourceEmpty clear: an emptied personal email removes the value it wrote', async () => {
    const connector = mergeConnector('clear');
    const deps = setup([userOf({ otherMails: ['manual@home.example'] })], { connector });
    await enrichWorker(jobOf('W1', { personalEmail: 'old@home.example' }, {}, connector), deps);
    const outcome = await settled(
      enrichWorker(jobOf('W1', { personalEmail: null }, { runId: 'cycle-2' }, connector), deps),
    );
    expect(outcome.code).toBe('written');
    expect(deps.directory.user('user-1').otherMails).toEqual(['manual@home.example']);
  });

  it('creates the SSPR email method when mapped and the user has none', async () => {
    const connector = connectorOf({ mappings: [{ source: 'personalEmail', target: 'authenticationEmail' }] });
    const deps = setup([userOf()], { connector });
    const outcome = await settled(enrichWorker(jobOf('W1', W1, {}, connector), deps));
    expect(outcome.code).toBe('written');
    expect(deps.directory.calls.filter((c) => c.method === 'setAuthenticationEmail')).toEqual([
      { method: 'setAuthenticationEmail', args: ['user-1', null, 'jane.doe@home.example'] },
    ]);
    expect(deps.directory.updates).toEqual([]);
  });

  it('updates the existing SSPR email method instead of adding a second', async () => {
    const connector = connectorOf({ mappings: [{ source: 'personalEmail', target: 'authenticationEmail' }] });
    const deps = setup([userOf()], { connector });
    deps.directory.authenticationEmails.set('user-1', { id: 'method-9', emailAddress: 'old@home.example' });
    await enrichWorker(jobOf('W1', W1, {}, connector), deps);
    expect(deps.directory.writes.map((c) => c.args)).toEqual([['user-1', 'method-9', 'jane.doe@home.example']]);
  });

  it('never reads the SSPR email method when it is not mapped', async () => {
    const deps = setup();
    await enrichWorker(jobOf('W1', W1), deps);
    expect(deps.directory.calls.map((c) => c.method)).not.toContain('getAuthenticationEmail');
  });

  // Regression, fixed: when the PATCH succeeds and the authentication-email write is then refused, the outcome
  // is denied/rejected and `settle` is called without the plan, so the ledger forgets the hash of
  // the otherMails value that the PATCH did write. In merge mode that value is then never retired.
  it('remembers what the PATCH wrote even when the SSPR email method is then refused', async () => {
    const connector = connectorOf({
      mappings: [
        { source: 'personalEmail', target: 'otherMails', mode: 'merge' },
        { source: 'personalEmail', target: 'authenticationEmail' },
      ],
    });
    const deps = setup([userOf()], { connector });
    deps.directory.refuseAuthenticationEmail.set('user-1', {
      status: 'invalid',
      code: 'badRequest',
      message: 'refused',
    });
    await enrichWorker(jobOf('W1', W1, {}, connector), deps);
    expect(deps.directory.user('user-1').otherMails).toEqual(['jane.doe@home.example']);
    expect(deps.ledger.entries.get('W1')?.writtenHashes?.otherMails).toBe(valueHash('jane.doe@home.example'));
  });

  it('dry run (setting): plans the write, sends nothing and records nothing', async () => {
    const deps = setup([userOf()], { dryRun: true });
    const outcome = await settled(enrichWorker(jobOf('W1', W1), deps));
    expect(outcome).toMatchObject({ code: 'written', reason: 'dryRun' });
    expect(outcome.changes?.length).toBe(2);
    expect(deps.directory.writes).toEqual([]);
    expect(deps.ledger.writes).toEqual([]);
  });

  it('dry run (job): an escrow miss records nothing', async () => {
    const deps = setup([]);
    const outcome = await settled(enrichWorker(jobOf('W1', W1, { dryRun: true }), deps));
    expect(outcome.code).toBe('escrowed');
    expect(deps.escrow.puts).toEqual([]);
    expect(deps.ledger.writes).toEqual([]);
  });

  it('dry run: a conflict and an expiry record nothing', async () => {
    const conflict = setup([userOf({ id: 'a' }), userOf({ id: 'b' })], { dryRun: true });
    expect((await settled(enrichWorker(jobOf('W1', W1), conflict))).code).toBe('conflict');
    expect(conflict.ledger.writes).toEqual([]);

    const expiring = setup([]);
    await enrichWorker(jobOf('W1', W1), expiring);
    expiring.clock.advance(29 * DAY);
    expect((await settled(enrichWorker(jobOf('W1', W1, { dryRun: true }), expiring))).code).toBe('expired');
    expect(expiring.escrow.entries.has('W1')).toBe(true);
    expect(expiring.ledger.entries.get('W1')?.lastOutcome).toBe('escrowed');
  });

  it('lets a transient Graph fault throw, for the queue to retry, and records nothing', async () => {
    const deps = setup();
    deps.directory.failNext = new AppError('GRAPH.UNAVAILABLE', 'Graph answered 503', { transient: true, status: 503 });
    await expect(enrichWorker(jobOf('W1', W1), deps)).rejects.toMatchObject({
      code: 'GRAPH.UNAVAILABLE',
      transient: true,
    });
    expect(deps.ledger.writes).toEqual([]);
    expect(deps.escrow.puts).toEqual([]);
  });

  it('keeps hashes of earlier writes that this plan did not touch', async () => {
    const previous: LedgerEntry = {
      workerId: 'W1',
      lastOutcome: 'written',
      runId: 'cycle-0',
      updatedAt: T0,
      writtenHashes: { usageLocation: valueHash('GB') },
    };
    const deps = setup([userOf({ usageLocation: 'GB' })], { ledger: new FakeLedger([previous]) });
    await enrichWorker(jobOf('W1', W1), deps);
    expect(deps.ledger.entries.get('W1')?.writtenHashes).toEqual({
      usageLocation: valueHash('GB'),
      otherMails: valueHash('jane.doe@home.example'),
    });
  });
});
