/**
 * Free text is masked where it leaves: the HTTP routes and the CLI's output mask a stored ledger
 * `detail` whatever it holds (a row written before masking at source, an address URL-encoded),
 * and a resync's answer masks the detail of a bad Workday value.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_ROLES } from '../../src/app/entraCallers';
import { useServices } from '../../src/functions/hostServices';
import { resyncRoute } from '../../src/functions/resyncRoute';
import { workerStatusRoute } from '../../src/functions/workerStatusRoute';
import type { AzuriteInstance } from '../support/azurite';
import { startAzurite, startScenario, type Scenario } from './harness';
import { hybridWorker, syncedUser, world } from './smallWorld';

let azurite: AzuriteInstance;
let s: Scenario;
const STORED = {
  '9101': "country 'mo@corp.example' is not an ISO 3166-1 alpha-2 code",
  '9102': "country 'o%27connor%40corp.example' is not an ISO 3166-1 alpha-2 code",
};
const CLEAR = ['mo@corp.example', 'o%27connor%40corp.example'];

beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, {
    world: world(
      [hybridWorker('9101'), hybridWorker('9102'), hybridWorker('9103', { businessSiteCountry: 'mo@corp.example' })],
      [syncedUser('9101'), syncedUser('9102'), syncedUser('9103')],
    ),
  });
  useServices(s.services);
  for (const [workerId, detail] of Object.entries(STORED)) {
    await s.services.ledger.change(workerId, () => ({
      workerId,
      lastOutcome: 'rejected',
      reason: 'invalidCountry',
      detail,
      runId: 'cycle-stored-before-masking',
      updatedAt: new Date(),
    }));
  }
});
afterAll(async () => {
  useServices(undefined);
  await s?.close();
  await azurite?.stop();
});

const context = () => new InvocationContext({ invocationId: 'masked-boundaries', functionName: 'http' });
const headers = () => ({ authorization: `Bearer ${s.entra.token({ roles: [OPERATOR_ROLES.resync] })}` });
const leaks = (text: string) => CLEAR.filter((address) => text.includes(address));

describe('a stored detail leaves masked', () => {
  it.each(Object.keys(STORED))('through GET /api/workers/%s', async (workerId) => {
    const response = await workerStatusRoute(
      new HttpRequest({
        method: 'GET',
        url: `http://localhost/api/workers/${workerId}`,
        params: { workerId },
        headers: headers(),
      }),
      context(),
    );
    expect(response.status).toBe(200);
    const body = JSON.stringify(response.jsonBody);
    expect(body).toMatch(/(m\*\*\*@|o\*\*\*%40)corp\.example/);
    expect(leaks(body)).toEqual([]);
  });

  it.each(Object.keys(STORED))('through status %s, with --json and without', async (workerId) => {
    const json = await s.cli(['status', workerId, '--json']);
    const text = await s.cli(['status', workerId]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ workerId, reason: 'invalidCountry' });
    expect(leaks(json.stdout + text.stdout)).toEqual([]);
  });
});

describe('a resync answer leaves masked', () => {
  it('masks the detail of a country field that holds an address', async () => {
    const response = await resyncRoute(
      new HttpRequest({
        method: 'POST',
        url: 'http://localhost/api/workers/9103/resync?dryRun=true',
        params: { workerId: '9103' },
        headers: headers(),
      }),
      context(),
    );
    const body = JSON.stringify(response.jsonBody);
    expect(body).toContain('invalidCountry');
    expect(leaks(body)).toEqual([]);
    expect(leaks((await s.cli(['resync', '9103', '--dry-run', '--json'])).stdout)).toEqual([]);
  });
});
