/**
 * The simulator's RaaS endpoint: `GET …/customreport2/<tenant>/<owner>/<report>?format=json`
 * with basic auth, the `Worker_ID` prompt, injected faults, and a streamed answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { seenByIntegrationUser, takeFault, type InjectedFault, type WorkdayTenant } from './tenant';
import { reportBody, reportRows, WORKER_PROMPT, type RaasReportOptions } from './raasReport';

const MAINTENANCE_HTML =
  '<!DOCTYPE html><html><head><title>Workday is unavailable</title></head><body>' +
  '<h1>Workday is currently unavailable due to scheduled maintenance.</h1>' +
  '<p>Please try again later.</p></body></html>';

export async function handleRaasRequest(
  tenant: WorkdayTenant,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: RaasReportOptions,
): Promise<void> {
  const log = (status: number): void => {
    tenant.requests.push({ protocol: 'raas', summary: url.search, status, at: new Date() });
  };
  // Maintenance and outages answer before credentials are even looked at.
  const fault = takeFault(tenant, 'raas');
  if (fault && fault.kind !== 'truncate') return answerFault(fault, response, log);

  if (!isAuthorized(tenant, request.headers.authorization)) {
    log(401);
    return sendJson(
      response,
      401,
      { error: 'Invalid username or password' },
      { 'WWW-Authenticate': 'Basic realm="Workday"' },
    );
  }
  const format = url.searchParams.get('format');
  if (format !== 'json') {
    log(400);
    return sendJson(response, 400, {
      error: `Invalid request: format '${format ?? ''}' is not served by this simulator; use format=json`,
    });
  }
  const workerId = url.searchParams.get(WORKER_PROMPT);
  const visible = tenant.workers.map((worker) => seenByIntegrationUser(tenant, worker));
  const rows = reportRows(visible, options, workerId);
  log(200);
  if (fault?.kind === 'truncate') {
    const total =
      workerId === null ? tenant.workers.length : tenant.workers.filter((w) => w.workerId === workerId).length;
    await streamBody(response, reportBody(rows, Math.floor(total / 2)));
    // No final chunk: the socket closes once the part is sent, so the client sees the body break off.
    response.socket?.end();
    return;
  }
  await streamBody(response, reportBody(rows));
  response.end();
}

function answerFault(fault: InjectedFault, response: ServerResponse, log: (status: number) => void): void {
  if (fault.kind === 'html') {
    // A maintenance page with status 200: not the report, whatever the status says.
    log(200);
    sendText(response, 200, 'text/html; charset=utf-8', MAINTENANCE_HTML);
    return;
  }
  const status = typeof fault.kind === 'number' ? fault.kind : 500;
  log(status);
  if (status === 503) {
    sendText(response, 503, 'text/html; charset=utf-8', MAINTENANCE_HTML, { 'Retry-After': '1' });
    return;
  }
  sendJson(response, status, { error: 'An unexpected error occurred. Please contact your administrator.' });
}

function isAuthorized(tenant: WorkdayTenant, header: string | undefined): boolean {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 && decoded.slice(0, colon) === tenant.username && decoded.slice(colon + 1) === tenant.password;
}

/** Writes chunks as the client takes them (backpressure), so the body is never built whole. */
async function streamBody(response: ServerResponse, chunks: Iterable<string>): Promise<void> {
  response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
  for (const chunk of chunks) {
    if (response.destroyed) return;
    if (!response.write(chunk)) await drained(response);
  }
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(response, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

function sendText(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'Content-Type': contentType, ...headers });
  response.end(body);
}
