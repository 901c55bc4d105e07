import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = resolve(__dirname, '../../infra/grant-graph-permissions.sh');
const IDENTITY = '11111111-2222-3333-4444-555555555555';
const GRAPH = {
  id: 'graph-sp-object-id',
  appRoles: [
    { id: 'df021288-bdef-4463-88db-98f22de89214', value: 'User.Read.All' },
    { id: 'role-mail', value: 'User-Mail.ReadWrite.All' },
    { id: 'role-update', value: 'User.ReadUpdate.All' },
    { id: 'role-authmethods', value: 'UserAuthenticationMethod.ReadWrite.All' },
    { id: 'role-email-method', value: 'UserAuthMethod-Email.ReadWrite.All' },
    { id: 'role-role-read', value: 'RoleManagement.Read.Directory' },
    { id: 'role-group-members', value: 'GroupMember.Read.All' },
    { id: 'role-group-eligibilities', value: 'PrivilegedEligibilitySchedule.Read.AzureADGroup' },
    { id: 'role-directory-rw', value: 'Directory.ReadWrite.All' },
  ],
};

interface FakeState {
  graph: typeof GRAPH;
  assignments: Array<{ id: string; appRoleId: string; resourceId: string; principalId?: string }>;
  calls: string[];
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'grant-'));
  const az = join(dir, 'az');
  copyFileSync(resolve(__dirname, 'fixtures/fake-az.cjs'), az);
  chmodSync(az, 0o755);
  writeConnector('otherMails', 'usageLocation');
  writeState([]);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeConnector(...targets: string[]) {
  writeFileSync(
    join(dir, 'connector.json'),
    JSON.stringify({ mappings: targets.map((target) => ({ source: 'personalEmail', target })) }),
  );
}

function writeState(assignments: FakeState['assignments']) {
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ graph: GRAPH, assignments, calls: [] }));
}

const state = (): FakeState => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));

function grant(...args: string[]) {
  const result = spawnSync('bash', [SCRIPT, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_AZ_STATE: join(dir, 'state.json') },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const granted = () => state().assignments.map((a) => GRAPH.appRoles.find((r) => r.id === a.appRoleId)?.value);

describe('grant-graph-permissions.sh', () => {
  it('grants exactly the roles the mapping needs to a fresh identity', () => {
    const run = grant('connector.json', IDENTITY);
    expect(run.status).toBe(0);
    expect(granted()).toEqual([
      'User.Read.All',
      'User-Mail.ReadWrite.All',
      'User.ReadUpdate.All',
      'RoleManagement.Read.Directory',
      'GroupMember.Read.All',
      'PrivilegedEligibilitySchedule.Read.AzureADGroup',
    ]);
    expect(state().assignments[0]).toMatchObject({ principalId: IDENTITY, resourceId: GRAPH.id });
    expect(run.stdout).toContain('granted     User-Mail.ReadWrite.All');
    // A managed identity's token is cached about 24 h and cannot be refreshed early: no "minutes", no "restart".
    expect(run.stdout).toContain('cached for about 24 hours and cannot be refreshed early');
    expect(run.stdout).not.toMatch(/within minutes|restart the app/);
  });

  it('is idempotent: a second run grants nothing and says so', () => {
    grant('connector.json', IDENTITY);
    const callsBefore = state().calls.length;
    const again = grant('connector.json', IDENTITY);
    expect(again.status).toBe(0);
    expect(
      state()
        .calls.slice(callsBefore)
        .filter((c) => c.includes('--method POST')),
    ).toEqual([]);
    expect(granted()).toHaveLength(6);
    expect(again.stdout).toContain('left alone  User.Read.All (already granted)');
    expect(again.stdout).toContain('Nothing to grant.');
  });

  it('warns about a broader role it finds and leaves it in place', () => {
    writeState([{ id: 'existing-1', appRoleId: 'role-directory-rw', resourceId: GRAPH.id }]);
    const run = grant('connector.json', IDENTITY);
    expect(run.stdout).toMatch(/WARNING +Directory\.ReadWrite\.All is broader than needed: .*; grant .* and remove it/);
    expect(run.stdout).toContain(`appRoleAssignments/existing-1`);
    expect(granted()).toContain('Directory.ReadWrite.All');
  });

  it('grants the email-only method role and the role-holder reads for authenticationEmail, never the Tier-0 role', () => {
    writeConnector('authenticationEmail');
    grant('connector.json', IDENTITY);
    expect(granted()).toEqual([
      'User.Read.All',
      'UserAuthMethod-Email.ReadWrite.All',
      'RoleManagement.Read.Directory',
      'GroupMember.Read.All',
      'PrivilegedEligibilitySchedule.Read.AzureADGroup',
    ]);
  });

  it('warns about UserAuthenticationMethod.ReadWrite.All granted by an older script, naming the narrower role', () => {
    writeConnector('authenticationEmail');
    writeState([{ id: 'old-tier0', appRoleId: 'role-authmethods', resourceId: GRAPH.id }]);
    const run = grant('connector.json', IDENTITY);
    expect(run.stdout).toContain(
      'WARNING     UserAuthenticationMethod.ReadWrite.All is broader than needed: it can create a Temporary Access Pass for any account, break-glass admins included; grant UserAuthMethod-Email.ReadWrite.All and remove it',
    );
    expect(run.stdout).toContain('appRoleAssignments/old-tier0');
  });

  it('stops with exit 2 before calling Azure when the connector file is unusable', () => {
    writeConnector('displayName');
    const run = grant('connector.json', IDENTITY);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("mapping target 'displayName' has no known Graph permission");
    expect(state().calls).toEqual([]);
  });

  it('refuses an object id that is not a GUID', () => {
    const run = grant('connector.json', 'func-api-abc');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('is not an object id');
  });

  it('reads the object id from the azd environment when none is given', () => {
    writeFileSync(
      join(dir, 'azd'),
      `#!/usr/bin/env bash\n[ "$*" = "env get-value API_IDENTITY_PRINCIPAL_ID" ] && echo ${IDENTITY}\n`,
    );
    chmodSync(join(dir, 'azd'), 0o755);
    expect(grant('connector.json').status).toBe(0);
    expect(state().assignments.every((a) => a.principalId === IDENTITY)).toBe(true);
  });
});

// The script must stay valid bash even where no test reaches.
describe('grant-graph-permissions.sh syntax', () => {
  it('parses with bash -n', () => {
    expect(() => execFileSync('bash', ['-n', SCRIPT])).not.toThrow();
  });
});
