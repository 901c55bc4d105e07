import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { workerStatus } from '../core/workerStatus';
import { errorResponse } from './httpErrors';
import { refuseRequest } from './httpInput';
import { getServices } from './hostServices';

/** GET /api/workers/{workerId}: what the ledger and escrow know of one worker. */
export async function workerStatusRoute(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const refusal = await refuseRequest(request, { method: 'GET', queryParameters: [] });
    if (refusal) return refusal;
    const view = await workerStatus(getServices(), request.params.workerId ?? '');
    if (!view.known)
      return { status: 404, jsonBody: { ...view, message: 'neither the ledger nor escrow knows this worker id' } };
    return { status: 200, jsonBody: view };
  } catch (err) {
    return errorResponse(err, context);
  }
}

app.http('workerStatus', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'workers/{workerId}',
  handler: workerStatusRoute,
});
