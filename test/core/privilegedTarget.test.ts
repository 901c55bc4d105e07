/** Safety rule 4 in the per-worker pipeline: the privileged-target screen (src/core/privilegedTarget.ts). */
import { describe, expect, it } from 'vitest';
import { enrichWorker } from '../../src/core/enrichWorker';
import { AppError } from '../../src/core/errors';
import { howHeld } from '../../src/core/privilegedTarget';
import { connectorOf, FakeDirectory, jobOf, dependenciesOf, userOf } from './fakes';

const W1 = { personalEmail: 'jane.doe@home.example', countryIso: 'GB' };

const bothChannels = connectorOf({
  mappings: [
    { source: 'personalEmail', target: 'otherMails', mode: 'replace' },
    { source: 'personalEmail', target: 'authenticationEmail' },
    { source: 'countryIso', target: 'usageLocation' },
  ],
});

function adminDependencies(parts: Parameters<typeof dependenciesOf>[0] = {}) {
  const directory = new FakeDirectory([userOf()]);
  directory.privileged.add('user-1');
  return dependenciesOf({ directory, connector: bothChannels, ...parts });
}

describe('howHeld', () => {
  it('names the role and whether it is active, eligible or reaches the user through a group', () => {
    const globalAdmin = '62e90394-69f5-4237-9190-012177145e10';
    expect(howHeld({ roleDefinitionId: globalAdmin, eligible: false })).toBe(
      'holds Global Administrator (an active assignment)',
    );
    expect(howHeld({ roleDefinitionId: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13', eligible: true })).toBe(
      'is PIM-eligible for Privileged Authentication Administrator (an eligible assignment)',
    );
    expect(howHeld({ roleDefinitionId: 'a-custom-role', eligible: false, groupId: 'g-1' })).toBe(
      'holds the directory role a-custom-role through role-assignable group g-1 (a member, an owner or eligible for it)',
    );
  });
});

describe('the privileged-target screen', () => {
  it('denies a role holder before reading or writing its email method, and writes none of its properties', async () => {
    const deps = adminDependencies();
    const outcome = await enrichWorker(jobOf('W1', W1), deps);
    expect(outcome).toMatchObject({ code: 'denied', reason: 'privilegedTarget', userId: 'user-1' });
    expect(deps.directory.calls.map((call) => call.method)).toEqual(['findUsersByEmployeeId', 'privilegedUserIds']);
    expect(deps.ledger.entries.get('W1')).toMatchObject({ lastOutcome: 'denied', reason: 'privilegedTarget' });
  });

  it('tells the operator to remove by hand a reset channel it set before the user held the role', async () => {
    const deps = adminDependencies();
    const job = jobOf('W1', W1);
    deps.ledger.seed({
      workerId: 'W1',
      lastOutcome: 'written',
      runId: 'cycle-0',
      updatedAt: new Date(0),
      writtenHashes: { otherMails: 'h1', usageLocation: 'h2' },
      desiredHash: 'older',
    });
    const outcome = await enrichWorker(job, deps);
    expect(outcome?.detail).toContain('this connector set otherMails before the role was held: remove it by hand');
    expect(deps.directory.writes).toEqual([]);
  });

  it('predicts the denial in a dry run', async () => {
    const deps = adminDependencies({ dryRun: true });
    expect(await enrichWorker(jobOf('W1', W1), deps)).toMatchObject({ code: 'denied', reason: 'privilegedTarget' });
    expect(deps.directory.writes).toEqual([]);
  });

  it('lets the refusal of the role read through: no worker is written unscreened or marked denied', async () => {
    const deps = adminDependencies();
    deps.directory.privileged.clear();
    deps.directory.privilegedRefusal = new AppError('GRAPH.REQUEST_REFUSED', 'Graph answered 403', { status: 403 });
    await expect(enrichWorker(jobOf('W1', W1), deps)).rejects.toMatchObject({ code: 'GRAPH.REQUEST_REFUSED' });
    expect(deps.directory.writes).toEqual([]);
    expect(deps.ledger.entries.get('W1')?.lastOutcome).toBeUndefined();
  });

  it('makes no role read when no reset channel is mapped', async () => {
    const deps = adminDependencies({
      connector: connectorOf({ mappings: [{ source: 'countryIso', target: 'usageLocation' }] }),
    });
    expect(await enrichWorker(jobOf('W1', W1), deps)).toMatchObject({ code: 'written' });
    expect(deps.directory.calls.some((call) => call.method === 'privilegedUserIds')).toBe(false);
  });
});
