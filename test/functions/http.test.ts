/** The HTTP functions, called as the host would call them: path validation, dry run, status codes. */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_ROLES } from '../../src/app/entraCallers';
import { resyncRoute } from '../../src/functions/resyncRoute';
import { workerStatusRoute } from '../../src/functions/workerStatusRoute';
import { useServices } from '../../src/functions/hostServices';
import { startAzurite, startScenario, type Scenario } from '../scenario/harness';
import { hybridWorker, syncedUser, world } from '../scenario/smallWorld';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
const context = () => new InvocationContext({ invocationId: 'http-test', functionName: 'http' });
/** The Authorization header of an operator holding `roles`, as Entra would issue their token. */
const bearer = (roles: string[] = [OPERATOR_ROLES.resync]) => ({
  authorization: `Bearer ${s.entra.token({ roles })}`,
});
const post = (workerId: string, query = '', headers: Record<string, string> = bearer()) =>
  resyncRoute(
    new HttpRequest({
      method: 'POST',
      url: `http://localhost/api/workers/${encodeURIComponent(workerId)}/resync${query}`,
      params: { workerId },
      headers,
    }),
    context(),
  );
const get = (workerId: string, headers: Record<string, string> = bearer([OPERATOR_ROLES.read])) =>
  workerStatusRoute(
    new HttpRequest({
      method: 'GET',
      url: `http://localhost/api/workers/${encodeURIComponent(workerId)}`,
      params: { workerId },
      headers,
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

describe('who may call the routes', () => {
  const writes = () => s.graph.requests.filter((r) => r.method !== 'GET' && !r.path.startsWith('/$batch'));

  it('refuses a resync that carries only a function key, with 401, and writes nothing', async () => {
    const before = writes().length;
    const withHeaderKey = await post('7001', '', { 'x-functions-key': 'a-valid-looking-host-key' });
    const withCode = await post('7001', '?code=a-valid-looking-host-key', {});
    for (const response of [withHeaderKey, withCode]) {
      expect(response.status).toBe(401);
      expect(response.jsonBody).toMatchObject({ error: 'AUTH.UNAUTHENTICATED' });
    }
    expect(writes().length).toBe(before);
  });

  it('refuses a token signed by another key, for another API, or expired', async () => {
    const forged = { authorization: `Bearer ${s.entra.forgedToken({ roles: [OPERATOR_ROLES.resync] })}` };
    const otherApi = {
      authorization: `Bearer ${s.entra.token({ roles: [OPERATOR_ROLES.resync], aud: 'api://another-app' })}`,
    };
    const expired = {
      authorization: `Bearer ${s.entra.token({ roles: [OPERATOR_ROLES.resync], exp: Math.floor(Date.now() / 1000) - 3600 })}`,
    };
    for (const headers of [forged, otherApi, expired]) expect((await post('7001', '', headers)).status).toBe(401);
  });

  it('refuses a resync by a caller with the read role only, with 403', async () => {
    const response = await post('7001', '', bearer([OPERATOR_ROLES.read]));
    expect(response.status).toBe(403);
    expect(JSON.stringify(response.jsonBody)).toContain(OPERATOR_ROLES.resync);
  });

  it('lets status through with the read or the resync role, and not without a role', async () => {
    expect((await get('7001', bearer([OPERATOR_ROLES.read]))).status).toBe(200);
    expect((await get('7001', bearer([OPERATOR_ROLES.resync]))).status).toBe(200);
    expect((await get('7001', bearer([]))).status).toBe(403);
    expect((await get('7001', {})).status).toBe(401);
  });

  it("records the caller's object id and name in the resync's run record and its telemetry", async () => {
    const caller = { oid: '0b5e2c1a-1111-4222-8333-444455556666', name: 'Bob Resyncer' };
    const response = await post('7001', '?dryRun=true', {
      authorization: `Bearer ${s.entra.token({ roles: [OPERATOR_ROLES.resync], ...caller })}`,
    });
    expect(response.status).toBe(200);
    const { runId } = response.jsonBody as { runId: string };
    const [run] = (await s.services.runs.latest(20)).filter((r) => r.runId === runId);
    expect(run?.requestedBy).toEqual({ source: 'entra', objectId: caller.oid, name: caller.name });
    const event = s.logLines.find((line) => line.includes('RunCompleted') && line.includes(runId));
    expect(event).toContain(caller.oid);
    expect(event).toContain(caller.name);
  });
});

describe('a deployment without AUTH_TENANT_ID and AUTH_CLIENT_ID', () => {
  it('refuses every route call, naming the settings, and writes nothing', async () => {
    useServices({ ...s.services, callers: null });
    try {
      const before = s.graph.requests.length;
      for (const response of [await post('7001'), await get('7001')]) {
        expect(response.status).toBe(500);
        expect(JSON.stringify(response.jsonBody)).toMatch(/AUTH_TENANT_ID and AUTH_CLIENT_ID/);
      }
      expect(s.graph.requests.length).toBe(before);
    } finally {
      useServices(s.services);
    }
  });
});
