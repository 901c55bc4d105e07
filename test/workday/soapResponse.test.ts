import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/core/errors';
import { getWorkersResponseOf, type HttpAnswer } from '../../src/workday/soapResponse';

const CONTEXT = { username: 'ISU_Entra@contoso', label: 'page 2' };

function errorOf(answer: Partial<HttpAnswer> & { body: string }): AppError {
  try {
    getWorkersResponseOf({ status: 500, retryAfter: null, ...answer }, CONTEXT);
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected an error');
}

const soapFault = (code: string, reason: string, detail = ''): string =>
  '<?xml version="1.0" encoding="utf-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>' +
  `<SOAP-ENV:Fault xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wd="urn:com.workday/bsvc"><faultcode>${code}</faultcode><faultstring>${reason}</faultstring>${detail}</SOAP-ENV:Fault>` +
  '</SOAP-ENV:Body></SOAP-ENV:Envelope>';

describe('getWorkersResponseOf', () => {
  it('returns the Get_Workers_Response whatever prefixes the envelope uses', () => {
    const body =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ns0:Get_Workers_Response xmlns:ns0="urn:com.workday/bsvc">' +
      '<ns0:Response_Results><ns0:Total_Pages>4</ns0:Total_Pages></ns0:Response_Results></ns0:Get_Workers_Response></soapenv:Body></soapenv:Envelope>';
    const response = getWorkersResponseOf({ status: 200, body, retryAfter: null }, CONTEXT);
    expect(response.name).toBe('Get_Workers_Response');
    expect(response.children[0]?.children[0]).toMatchObject({ name: 'Total_Pages', text: '4' });
  });

  it("reads Workday's authentication fault as a setting to fix, naming the user", () => {
    const error = errorOf({ body: soapFault('SOAP-ENV:Client.authenticationError', 'invalid username or password') });
    expect(error).toMatchObject({ code: 'WORKDAY.AUTHENTICATION', transient: false, status: 500 });
    expect(error.message).toContain("WORKDAY_USERNAME='ISU_Entra@contoso'");
    expect(error.message).toContain('WORKDAY_PASSWORD');
  });

  it('reads a Validation_Fault with every Validation_Error message', () => {
    const detail =
      '<detail><wd:Validation_Fault>' +
      '<wd:Validation_Error><wd:Message>Invalid ID value.  &apos;1&apos; is not a valid ID value for type = &apos;Employee_ID&apos;</wd:Message><wd:Xpath>/x</wd:Xpath></wd:Validation_Error>' +
      '<wd:Validation_Error><wd:Message>Page Number cannot be zero.</wd:Message></wd:Validation_Error>' +
      '</wd:Validation_Fault></detail>';
    const error = errorOf({
      body: soapFault('SOAP-ENV:Client.validationError', 'Validation error occurred. Invalid ID value.', detail),
    });
    expect(error).toMatchObject({ code: 'WORKDAY.VALIDATION', transient: false });
    expect(error.message).toBe(
      "Workday refused the Get_Workers request (page 2): Invalid ID value.  '1' is not a valid ID value for type = 'Employee_ID'; Page Number cannot be zero.",
    );
  });

  it('falls back to the faultstring of a Client fault without detail', () => {
    expect(errorOf({ body: soapFault('SOAP-ENV:Client', 'Invalid request') })).toMatchObject({
      code: 'WORKDAY.VALIDATION',
      message: expect.stringContaining('Invalid request'),
    });
  });

  it('reads a Server fault as transient', () => {
    expect(errorOf({ body: soapFault('SOAP-ENV:Server', 'Processing error occurred.') })).toMatchObject({
      code: 'WORKDAY.UNAVAILABLE',
      transient: true,
    });
  });

  it("reads a 503 maintenance page as transient, keeping the server's Retry-After", () => {
    const error = errorOf({
      status: 503,
      retryAfter: '20',
      body: '<!DOCTYPE html><html><body><p>Maintenance<br></p></body></html>',
    });
    expect(error).toMatchObject({ code: 'WORKDAY.UNAVAILABLE', transient: true, status: 503, retryAfterMs: 20_000 });
  });

  it.each([
    ['a 503 page', { status: 503, body: '<html><body>Maintenance</body></html>' }],
    ['a Server fault', { status: 500, body: soapFault('SOAP-ENV:Server', 'Processing error occurred.') }],
    ['an HTML page under 200', { status: 200, body: '<html><body>Maintenance</body></html>' }],
  ])('caps a Retry-After of an hour on %s at 30 s, and says so', (_, answer) => {
    const error = errorOf({ ...answer, retryAfter: '3600' });
    expect(error).toMatchObject({ code: 'WORKDAY.UNAVAILABLE', transient: true, retryAfterMs: 30_000 });
    expect(error.message).toContain('Workday asked to wait 3600 s; waiting at most 30 s');
  });

  it('reads an HTML page under HTTP 200 as an outage, not as an empty tenant', () => {
    expect(errorOf({ status: 200, body: '<html><body>Workday is currently unavailable</body></html>' })).toMatchObject({
      code: 'WORKDAY.UNAVAILABLE',
      transient: true,
    });
  });

  it('reads a body cut off midway as a transient bad response', () => {
    const body =
      '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body><wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc"><wd:Resp';
    expect(errorOf({ status: 200, body })).toMatchObject({ code: 'WORKDAY.BAD_RESPONSE', transient: true });
  });

  const page = (workerId: string): string =>
    '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body><wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc">' +
    `<wd:Response_Data><wd:Worker><wd:Worker_Data><wd:Worker_ID>${workerId}</wd:Worker_ID></wd:Worker_Data></wd:Worker></wd:Response_Data>` +
    '</wd:Get_Workers_Response></env:Body></env:Envelope>';

  it.each([
    ['a character reference beyond Unicode', '1&#x110000;'],
    ['a character reference to NUL', '1&#0;'],
    ['a decimal reference beyond Unicode', '1&#1114112;'],
    ['an entity XML does not define', '1&nbsp;'],
  ])("reads %s as a page that fails the read, with the parser's reason", (_, workerId) => {
    const error = errorOf({ status: 200, body: page(workerId) });
    expect(error).toMatchObject({ code: 'WORKDAY.BAD_RESPONSE', transient: false });
    expect(error.message).toMatch(/\(page 2\) is not well-formed XML \(.*(entity).*\)/);
  });

  it('decodes the character references XML allows, in text and attributes', () => {
    const response = getWorkersResponseOf(
      { status: 200, body: page('&#x31;&#50;&amp;&lt;&#xA;x'), retryAfter: null },
      CONTEXT,
    );
    expect(response.children[0]?.children[0]?.children[0]?.children[0]?.text).toBe('12&<\nx');
  });

  it('reads a complete envelope of another shape as a bad response that a retry will not fix', () => {
    const body =
      '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body><wd:Get_Organizations_Response xmlns:wd="urn:com.workday/bsvc"/></env:Body></env:Envelope>';
    expect(errorOf({ status: 200, body })).toMatchObject({ code: 'WORKDAY.BAD_RESPONSE', transient: false });
  });

  it('reads a 404 as a wrong WORKDAY_SOAP_URL', () => {
    const error = errorOf({ status: 404, body: 'Not Found' });
    expect(error).toMatchObject({ code: 'CONFIG.INVALID_SETTING', transient: false });
    expect(error.message).toContain('WORKDAY_SOAP_URL');
  });

  it('reads a 401 from a gateway as refused credentials', () => {
    expect(errorOf({ status: 401, body: '' })).toMatchObject({ code: 'WORKDAY.AUTHENTICATION', transient: false });
  });
});
