import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { OPERATOR_ROLES } from '../app/entraCallers';
import { maskValue } from '../core/mask';
import { workerStatus } from '../core/workerStatus';
import { errorResponse } from './httpErrors';
import { callerOf } from './httpCaller';
import { refuseRequest } from './httpInput';
import { getServices } from './hostServices';

/** GET /api/workers/{workerId}: what the ledger and escrow know of one worker, for the read or the resync role. */
export async function workerStatusRoute(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const services = getServices();
    const who = await callerOf(services, request, [OPERATOR_ROLES.read, OPERATOR_ROLES.resync]);
    if ('refusal' in who) return who.refusal;
    const refusal = await refuseRequest(request, { method: 'GET', queryParameters: [] });
    if (refusal) return refusal;
    const view = await workerStatus(services, request.params.workerId ?? '');
    // Masked where it leaves: a stored detail may hold an address from before it was masked at source.
    if (!view.known)
      return {
        status: 404,
        jsonBody: maskValue({ ...view, message: 'neither the ledger nor escrow knows this worker id' }),
      };
    return { status: 200, jsonBody: maskValue(view) };
  } catch (err) {
    return errorResponse(err, context);
  }
}

// Anonymous to the host: the app authenticates the caller itself (see resyncRoute).
app.http('workerStatus', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'workers/{workerId}',
  handler: workerStatusRoute,
});
