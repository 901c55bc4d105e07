/**
 * Operators need only what they touch: `runs`, `status` and `escrow` read the tables and start
 * with the storage setting alone; a command that needs more names every missing setting in one
 * error (exit 2), as real processes of the installed command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, startScenario, type Scenario } from '../scenario/harness';
import type { AzuriteInstance } from '../support/azurite';
import { run } from './processRun';

let azurite: AzuriteInstance;
let s: Scenario;
/** Storage and the tables' prefix: where the records are, and nothing else. */
let storageOnly: Record<string, string>;
beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, { size: 40, seed: 5 });
  const approved = await s.cli(['cycle', '--approve', '--json']);
  expect(approved.code, approved.stderr).toBe(0);
  storageOnly = { AzureWebJobsStorage: azurite.connectionString, TABLE_PREFIX: s.env.TABLE_PREFIX as string };
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

describe('settings per command', () => {
  it('runs `runs`, `status` and `escrow` with the storage setting alone (no Workday, Graph or connector file)', async () => {
    const runs = await run(['runs', '--json'], storageOnly);
    expect(runs.code, runs.stderr).toBe(0);
    expect((JSON.parse(runs.stdout) as { count: number }).count).toBe(1);
    const workerId = s.world.workers.find((w) => s.world.users.some((u) => u.employeeId === w.workerId))?.workerId;
    const status = await run(['status', String(workerId), '--json'], storageOnly);
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { known: boolean }).known).toBe(true);
    const escrow = await run(['escrow', '--json'], storageOnly);
    expect(escrow.code, escrow.stderr).toBe(0);
    expect(JSON.parse(escrow.stdout)).toHaveProperty('entries');
  });

  it('names every missing setting of a cycle, and the connector file, in one error with exit 2', async () => {
    const { code, stderr } = await run(['cycle'], { AzureWebJobsStorage: azurite.connectionString });
    expect(code).toBe(2);
    expect(stderr.match(/attribute-writer:/g)).toHaveLength(1);
    for (const name of [
      'WORKDAY_USERNAME',
      'WORKDAY_PASSWORD',
      'WORKDAY_RAAS_URL or WORKDAY_SOAP_URL',
      'CONNECTOR_CONFIG',
    ])
      expect(stderr).toContain(name);
    expect(stderr).toContain('[CONFIG.INVALID_SETTING]');
  });

  it('names the URL that source.kind needs once the connector file is read', async () => {
    const { WORKDAY_RAAS_URL: _url, WORKDAY_PASSWORD: _password, ...rest } = s.env;
    const { code, stderr } = await run(['sweep'], rest);
    expect(code).toBe(2);
    expect(stderr).toContain('WORKDAY_PASSWORD is required');
    expect(stderr).toContain('WORKDAY_RAAS_URL is required: the RaaS report URL, because source.kind is "raas"');
  });

  it('still refuses a bad storage setting for a read-only command, by name', async () => {
    const { code, stderr } = await run(['runs'], {
      AzureWebJobsStorage__queueServiceUri: 'https://a.queue.core.windows.net',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('AzureWebJobsStorage__tableServiceUri is required');
  });
});
