import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { resyncWithin } from '../app/resyncWithin';
import { errorResponse } from './httpErrors';
import { refuseRequest } from './httpInput';
import { operationIdOf } from '../telemetry/operationContext';
import { getServices } from './hostServices';

/** POST /api/workers/{workerId}/resync[?dryRun=true]: one worker now, through the same pipeline. */
export async function resyncRoute(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const refusal = await refuseRequest(request, { method: 'POST', queryParameters: ['dryRun'] });
    if (refusal) return refusal;
    const dryRunParam = request.query.get('dryRun');
    if (dryRunParam !== null && !['true', 'false'].includes(dryRunParam)) {
      return { status: 400, jsonBody: { error: 'INPUT.INVALID', message: "dryRun must be 'true' or 'false'" } };
    }
    const answer = await resyncWithin(getServices(), request.params.workerId ?? '', {
      dryRun: dryRunParam === 'true',
      operationId: operationIdOf(context),
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
    return { status, jsonBody: { runId: summary.runId, dryRun: summary.dryRun, outcome } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

app.http('resyncWorker', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'workers/{workerId}/resync',
  handler: resyncRoute,
});
