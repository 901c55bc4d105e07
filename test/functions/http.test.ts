/** The HTTP functions, called as the host would call them: path validation, dry run, status codes. */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resyncRoute } from '../../src/functions/resyncRoute';
import { workerStatusRoute } from '../../src/functions/workerStatusRoute';
import { useServices } from '../../src/functions/hostServices';
import { startAzurite, startScenario, type Scenario } from '../scenario/harness';
import { hybridWorker, syncedUser, world } from '../scenario/smallWorld';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
const context = () => new InvocationContext({ invocationId: 'http-test', functionName: 'http' });
const post = (workerId: string, query = '') =>
  resyncRoute(
    new HttpRequest({
      method: 'POST',
      url: `http://localhost/api/workers/${encodeURIComponent(workerId)}/resync${query}`,
      params: { workerId },
    }),
    context(),
  );
const get = (workerId: string) =>
  workerStatusRoute(
    new HttpRequest({
      method: 'GET',
      url: `http://localhost/api/workers/${encodeURIComponent(workerId)}`,
      params: { workerId },
    }),
    context(),
  );

beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, {
    world: world([hybridWorker('7001'), hybridWorker('7002')], [syncedUser('7001')]),
  });
  useServices(s.services);
});
afterAll(async () => {
  useServices(undefined);
  await s?.close();
  await azurite?.stop();
});

describe('resyncRoute (function resyncWorker)', () => {
  it('answers 400 with the reason for an id over 16 characters', async () => {
    const response = await post('12345678901234567');
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.jsonBody)).toContain('16 characters');
  });

  it('answers 400 for a dryRun value that is not true or false', async () => {
    expect((await post('7001', '?dryRun=yes')).status).toBe(400);
  });

  it('plans without writing on ?dryRun=true and shows the masked diff', async () => {
    const response = await post('7001', '?dryRun=true');
    expect(response.status).toBe(200);
    const body = response.jsonBody as { dryRun: boolean; outcome: { code: string; changes: unknown[] } };
    expect(body.dryRun).toBe(true);
    expect(body.outcome.code).toBe('written');
    expect(JSON.stringify(body.outcome.changes)).toContain('7***@example.net');
    expect(s.graph.usersByEmployeeId('7001')[0]!.otherMails).toEqual([]);
  });

  it('writes the worker now', async () => {
    const response = await post('7001');
    expect((response.jsonBody as { outcome: { code: string } }).outcome.code).toBe('written');
    expect(s.graph.usersByEmployeeId('7001')[0]!.otherMails).toEqual(['7001.home@example.net']);
  });

  it('answers 404 for a worker Workday does not have', async () => {
    expect((await post('9999')).status).toBe(404);
  });

  it('escrows a worker without a user', async () => {
    const response = await post('7002');
    expect((response.jsonBody as { outcome: { code: string; reason: string } }).outcome).toMatchObject({
      code: 'escrowed',
      reason: 'notFound',
    });
  });
});

describe('workerStatusRoute (function workerStatus)', () => {
  it('shows the ledger state of a written worker', async () => {
    const response = await get('7001');
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({ workerId: '7001', lastOutcome: 'written' });
  });

  it('shows the escrow entry of an escrowed worker', async () => {
    const response = await get('7002');
    expect((response.jsonBody as { escrow: { reason: string; attempts: number } }).escrow).toMatchObject({
      reason: 'notFound',
      attempts: 1,
    });
  });

  it('answers 404 for an unknown worker and 400 for a control character', async () => {
    expect((await get('nobody')).status).toBe(404);
    expect((await get('bad\u0007id')).status).toBe(400);
  });
});
