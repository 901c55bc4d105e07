/**
 * The approve route, called as the host would call it: an operator with the approve role approves
 * a held cycle by its run id, the held run's record names them, and the next timer-style cycle
 * lets the plan through with no app setting changed.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../sim/entra/tokenIssuer';
import { OPERATOR_ROLES } from '../../src/app/entraCallers';
import { runCycle, type RunSummary } from '../../src/app/operations';
import { approveRoute } from '../../src/functions/approveRoute';
import { useServices } from '../../src/functions/hostServices';
import { baseConnector, startAzurite, startScenario, type Scenario } from '../scenario/harness';
import { hybridWorker, syncedUser, world } from '../scenario/smallWorld';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
let held: RunSummary;
const ids = ['8001', '8002', '8003'];
const context = () => new InvocationContext({ invocationId: 'approve-test', functionName: 'approveHeldCycle' });
const bearer = (roles: string[]) => ({ authorization: `Bearer ${s.entra.token({ roles })}` });
const approve = (runId: string, headers: Record<string, string> = bearer([OPERATOR_ROLES.approve]), query = '') =>
  approveRoute(
    new HttpRequest({
      method: 'POST',
      url: `http://localhost/api/cycles/${encodeURIComponent(runId)}/approve${query}`,
      params: { runId },
      headers,
    }),
    context(),
  );
const written = () => ids.filter((id) => s.graph.usersByEmployeeId(id)[0]!.otherMails.length > 0);

beforeAll(async () => {
  azurite = await startAzurite();
  const connector = baseConnector();
  s = await startScenario(azurite, {
    world: world(
      ids.map((id) => hybridWorker(id)),
      ids.map((id) => syncedUser(id)),
    ),
    connector: { ...connector, guards: { ...(connector.guards as object), maxWritesPerCycle: 2 } },
  });
  useServices(s.services);
  held = await runCycle(s.services);
});
afterAll(async () => {
  useServices(undefined);
  await s?.close();
  await azurite?.stop();
});

describe('approveRoute (function approveHeldCycle)', () => {
  it('starts from a held cycle that wrote nothing', () => {
    expect([held.held, held.counts.held, written()]).toEqual([true, 3, []]);
  });

  it('refuses a caller without the approve role with 403, and one without a token with 401', async () => {
    const resyncOnly = await approve(held.runId, bearer([OPERATOR_ROLES.resync, OPERATOR_ROLES.read]));
    expect(resyncOnly.status).toBe(403);
    expect(JSON.stringify(resyncOnly.jsonBody)).toContain(OPERATOR_ROLES.approve);
    expect((await approve(held.runId, {})).status).toBe(401);
    const [record] = (await s.services.runs.heldAwaitingApproval()).filter((r) => r.runId === held.runId);
    expect(record?.approval).toBeUndefined();
  });

  it('answers 404 naming the command that lists held runs for an id no held cycle has', async () => {
    const response = await approve('cycle-that-never-was');
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.jsonBody)).toContain('attribute-writer runs');
  });

  it('answers 400 for a query parameter it does not take', async () => {
    expect((await approve(held.runId, bearer([OPERATOR_ROLES.approve]), '?dryRun=true')).status).toBe(400);
  });

  it('records the caller on the held run, and the next cycle lets the plan through', async () => {
    const response = await approve(held.runId);
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({ approved: held.runId, approvedBy: { objectId: OPERATOR.oid } });
    const [record] = (await s.services.runs.latest(5)).filter((r) => r.runId === held.runId);
    expect(record?.approval?.by).toMatchObject({ objectId: OPERATOR.oid, name: OPERATOR.name });
    expect(written()).toEqual([]); // recorded only: the cycle writes

    const next = await runCycle(s.services, { drain: s.services.consumer });
    expect([next.held, next.approvedBy, next.approvedHeldRun]).toEqual([false, 'route', held.runId]);
    expect(written()).toEqual(ids);
    const [nextRecord] = (await s.services.runs.latest(5)).filter((r) => r.runId === next.runId);
    expect(nextRecord?.note).toContain(`as held cycle ${held.runId}`);
  });

  it('answers 404 for a held cycle that has gone through', async () => {
    expect((await approve(held.runId)).status).toBe(404);
  });
});
