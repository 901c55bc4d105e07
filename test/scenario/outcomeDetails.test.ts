/**
 * Details that lead to the fix (issue 21, finding 3), through the real pipeline and the CLI: a
 * duplicate employeeId names its users, a privileged target says which role and what to do, an
 * out-of-scope worker names the clause and value, and an invalid email says what is wrong with it.
 * None of them shows a personal email in full.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, startScenario, type Scenario } from './harness';
import { hybridWorker, syncedUser, world } from './smallWorld';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
let cycleOutput = '';

const PERSONAL = {
  duplicate: 'dana.dup@example.net',
  admin: 'alex.admin@example.net',
  outside: 'olga.outside@example.net',
  noDot: 'nadia.nodot@examplenet',
  comma: 'carl,comma@example.net',
};

beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, {
    world: world(
      [
        hybridWorker('7001', { email: PERSONAL.duplicate }),
        hybridWorker('7002', { email: PERSONAL.admin }),
        hybridWorker('7003', { email: PERSONAL.outside, legalEntity: 'Fabrikam Holdings' }),
        hybridWorker('7004', { email: PERSONAL.noDot }),
        hybridWorker('7005', { email: PERSONAL.comma }),
        hybridWorker('7006', { businessSiteCountry: 'XX', homeCountry: 'XX' }),
      ],
      [
        syncedUser('7001', { userPrincipalName: 'dana.field@contoso.com' }),
        syncedUser('7001', { userPrincipalName: 'd.field.old@contoso.com', onPremisesSyncEnabled: null }),
        syncedUser('7002', { privileged: true }),
        syncedUser('7003'),
        syncedUser('7004'),
        syncedUser('7005'),
        syncedUser('7006'),
      ],
    ),
  });
  const run = await s.cli(['cycle']);
  expect(run.code, run.stderr).toBe(0);
  cycleOutput = run.stdout;
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

async function status(workerId: string): Promise<string> {
  const run = await s.cli(['status', workerId]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

describe('outcome details an operator can act on', () => {
  it('names the users that share an employeeId: object id, masked UPN, synced or cloud-only', async () => {
    const [synced, cloudOnly] = s.graph.usersByEmployeeId('7001');
    const text = await status('7001');
    expect(text).toContain("2 users share employeeId '7001'");
    expect(text).toContain(`${synced!.id} (d***@contoso.com, synced)`);
    expect(text).toContain(`${cloudOnly!.id} (d***@contoso.com, cloud-only)`);
    expect(text).toMatch(/clear it on the others/);
  });

  it('says which role makes a target privileged and what to do about it', async () => {
    const text = await status('7002');
    expect(text).toContain('privilegedTarget');
    expect(text).toContain('holds Global Administrator (an active assignment)');
    expect(text).toContain('Privileged Authentication Administrator sets it by hand');
  });

  it('names the scope clause and the value that kept a worker out', async () => {
    expect(await status('7003')).toContain(
      "not in scope: Legal_Entity MEMBER_OF ['Contoso Corp', 'Contoso LLC'] fails on 'Fabrikam Holdings'",
    );
  });

  it('says what is wrong with an invalid personal email or country without showing the email', async () => {
    expect(await status('7004')).toContain('personal email n***@examplenet has no dot in its domain (after the @)');
    expect(await status('7005')).toContain("holds the character ',' before the @, which an address cannot hold");
    expect(await status('7006')).toContain("country 'XX' is not an ISO 3166-1 alpha-2 code");
  });

  it('shows the same details in the cycle summary, and no personal email in full anywhere', async () => {
    expect(cycleOutput).toContain("users share employeeId '7001'");
    expect(cycleOutput).toContain('fails on');
    const everything = [cycleOutput, ...s.logLines].join('\n').toLowerCase();
    expect(Object.values(PERSONAL).filter((email) => everything.includes(email))).toEqual([]);
    expect(everything).not.toContain('dana.field@');
  });
});
