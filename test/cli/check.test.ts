/**
 * `attribute-writer check` as an operator runs it: a real process against Azurite and the
 * simulated Workday and Entra tenants. Each line passes or fails with its fix, the exit code
 * says which kind of failure, and nothing is written anywhere.
 */
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TableServiceClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConnector, rolesTheConnectorNeeds, startAzurite, startScenario, type Scenario } from '../scenario/harness';
import type { AzuriteInstance } from '../support/azurite';
import { run, startIdentityEndpoint } from './processRun';

interface Report {
  ok: boolean;
  exitCode: number;
  checks: Array<{ check: string; status: string; detail: string; fix?: string; failure?: string }>;
}

const lineOf = (report: Report, check: string) => report.checks.find((line) => line.check.startsWith(check));

let azurite: AzuriteInstance;
let s: Scenario;
beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, { size: 60, seed: 8 });
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

async function storageContents(): Promise<{ tables: string[]; queues: string[] }> {
  const tables: string[] = [];
  for await (const table of TableServiceClient.fromConnectionString(azurite.connectionString, {
    allowInsecureConnection: true,
  }).listTables())
    tables.push(table.name ?? '');
  const queues: string[] = [];
  for await (const queue of QueueServiceClient.fromConnectionString(azurite.connectionString).listQueues())
    queues.push(queue.name);
  return { tables, queues };
}

describe('attribute-writer check', () => {
  it('passes every line against a working setup, creates no table or queue, and sends Graph only reads', async () => {
    const { code, stdout, stderr } = await run(['check', '--json'], s.env);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.checks.map((line) => line.check)).toEqual([
      'settings',
      'connector file',
      'storage tables',
      'storage queues',
      'Workday (RaaS report)',
      'scopes exclusive on current Workday data',
      'Graph token and application roles',
      'Graph user lookup by employeeId',
      'Graph deletedItems filter on employeeId',
      'Graph privileged-target screen',
      'personal email in sampled workers',
      'predicted outcomes of sampled workers',
    ]);
    expect(report.checks.filter((line) => line.status === 'fail')).toEqual([]);
    expect(lineOf(report, 'scopes')?.detail).toMatch(
      /^60 workers read: \d+ hybrid, \d+ out of scope, 0 in both scopes$/,
    );
    expect(lineOf(report, 'Graph deletedItems')?.detail).toContain('answers it');
    expect(await storageContents()).toEqual({ tables: [], queues: [] });
    expect(s.graph.requests.length).toBeGreaterThan(0);
    expect(s.graph.requests.filter((r) => r.method !== 'GET' && !r.path.startsWith('/$batch'))).toEqual([]);
  });

  it('prints one line per check with PASS, FAIL or SKIP in the human layout', async () => {
    const { code, stdout } = await run(['check'], s.env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS {2}settings /m);
    expect(stdout).toMatch(/^SKIP {2}Graph token and application roles .*GRAPH_AUTH is 'none'/m);
    expect(stdout).toContain('All checks passed');
  });

  it('names the missing Graph role, the grant script and the identity, and exits 2', async () => {
    const identity = await startIdentityEndpoint(['User.Read.All']);
    try {
      const { code, stdout, stderr } = await run(['check', '--json'], { ...s.env, ...identity.env });
      expect(code, stderr).toBe(2);
      const roles = lineOf(JSON.parse(stdout) as Report, 'Graph token');
      expect(roles).toMatchObject({ status: 'fail', failure: 'configuration' });
      expect(roles?.detail).toContain('lacks User-Mail.ReadWrite.All, User.ReadUpdate.All');
      expect(roles?.fix).toContain(`infra/grant-graph-permissions.sh ${s.connectorPath} ${identity.objectId}`);
      expect(roles?.fix).toContain('cached for about 24 hours and cannot be refreshed early');
      expect(roles?.fix).not.toContain('within minutes');
      expect(identity.requests).toBeGreaterThan(0);
    } finally {
      await identity.close();
    }
  });

  it('samples in-scope workers and predicts their outcomes from reads, writing nothing', async () => {
    const before = s.graph.requests.length;
    const { code, stdout, stderr } = await run(['check', '--json'], s.env);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(lineOf(report, 'personal email')).toMatchObject({ status: 'pass' });
    expect(lineOf(report, 'personal email')?.detail).toMatch(
      /^[1-9]\d* of \d+ sampled in-scope workers have a personal/,
    );
    expect(lineOf(report, 'predicted outcomes')?.detail).toMatch(
      /^\d+ in-scope workers sampled: [1-9]\d* written, \d+ unchanged, [1-9]\d* escrowed, \d+ rejected, \d+ conflict/,
    );
    const since = s.graph.requests.slice(before);
    expect(since.filter((r) => r.method !== 'GET' && !r.path.startsWith('/$batch'))).toEqual([]);
  });

  // Microsoft's standard integration-user setup grants Work, not Home, Contact Information:
  // Workday then answers without HOME emails, silently. check says so, with the fix.
  it('warns, with the fix, when no sampled worker has a personal email (HOME contact data hidden)', async () => {
    s.workday.tenant.homeContactHidden = true;
    try {
      const { code, stdout, stderr } = await run(['check', '--json'], s.env);
      expect(code, stderr).toBe(0);
      const line = lineOf(JSON.parse(stdout) as Report, 'personal email');
      expect(line).toMatchObject({ status: 'warn' });
      expect(line?.detail).toMatch(/^0 of [1-9]\d* sampled in-scope workers/);
      expect(line?.fix).toContain('Person Data: Home Contact Information');
      const human = await run(['check'], s.env);
      expect(human.stdout).toMatch(/^WARN {2}personal email in sampled workers/m);
    } finally {
      s.workday.tenant.homeContactHidden = false;
    }
  });
  // What the grant script gives for the scenario's connector: one list, in src/core/mappingTargets.ts.
  const NEEDED = rolesTheConnectorNeeds();

  it('passes the roles line when the token holds what the mappings need', async () => {
    const identity = await startIdentityEndpoint(NEEDED);
    try {
      const { code, stdout, stderr } = await run(['check', '--json'], { ...s.env, ...identity.env });
      expect(code, stderr).toBe(0);
      expect(lineOf(JSON.parse(stdout) as Report, 'Graph token')).toMatchObject({ status: 'pass' });
    } finally {
      await identity.close();
    }
  });

  it('says that no reset channel is written while the role-read permission is missing, and exits 2', async () => {
    const identity = await startIdentityEndpoint(['User.Read.All', 'User-Mail.ReadWrite.All', 'User.ReadUpdate.All']);
    try {
      const { code, stdout } = await run(['check', '--json'], { ...s.env, ...identity.env });
      expect(code).toBe(2);
      const roles = lineOf(JSON.parse(stdout) as Report, 'Graph token');
      expect(roles?.detail).toContain(
        'lacks RoleManagement.Read.Directory, GroupMember.Read.All, PrivilegedEligibilitySchedule.Read.AzureADGroup',
      );
      expect(roles?.detail).toContain('writes no reset channel for anyone');
    } finally {
      await identity.close();
    }
  });

  it('fails the privileged-target screen line when Graph refuses the role read, naming the grants, and exits 2', async () => {
    s.graph.setAppRoles(['User.Read.All', 'User-Mail.ReadWrite.All', 'User.ReadUpdate.All']);
    try {
      const { code, stdout } = await run(['check', '--json'], s.env);
      expect(code).toBe(2);
      const screen = lineOf(JSON.parse(stdout) as Report, 'Graph privileged-target');
      expect(screen).toMatchObject({ status: 'fail', failure: 'configuration' });
      expect(screen?.fix).toContain('RoleManagement.Read.Directory');
      expect(screen?.fix).toContain('no reset channel is written for anyone');
    } finally {
      s.graph.setAppRoles(null);
    }
  });

  it('names a granted role broader than the mapping needs and the narrower one to grant instead', async () => {
    const path = `${s.connectorPath}.email-method.json`;
    writeFileSync(
      path,
      JSON.stringify({
        ...baseConnector(),
        mappings: [{ source: 'personalEmail', target: 'authenticationEmail' }],
      }),
    );
    const identity = await startIdentityEndpoint([
      'User.Read.All',
      'UserAuthMethod-Email.ReadWrite.All',
      'RoleManagement.Read.Directory',
      'GroupMember.Read.All',
      'PrivilegedEligibilitySchedule.Read.AzureADGroup',
      'UserAuthenticationMethod.ReadWrite.All',
    ]);
    try {
      const { stdout } = await run(['check', '--json'], { ...s.env, ...identity.env, CONNECTOR_CONFIG: path });
      expect(lineOf(JSON.parse(stdout) as Report, 'Graph token')?.detail).toContain(
        'UserAuthenticationMethod.ReadWrite.All is broader than needed: it can create a Temporary Access Pass for any account, break-glass admins included; grant UserAuthMethod-Email.ReadWrite.All and remove it',
      );
    } finally {
      await identity.close();
    }
  });

  it('fails the scope line with example workers when a worker falls in both scopes, and exits 2', async () => {
    const overlapping = {
      ...baseConnector(),
      cloudOnlyScope: [[{ attribute: 'Worker_Type', operator: 'EQUALS', value: 'Employee' }]],
    };
    const path = `${s.connectorPath}.overlap.json`;
    writeFileSync(path, JSON.stringify(overlapping));
    const { code, stdout } = await run(['check', '--json'], { ...s.env, CONNECTOR_CONFIG: path });
    expect(code).toBe(2);
    const scopes = lineOf(JSON.parse(stdout) as Report, 'scopes');
    expect(scopes).toMatchObject({ status: 'fail', failure: 'configuration' });
    expect(scopes?.detail).toMatch(/[1-9]\d* in both scopes \(\S+/);
    expect(scopes?.fix).toContain('cloudOnlyScope');
  });

  it('reads one worker by reference through SOAP Get_Workers when the source is soap', async () => {
    const path = `${s.connectorPath}.soap.json`;
    writeFileSync(path, JSON.stringify({ ...baseConnector(), source: { kind: 'soap', pageSize: 25 } }));
    const { code, stdout, stderr } = await run(['check', '--json'], { ...s.env, CONNECTOR_CONFIG: path });
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(lineOf(report, 'Workday (SOAP Get_Workers)')).toMatchObject({ status: 'pass' });
    expect(lineOf(report, 'scopes')?.detail).toMatch(/^60 workers read/);
  });

  it('exits 2 on wrong Workday credentials, naming the settings to fix', async () => {
    const { code, stdout } = await run(['check', '--json'], { ...s.env, WORKDAY_PASSWORD: 'wrong' });
    expect(code).toBe(2);
    const workday = lineOf(JSON.parse(stdout) as Report, 'Workday');
    expect(workday).toMatchObject({ status: 'fail', failure: 'configuration' });
    expect(workday?.fix).toContain('WORKDAY_PASSWORD');
  });

  it('exits 3 when Graph cannot be reached, and says so on the lookup line', async () => {
    const { code, stdout } = await run(['check', '--json'], { ...s.env, GRAPH_BASE_URL: 'http://127.0.0.1:9' });
    expect(code).toBe(3);
    const report = JSON.parse(stdout) as Report;
    expect(lineOf(report, 'Graph user lookup')).toMatchObject({ status: 'fail', failure: 'unreachable' });
    expect(lineOf(report, 'Workday')).toMatchObject({ status: 'pass' });
  }, 120_000);

  it('exits 2 naming every missing setting on one failed settings line, the Workday ones included', async () => {
    const { code, stdout } = await run(['check', '--json'], { CONNECTOR_CONFIG: s.connectorPath });
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as Report;
    expect(report.checks.map((line) => [line.check, line.status])).toEqual([
      ['settings', 'fail'],
      ['connector file', 'pass'],
    ]);
    for (const name of ['AzureWebJobsStorage', 'WORKDAY_USERNAME', 'WORKDAY_PASSWORD', 'WORKDAY_RAAS_URL'])
      expect(report.checks[0]?.detail).toContain(name);
  });

  it('without any Azure credential says how to get one and exits 2 (configuration, not an outage)', async () => {
    // Only node on the PATH: no Azure CLI, azd or PowerShell to sign in with, no managed identity here.
    const { code, stdout } = await run(['check', '--json'], {
      ...s.env,
      GRAPH_AUTH: 'azure',
      PATH: dirname(process.execPath),
      HOME: s.connectorPath.replace(/\/connector\.json$/, ''),
    });
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as Report;
    expect(lineOf(report, 'Graph token')).toMatchObject({ status: 'fail', failure: 'configuration' });
    expect(lineOf(report, 'Graph token')?.fix).toContain('az login');
    expect(lineOf(report, 'Graph token')?.fix).toContain('managed identity');
    expect(report.checks.filter((line) => line.failure === 'unreachable')).toEqual([]);
  }, 120_000);

  it('exits 2 naming WORKDAY_RAAS_URL when it is plain http to a real host', async () => {
    const { code, stdout } = await run(['check', '--json'], { ...s.env, WORKDAY_RAAS_URL: 'http://example.com/r' });
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as Report;
    expect(report.checks[0]).toMatchObject({ check: 'settings', status: 'fail' });
    expect(report.checks[0]?.detail).toMatch(/WORKDAY_RAAS_URL must be an https URL/);
  });

  it('still checks storage when the connector file is missing', async () => {
    const { code, stdout } = await run(['check', '--json'], {
      ...s.env,
      CONNECTOR_CONFIG: '/nonexistent/connector.json',
    });
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as Report;
    expect(lineOf(report, 'connector file')).toMatchObject({ status: 'fail' });
    expect(lineOf(report, 'storage tables')).toMatchObject({ status: 'pass' });
  });
});
