import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { OPERATOR_ROLES } from '../app/entraCallers';
import { resyncWithin } from '../app/resyncWithin';
import { maskValue } from '../core/mask';
import { errorResponse } from './httpErrors';
import { callerOf } from './httpCaller';
import { refuseRequest } from './httpInput';
import { operationIdOf } from '../telemetry/operationContext';
import { getServices } from './hostServices';

/**
 * POST /api/workers/{workerId}/resync[?dryRun=true]: one worker now, through the same pipeline.
 * Only a caller with the resync app role; the run record names them.
 */
export async function resyncRoute(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const services = getServices();
    const who = await callerOf(services, request, [OPERATOR_ROLES.resync]);
    if ('refusal' in who) return who.refusal;
    const refusal = await refuseRequest(request, { method: 'POST', queryParameters: ['dryRun'] });
    if (refusal) return refusal;
    const dryRunParam = request.query.get('dryRun');
    if (dryRunParam !== null && !['true', 'false'].includes(dryRunParam)) {
      return { status: 400, jsonBody: { error: 'INPUT.INVALID', message: "dryRun must be 'true' or 'false'" } };
    }
    const answer = await resyncWithin(services, request.params.workerId ?? '', {
      dryRun: dryRunParam === 'true',
      operationId: operationIdOf(context),
      requestedBy: who.caller,
    });
    // Past the deadline (below the platform's 230 s): 202, and the job finishes from the queue.
    if (answer.kind === 'accepted')
      return {
        status: 202,
        headers: { Location: answer.location },
        jsonBody: { accepted: true, location: answer.location },
      };
    const { outcome, summary } = answer;
    const status = outcome.reason === 'notInWorkday' ? 404 : 200;
    // Masked where it leaves: an outcome's detail is free text, whatever produced it.
    const body = { runId: summary.runId, dryRun: summary.dryRun, requestedBy: who.caller, outcome };
    return { status, jsonBody: maskValue(body) };
  } catch (err) {
    return errorResponse(err, context);
  }
}

// Anonymous to the host: the app authenticates the caller itself (a function key would name nobody).
app.http('resyncWorker', {
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'workers/{workerId}/resync',
  handler: resyncRoute,
});
