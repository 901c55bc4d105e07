/**
 * The simulated Human_Resources Get_Workers endpoint: checks the WS-Security UsernameToken,
 * selects workers by reference or by criteria (entered or effective in a transaction-log window,
 * active only) as of the request's moments (asOfView.ts),
 * pages them, and answers with a Get_Workers_Response, a SOAP fault, or an injected outage,
 * as a Workday tenant does. Every request lands in the tenant's request log.
 */
import type { SimWorker } from '../world';
import { tenantView, type WorkerAsOf } from './asOfView';
import {
  SoapFaultReply,
  authenticationFault,
  maintenancePage,
  serverFault,
  validationFault,
  type SoapReply,
} from './soapFaults';
import { renderResponse, wid } from './soapRender';
import {
  credentialsOf,
  parseEnvelope,
  readGetWorkers,
  requestedPage,
  type GetWorkersRequest,
  type XmlObject,
} from './soapRequest';
import { seenByIntegrationUser, takeFault, type InjectedFault, type WorkdayTenant } from './tenant';

export type { SoapReply } from './soapFaults';

/**
 * Answers one POST to the SOAP endpoint. `authorization` (the HTTP header) is deliberately ignored:
 * Get_Workers authenticates with the UsernameToken in the envelope, not with HTTP Basic.
 */
export async function handleSoapRequest(
  tenant: WorkdayTenant,
  body: string,
  _authorization?: string,
): Promise<SoapReply> {
  const { reply, summary } = answer(tenant, body);
  tenant.requests.push({ protocol: 'soap', summary, status: reply.status, at: new Date() });
  return reply;
}

function answer(tenant: WorkdayTenant, body: string): { reply: SoapReply; summary: string } {
  let summary = 'unreadable request';
  try {
    const parsed = readEnvelope(body);
    const injected = takeFault(tenant, 'soap', 'envelope' in parsed ? requestedPage(parsed.envelope) : undefined);
    if (injected && injected.kind !== 'invalidCharacter')
      return { reply: outage(injected, tenant), summary: `injected ${String(injected.kind)}` };
    if ('fault' in parsed) return { reply: parsed.fault, summary };
    const { envelope } = parsed;
    if (!authenticated(tenant, credentialsOf(envelope)))
      return { reply: authenticationFault(), summary: 'authentication failed' };
    const request = readGetWorkers(envelope, body);
    summary = summarize(request);
    const reply = getWorkers(tenant, request);
    if (injected)
      return {
        reply: { ...reply, body: reply.body.replace('<wd:Worker_ID>', '<wd:Worker_ID>&#x110000;') },
        summary: `${summary} injected invalidCharacter`,
      };
    return { reply, summary };
  } catch (err) {
    if (err instanceof SoapFaultReply) return { reply: err.reply, summary };
    throw err;
  }
}

/** Kept apart from the other faults: an outage must win even over a request it cannot read. */
function readEnvelope(body: string): { envelope: XmlObject } | { fault: SoapReply } {
  try {
    return { envelope: parseEnvelope(body) };
  } catch (err) {
    if (err instanceof SoapFaultReply) return { fault: err.reply };
    throw err;
  }
}

function authenticated(tenant: WorkdayTenant, credentials: GetWorkersRequest['credentials']): boolean {
  return credentials !== null && credentials.username === tenant.username && credentials.password === tenant.password;
}

/** 500 → a Server fault; any other status → the load balancer's HTML page; 'html' → that page with 200; 'truncate' → a cut body. */
function outage(fault: InjectedFault, tenant: WorkdayTenant): SoapReply {
  if (fault.kind === 500) return serverFault(500);
  if (typeof fault.kind === 'number') return maintenancePage(fault.kind);
  if (fault.kind === 'html')
    return { ...maintenancePage(200), headers: { 'Content-Type': 'text/html; charset=UTF-8' } };
  const whole = renderResponse({
    request: TRUNCATED_REQUEST,
    workers: tenant.workers.slice(0, 5),
    totalResults: 5,
    totalPages: 1,
    now: new Date(),
  });
  return { status: 200, body: whole.slice(0, Math.floor(whole.length / 2)) };
}

const TRUNCATED_REQUEST: GetWorkersRequest = {
  credentials: null,
  references: null,
  skipNonExisting: false,
  updatedFrom: null,
  updatedThrough: null,
  effectiveFrom: null,
  effectiveThrough: null,
  excludeInactive: false,
  asOfEffectiveDate: null,
  asOfEntryDateTime: null,
  page: 1,
  count: 5,
  group: { includeReference: true, includePersonal: true, includeEmployment: true, includeOrganizations: true },
  echo: { references: false, criteria: false },
};

function getWorkers(tenant: WorkdayTenant, request: GetWorkersRequest): SoapReply {
  const now = new Date();
  const view = tenantView(tenant, request, now);
  const selected: WorkerAsOf[] = request.references
    ? byReference(tenant.workers, request).map(view.asOf)
    : view.select(request);
  const totalPages = Math.ceil(selected.length / request.count);
  const start = (request.page - 1) * request.count;
  const workers = selected.slice(start, start + request.count).map((worker) => seenByIntegrationUser(tenant, worker));
  return { status: 200, body: renderResponse({ request, workers, totalResults: selected.length, totalPages, now }) };
}

/** Every reference must name a worker of that id type, unless the request asks to skip the missing ones. */
function byReference(workers: readonly SimWorker[], request: GetWorkersRequest): SimWorker[] {
  const found: SimWorker[] = [];
  (request.references ?? []).forEach((id, index) => {
    const worker = workers.find((candidate) => referenceMatches(candidate, id.type, id.value));
    if (worker) found.push(worker);
    else if (!request.skipNonExisting) {
      throw new SoapFaultReply(
        validationFault(
          `Invalid ID value.  '${id.value}' is not a valid ID value for type = '${id.type}'`,
          `/bsvc:Get_Workers_Request[1]/bsvc:Request_References[1]/bsvc:Worker_Reference[${index + 1}]/bsvc:ID[1]`,
        ),
      );
    }
  });
  return found;
}

function referenceMatches(worker: SimWorker, type: string, value: string): boolean {
  if (type === 'WID') return value !== '' && wid('worker', worker.workerId) === value.toLowerCase();
  const ownType = worker.workerType === 'Employee' ? 'Employee_ID' : 'Contingent_Worker_ID';
  return type === ownType && value !== '' && worker.workerId === value;
}

function summarize(request: GetWorkersRequest): string {
  const parts = ['Get_Workers', `page=${request.page}`, `count=${request.count}`];
  if (request.asOfEntryDateTime) parts.push(`asOfEntry=${request.asOfEntryDateTime}`);
  if (request.asOfEffectiveDate) parts.push(`asOfEffective=${request.asOfEffectiveDate}`);
  if (request.updatedFrom && request.updatedThrough) {
    parts.push(`updated=${request.updatedFrom.toISOString()}..${request.updatedThrough.toISOString()}`);
  }
  if (request.effectiveFrom && request.effectiveThrough) {
    parts.push(`effective=${request.effectiveFrom.toISOString()}..${request.effectiveThrough.toISOString()}`);
  }
  if (request.excludeInactive) parts.push('activeOnly');
  if (request.references) parts.push(`refs=${request.references.map((id) => `${id.type}:${id.value}`).join(',')}`);
  return parts.join(' ');
}
