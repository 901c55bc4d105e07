/**
 * Safety rule 4 through the real pipeline (issue 19, finding 1): no password-reset channel on a
 * privileged account. Graph, app-only, refuses otherMails only for active role holders and
 * accepts the email method for every admin ("Create emailMethod" documents role restrictions
 * for delegated callers only), so the app screens before it writes, with one role read per run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphRequestLogEntry, GraphSimulator } from '../../sim/graph';
import { runResync } from '../../src/app/operations';
import { baseConnector, startAzurite, startScenario, type Scenario } from './harness';
import { hybridWorker, syncedUser, world } from './smallWorld';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const ADMINS = { active: '6001', eligible: '6002', grouped: '6003', groupOwner: '6004', groupEligible: '6005' };
const ORDINARY = Array.from({ length: 12 }, (_, i) => String(6100 + i));
const ALL = [...Object.values(ADMINS), ...ORDINARY];

const bothChannels = () => ({
  ...baseConnector(),
  mappings: [
    { source: 'personalEmail', target: 'otherMails', mode: 'replace' },
    { source: 'personalEmail', target: 'authenticationEmail' },
    { source: 'countryIso', target: 'usageLocation' },
  ],
});

function adminWorld() {
  return world(
    ALL.map((id) => hybridWorker(id)),
    ALL.map((id) =>
      syncedUser(
        id,
        id === ADMINS.active ? { privileged: true } : id === ADMINS.eligible ? { eligibleAdmin: true } : {},
      ),
    ),
  );
}

/** Every request that touched this user: a PATCH of it, or any request on its email methods. */
function requestsFor(graph: GraphSimulator, userId: string): GraphRequestLogEntry[] {
  return graph.requests.filter((r) => r.path === `/users/${userId}` || r.path.startsWith(`/users/${userId}/`));
}

function roleReads(graph: GraphSimulator, list: string): number {
  return graph.requests.filter((r) => r.method === 'GET' && r.path.endsWith(list)).length;
}

const userOf = (s: Scenario, workerId: string) => s.graph.usersByEmployeeId(workerId)[0]!;

describe('admins among the workers, with otherMails and the email method mapped', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(azurite, { world: adminWorld(), connector: bothChannels() });
    const group = s.graph.addRoleAssignableGroup('Helpdesk admins', {
      members: [userOf(s, ADMINS.grouped).id],
      owners: [userOf(s, ADMINS.groupOwner).id],
      eligibleMembers: [userOf(s, ADMINS.groupEligible).id],
    });
    s.graph.grantDirectoryRole(group, 'active');
  });
  afterAll(async () => s?.close());

  it('predicts denied privilegedTarget in a dry run', async () => {
    const run = await s.cli(['cycle', '--dry-run', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ denied: 5, written: ORDINARY.length });
  });

  it('denies the active, the PIM-eligible and the group-held admin (member, owner, PIM-eligible member) before any request about them', async () => {
    s.graph.resetLog();
    const run = await s.cli(['cycle', '--json']);
    expect(run.code).toBe(0);
    for (const workerId of Object.values(ADMINS)) {
      const entry = await s.services.ledger.get(workerId);
      expect([workerId, entry?.lastOutcome, entry?.reason]).toEqual([workerId, 'denied', 'privilegedTarget']);
      const user = userOf(s, workerId);
      expect(requestsFor(s.graph, user.id)).toEqual([]);
      expect([user.otherMails, user.emailMethod, user.usageLocation]).toEqual([[], null, null]);
    }
  });

  it('still writes both channels of every ordinary worker', async () => {
    for (const workerId of ORDINARY) {
      expect((await s.services.ledger.get(workerId))?.lastOutcome).toBe('written');
      const user = userOf(s, workerId);
      expect(user.otherMails).toHaveLength(1);
      expect(user.emailMethod?.emailAddress).toBe(user.otherMails[0]);
    }
  });

  it('reads the role holders once for the run, not once per worker', () => {
    expect(roleReads(s.graph, '/roleManagement/directory/roleAssignments')).toBe(1);
    expect(roleReads(s.graph, '/roleManagement/directory/roleEligibilitySchedules')).toBe(1);
    expect(roleReads(s.graph, '/transitiveMembers/microsoft.graph.user')).toBe(1);
  });

  it('denies an admin on resync too, dry run or not', async () => {
    for (const dryRun of [true, false]) {
      const { outcome } = await runResync(s.services, ADMINS.eligible, { dryRun });
      expect([dryRun, outcome.code, outcome.reason]).toEqual([dryRun, 'denied', 'privilegedTarget']);
    }
    expect(userOf(s, ADMINS.eligible).emailMethod).toBeNull();
  });
});

describe('an app that may not read who holds a role', () => {
  const withoutRoleRead = [
    'User.Read.All',
    'User-Mail.ReadWrite.All',
    'User.ReadUpdate.All',
    'UserAuthMethod-Email.ReadWrite.All',
  ];

  it('writes no reset channel for anyone: the run stops with exit 3 naming the missing grant', async () => {
    const s = await startScenario(azurite, {
      world: adminWorld(),
      connector: bothChannels(),
      graph: { appRoles: withoutRoleRead },
    });
    try {
      const run = await s.cli(['cycle', '--json']);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('RoleManagement.Read.Directory');
      const writes = s.graph.requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/users/'));
      expect(writes).toEqual([]);
      for (const workerId of ALL) expect((await s.services.ledger.get(workerId))?.lastOutcome).not.toBe('denied');
    } finally {
      await s.close();
    }
  });

  it('needs no screen when no reset channel is mapped', async () => {
    const s = await startScenario(azurite, {
      world: adminWorld(),
      connector: { ...baseConnector(), mappings: [{ source: 'countryIso', target: 'usageLocation' }] },
      graph: { appRoles: withoutRoleRead },
    });
    try {
      const run = await s.cli(['cycle', '--json']);
      expect(run.code).toBe(0);
      expect(roleReads(s.graph, '/roleManagement/directory/roleAssignments')).toBe(0);
      expect(userOf(s, ORDINARY[0]!).usageLocation).toBe('GB');
    } finally {
      await s.close();
    }
  });
});
