import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { OPERATOR_ROLES } from '../app/entraCallers';
import { approveHeldCycle } from '../core/approveHeldCycle';
import { maskValue } from '../core/mask';
import { errorResponse } from './httpErrors';
import { callerOf } from './httpCaller';
import { refuseRequest } from './httpInput';
import { getServices } from './hostServices';

/**
 * POST /api/cycles/{runId}/approve: approve a held cycle's plan, so approving in Azure needs no
 * app-setting edit. Only a caller with the approve app role; the held run's record names them,
 * and the next cycle lets the plan through (more changes than the held plan are held again).
 */
export async function approveRoute(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const services = getServices();
    const who = await callerOf(services, request, [OPERATOR_ROLES.approve]);
    if ('refusal' in who) return who.refusal;
    const refusal = await refuseRequest(request, { method: 'POST', queryParameters: [] });
    if (refusal) return refusal;
    const runId = request.params.runId ?? '';
    const run = await approveHeldCycle(services, runId, who.caller);
    if (!run)
      return {
        status: 404,
        jsonBody: maskValue({
          error: 'INPUT.INVALID',
          message: `no held cycle awaiting approval has the run id ${JSON.stringify(runId.slice(0, 80))} (attribute-writer runs lists them; a cycle that went through since needs no approval)`,
        }),
      };
    const body = {
      approved: run.runId,
      changes: run.changes,
      approvedBy: who.caller,
      approvedAt: run.approval?.at.toISOString(),
      next: 'the next cycle lets this plan through; a plan with more changes is held again',
    };
    return { status: 200, jsonBody: maskValue(body) };
  } catch (err) {
    return errorResponse(err, context);
  }
}

// Anonymous to the host: the app authenticates the caller itself (see resyncRoute).
app.http('approveHeldCycle', {
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'cycles/{runId}/approve',
  handler: approveRoute,
});
