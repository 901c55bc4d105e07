import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/errors';
import { planCycle } from '../../src/core/cycle';
import { enrichWorker } from '../../src/core/enrichWorker';
import { resyncWorker } from '../../src/core/resync';
import { checkWorkerIdInput } from '../../src/core/worker';
import {
  connectorOf,
  drain,
  FakeDirectory,
  FakeSource,
  dependenciesOf,
  rowOf,
  userOf,
  type FakeDependencies,
} from './fakes';
import { settled } from '../support/settled';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    return isAppError(err) ? err.code : 'not an AppError';
  }
  return undefined;
}

function setup(records = [rowOf('W1')], parts: Parameters<typeof dependenciesOf>[0] = {}): FakeDependencies {
  return dependenciesOf({ source: new FakeSource(records), directory: new FakeDirectory([userOf()]), ...parts });
}

const resync = (deps: FakeDependencies, workerId: string, dryRun = false) =>
  resyncWorker(deps, workerId, { runId: 'resync-1', dryRun, enrichWorker: (job) => enrichWorker(job, deps) });

describe('checkWorkerIdInput', () => {
  it('returns the trimmed id', () => {
    expect(checkWorkerIdInput('  W1 ')).toBe('W1');
  });

  it.each([
    ['an empty id', ''],
    ['a blank id', '   '],
    ['an id over 16 characters', 'W'.repeat(17)],
    ['an id with a control character', 'W1\u0000'],
  ])('refuses %s as INPUT.INVALID', (_, id) => {
    expect(codeOf(() => checkWorkerIdInput(id))).toBe('INPUT.INVALID');
  });

  it('accepts quotes, which the Graph adapter must escape', () => {
    expect(checkWorkerIdInput("O'Brien")).toBe("O'Brien");
  });
});

describe('resyncWorker', () => {
  it('runs the worker pipeline inline and writes the user', async () => {
    const deps = setup();
    const outcome = await resync(deps, 'W1');
    expect(outcome).toMatchObject({ code: 'written', workerId: 'W1', userId: 'user-1' });
    expect(deps.directory.updates).toHaveLength(1);
    expect(deps.ledger.entries.get('W1')).toMatchObject({ lastOutcome: 'written', runId: 'resync-1' });
  });

  it('uses the id as Workday spells it', async () => {
    const deps = setup();
    expect((await settled(resync(deps, 'w1'))).workerId).toBe('W1');
  });

  it('refuses an invalid id before asking Workday', async () => {
    const deps = setup();
    let asked = false;
    deps.source.readWorker = async () => {
      asked = true;
      return null;
    };
    await expect(resync(deps, 'W'.repeat(17))).rejects.toMatchObject({ code: 'INPUT.INVALID' });
    expect(asked).toBe(false);
  });

  it('rejects a worker Workday does not know, without asking Graph', async () => {
    const deps = setup([]);
    expect(await resync(deps, 'W9')).toMatchObject({ code: 'rejected', reason: 'notInWorkday' });
    expect(deps.directory.calls).toEqual([]);
  });

  it('rejects bad source data, without asking Graph', async () => {
    const deps = setup([rowOf('W1', { CountryISO: 'XX' })]);
    expect(await resync(deps, 'W1')).toMatchObject({ code: 'rejected', reason: 'invalidCountry' });
    expect(deps.directory.calls).toEqual([]);
  });

  it('answers outOfScope for a worker outside the scope, without asking Graph', async () => {
    const deps = setup([rowOf('W1', { Worker_Type: 'Intern' })]);
    expect(await resync(deps, 'W1')).toMatchObject({ code: 'outOfScope', reason: 'notInScope' });
    expect(deps.directory.calls).toEqual([]);
  });

  it('refuses a worker in both scopes as a conflict, without writing', async () => {
    const connector = connectorOf({
      cloudOnlyScope: [[{ attribute: 'Company', operator: 'EQUALS', value: 'Cloud Co' }]],
    });
    const deps = setup([rowOf('W1', { Company: 'Cloud Co' })], { connector });
    expect(await resync(deps, 'W1')).toMatchObject({ code: 'conflict', reason: 'inBothScopes' });
    expect(deps.directory.calls).toEqual([]);
  });

  it('rejects a personal email in a blocked domain', async () => {
    const connector = connectorOf({ guards: { blockedEmailDomains: ['contoso.com'] } });
    const deps = setup([rowOf('W1', { personalEmail: 'jane@contoso.com' })], { connector });
    expect(await resync(deps, 'W1')).toMatchObject({ code: 'rejected', reason: 'blockedEmailDomain' });
    expect(deps.directory.writes).toEqual([]);
  });

  it('dry run: returns the planned diff and writes nothing anywhere', async () => {
    const deps = setup();
    const outcome = await settled(resync(deps, 'W1', true));
    expect(outcome).toMatchObject({ code: 'written', reason: 'dryRun' });
    expect(outcome.changes?.map((c) => c.property)).toEqual(['otherMails', 'usageLocation']);
    expect(deps.directory.writes).toEqual([]);
    expect(deps.ledger.writes).toEqual([]);
  });

  it('escrows a worker without a user, as the queue function would', async () => {
    const deps = setup([rowOf('W1')], { directory: new FakeDirectory([]) });
    expect(await resync(deps, 'W1')).toMatchObject({ code: 'escrowed', reason: 'notFound' });
    expect(deps.escrow.entries.has('W1')).toBe(true);
  });
});

describe('resync is a writer like the others (issue 18, case 6)', () => {
  it('an out-of-scope or rejected answer supersedes a job queued before it, which then writes nothing', async () => {
    for (const change of [{ Worker_Type: 'Intern' }, { personalEmail: 'not an email' }]) {
      const deps = setup();
      await planCycle(deps, { runId: 'cycle-1', dryRun: false, approve: false, reverify: false });
      expect(deps.queue.jobs).toHaveLength(1);
      deps.source.records = [rowOf('W1', change)];
      deps.clock.advance(60_000);
      const outcome = await settled(resync(deps, 'W1'));
      expect(['outOfScope', 'rejected']).toContain(outcome.code);
      expect(await drain(deps)).toEqual([]);
      expect(deps.directory.updates).toEqual([]);
    }
  });

  it('a worker it settles as a conflict or rejected leaves escrow', async () => {
    const deps = setup([rowOf('W1')], { directory: new FakeDirectory([]) });
    expect((await settled(resync(deps, 'W1'))).code).toBe('escrowed');
    expect(deps.escrow.entries.has('W1')).toBe(true);
    deps.source.records = [rowOf('W1', { personalEmail: 'not an email' })];
    deps.clock.advance(60_000);
    expect((await settled(resync(deps, 'W1'))).code).toBe('rejected');
    expect(deps.escrow.entries.has('W1')).toBe(false);
  });
});
