/**
 * The failure bodies the simulated Get_Workers answers with, shaped as Workday shapes them:
 * SOAP 1.1 faults under the `SOAP-ENV` prefix with HTTP 500, validation detail in `wd:Validation_Fault`,
 * and, during an outage, a load balancer's HTML page instead of any SOAP at all.
 */
export interface SoapReply {
  status: number;
  body: string;
  /** Extra response headers (Retry-After on a maintenance page). */
  headers?: Record<string, string>;
}

/** Thrown while reading a request; the handler answers with its reply. */
export class SoapFaultReply extends Error {
  constructor(readonly reply: SoapReply) {
    super(reply.body);
  }
}

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const BSVC = 'urn:com.workday/bsvc';

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function fault(code: string, message: string, detail = ''): SoapReply {
  return {
    status: 500,
    body:
      `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP_ENV}"><SOAP-ENV:Body>` +
      `<SOAP-ENV:Fault xmlns:wd="${BSVC}"><faultcode>${code}</faultcode><faultstring>${escapeXml(message)}</faultstring>` +
      `${detail}</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`,
  };
}

/** What Workday answers to a wrong, missing or locked integration user: no hint which part was wrong. */
export function authenticationFault(): SoapReply {
  return fault('SOAP-ENV:Client.authenticationError', 'invalid username or password');
}

/** A request Workday understood but refuses (bad ID, bad paging, bad date range). */
export function validationFault(message: string, xpath = '/bsvc:Get_Workers_Request[1]'): SoapReply {
  const detail =
    '<detail><wd:Validation_Fault><wd:Validation_Error>' +
    `<wd:Message>${escapeXml(message)}</wd:Message><wd:Detail_Message>${escapeXml(message)}</wd:Detail_Message>` +
    `<wd:Xpath>${escapeXml(xpath)}</wd:Xpath></wd:Validation_Error></wd:Validation_Fault></detail>`;
  return fault('SOAP-ENV:Client.validationError', `Validation error occurred. ${message}`, detail);
}

/** A request that is not a Get_Workers SOAP call at all (malformed XML, unknown operation). */
export function clientFault(message: string): SoapReply {
  return fault('SOAP-ENV:Client', message);
}

export function serverFault(status: number): SoapReply {
  return {
    ...fault(
      'SOAP-ENV:Server',
      'Processing error occurred. The server could not complete the request; try again later.',
    ),
    status,
  };
}

/** The page a load balancer shows while the tenant is down for maintenance: HTML, not SOAP. */
export function maintenancePage(status: number): SoapReply {
  return {
    status,
    headers: { 'Content-Type': 'text/html; charset=UTF-8', 'Retry-After': '1' },
    body:
      '<!DOCTYPE html><html><head><title>Workday is currently unavailable</title></head><body>' +
      '<h1>Workday is currently unavailable</h1><p>Your tenant is undergoing scheduled maintenance.<br>Please try again later.</p>' +
      '</body></html>',
  };
}
