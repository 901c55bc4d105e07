/**
 * Placeholder until the SOAP Get_Workers simulator lands: answers every SOAP call with a
 * Server fault so that nothing mistakes it for an empty tenant.
 */
import type { WorkdayTenant } from './tenant';

export interface SoapReply {
  status: number;
  body: string;
}

export async function handleSoapRequest(_tenant: WorkdayTenant, _body: string, _authorization?: string): Promise<SoapReply> {
  return {
    status: 500,
    body:
      '<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">' +
      '<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>Get_Workers is not simulated yet</faultstring>' +
      '</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>',
  };
}
