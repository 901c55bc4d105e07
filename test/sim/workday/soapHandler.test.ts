import { XMLParser } from 'fast-xml-parser';
import { beforeEach, describe, expect, it } from 'vitest';
import { handleSoapRequest } from '../../../sim/workday/soapHandler';
import { createTenant, type WorkdayTenant } from '../../../sim/workday/tenant';
import type { SimWorker } from '../../../sim/world';

type Node = Record<string, unknown>;

/** Keeps the wd: prefixes, so the test sees the document as Workday writes it. */
const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => ['wd:Worker', 'wd:ID', 'wd:Email_Address_Data', 'wd:Worker_Organization_Data'].includes(name),
});

function worker(id: string, overrides: Partial<SimWorker> = {}): SimWorker {
  return {
    workerId: id,
    workerType: 'Employee',
    employeeType: 'Regular',
    legalEntity: 'Contoso Corp',
    emails: [{ address: `w${id}@contoso.com`, usage: 'WORK', primary: true }],
    businessSiteCountry: 'US',
    homeCountry: 'CA',
    active: true,
    updatedAt: new Date('2026-11-01T00:00:00Z'),
    ...overrides,
  };
}

interface RequestParts {
  references?: string;
  criteria?: string;
  filter?: string;
  group?: string;
  username?: string;
  password?: string;
  security?: boolean;
}

function request(tenant: WorkdayTenant, parts: RequestParts = {}): string {
  const security =
    parts.security === false
      ? ''
      : '<soapenv:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken>' +
        `<wsse:Username>${xmlEscape(parts.username ?? tenant.username)}</wsse:Username><wsse:Password Type="PasswordText">${xmlEscape(parts.password ?? tenant.password)}</wsse:Password>` +
        '</wsse:UsernameToken></wsse:Security></soapenv:Header>';
  return (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:bsvc="urn:com.workday/bsvc">' +
    `${security}<soapenv:Body><bsvc:Get_Workers_Request bsvc:version="v44.2">` +
    `${parts.references ?? ''}${parts.criteria ?? ''}${parts.filter ?? ''}${parts.group ?? ''}` +
    '</bsvc:Get_Workers_Request></soapenv:Body></soapenv:Envelope>'
  );
}

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const page = (number: number, count: number, extra = ''): string =>
  `<bsvc:Response_Filter>${extra}<bsvc:Page>${number}</bsvc:Page><bsvc:Count>${count}</bsvc:Count></bsvc:Response_Filter>`;
const byId = (type: string, value: string, skip = false): string =>
  `<bsvc:Request_References bsvc:Skip_Non_Existing_Instances="${skip}"><bsvc:Worker_Reference><bsvc:ID bsvc:type="${type}">${value}</bsvc:ID></bsvc:Worker_Reference></bsvc:Request_References>`;
const effective = (from: string, through: string): string =>
  '<bsvc:Request_Criteria><bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Date_Range_Data>' +
  `<bsvc:Effective_From>${from}</bsvc:Effective_From><bsvc:Effective_Through>${through}</bsvc:Effective_Through>` +
  '</bsvc:Transaction_Date_Range_Data></bsvc:Transaction_Log_Criteria_Data></bsvc:Request_Criteria>';
const updated = (from: string, through: string): string =>
  '<bsvc:Request_Criteria><bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Date_Range_Data>' +
  `<bsvc:Updated_From>${from}</bsvc:Updated_From><bsvc:Updated_Through>${through}</bsvc:Updated_Through>` +
  '</bsvc:Transaction_Date_Range_Data></bsvc:Transaction_Log_Criteria_Data></bsvc:Request_Criteria>';

function responseOf(body: string): Node {
  const document = parser.parse(body) as Node;
  return ((document['env:Envelope'] as Node)['env:Body'] as Node)['wd:Get_Workers_Response'] as Node;
}

function workersOf(body: string): Node[] {
  return ((responseOf(body)['wd:Response_Data'] as Node | undefined)?.['wd:Worker'] as Node[] | undefined) ?? [];
}

function resultsOf(body: string): Record<string, string> {
  return responseOf(body)['wd:Response_Results'] as Record<string, string>;
}

function workerIds(body: string): string[] {
  return workersOf(body).map((w) => (w['wd:Worker_Data'] as Record<string, string>)['wd:Worker_ID']!);
}

function faultOf(body: string): { code: string; reason: string; detail: string } {
  const fault = ((parser.parse(body) as Node)['SOAP-ENV:Envelope'] as Node)['SOAP-ENV:Body'] as Node;
  const content = fault['SOAP-ENV:Fault'] as Record<string, unknown>;
  return {
    code: String(content.faultcode),
    reason: String(content.faultstring),
    detail: JSON.stringify(content.detail ?? ''),
  };
}

describe('handleSoapRequest', () => {
  let tenant: WorkdayTenant;
  const ask = (parts: RequestParts = {}) => handleSoapRequest(tenant, request(tenant, parts));

  beforeEach(() => {
    tenant = createTenant(['1', '2', '3', '4', '5', '6', '7'].map((id) => worker(`10000${id}`)));
  });

  it('answers a Get_Workers_Response in urn:com.workday/bsvc with wd: prefixes and a version', async () => {
    const reply = await ask({ filter: page(1, 3) });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">');
    expect(reply.body).toContain('<wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc" wd:version="v44.2">');
    const first = workersOf(reply.body)[0]!;
    expect(first['wd:Worker_Reference']).toMatchObject({
      'wd:ID': [{ '@_wd:type': 'WID' }, { '@_wd:type': 'Employee_ID', '#text': '100001' }],
    });
  });

  it('pages with Page and Count and reports the totals', async () => {
    const third = await ask({ filter: page(3, 3) });
    expect(resultsOf(third.body)).toEqual({
      'wd:Total_Results': '7',
      'wd:Total_Pages': '3',
      'wd:Page_Results': '1',
      'wd:Page': '3',
    });
    expect(workerIds(third.body)).toEqual(['100007']);
  });

  it('answers a page past the last with no workers', async () => {
    const past = await ask({ filter: page(4, 3) });
    expect(resultsOf(past.body)['wd:Page_Results']).toBe('0');
    expect(workersOf(past.body)).toEqual([]);
  });

  it('pages by 100 when the request names no Count', async () => {
    tenant.workers = Array.from({ length: 150 }, (_, index) => worker(String(200000 + index)));
    const reply = await ask();
    expect(resultsOf(reply.body)).toMatchObject({ 'wd:Total_Pages': '2', 'wd:Page_Results': '100' });
  });

  it.each([
    ['1000', 'Count must be between 1 and 999'],
    ['0', 'Count must be between 1 and 999'],
  ])('refuses Count %s with a Validation_Fault', async (count, message) => {
    const reply = await ask({
      filter: `<bsvc:Response_Filter><bsvc:Count>${count}</bsvc:Count></bsvc:Response_Filter>`,
    });
    expect(reply.status).toBe(500);
    expect(faultOf(reply.body)).toMatchObject({ code: 'SOAP-ENV:Client.validationError' });
    expect(faultOf(reply.body).detail).toContain(message);
    expect(faultOf(reply.body).detail).toContain('wd:Validation_Fault');
  });

  it('refuses page zero as Workday does', async () => {
    const reply = await ask({ filter: page(0, 3) });
    expect(faultOf(reply.body).reason).toBe('Validation error occurred. Page Number cannot be zero.');
  });

  it('echoes As_Of_Entry_DateTime exactly as sent', async () => {
    const reply = await ask({
      filter: page(1, 3, '<bsvc:As_Of_Entry_DateTime>2026-11-26T22:00:00.000+00:00</bsvc:As_Of_Entry_DateTime>'),
    });
    expect((responseOf(reply.body)['wd:Response_Filter'] as Node)['wd:As_Of_Entry_DateTime']).toBe(
      '2026-11-26T22:00:00.000+00:00',
    );
  });

  it('returns only workers updated inside the transaction window, bounds included', async () => {
    tenant.workers[1]!.updatedAt = new Date('2026-11-20T10:00:00Z');
    tenant.workers[4]!.updatedAt = new Date('2026-11-25T00:00:00Z');
    tenant.workers[5]!.updatedAt = new Date('2026-11-25T00:00:00.001Z');
    const reply = await ask({
      criteria: updated('2026-11-20T10:00:00.000+00:00', '2026-11-25T00:00:00.000+00:00'),
      filter: page(1, 100),
    });
    expect(workerIds(reply.body)).toEqual(['100002', '100005']);
  });

  describe('a change entered in advance', () => {
    const asOf = (moment: string): string =>
      `<bsvc:As_Of_Effective_Date>${moment}</bsvc:As_Of_Effective_Date><bsvc:As_Of_Entry_DateTime>${moment}</bsvc:As_Of_Entry_DateTime>`;
    const countryOf = (body: string): string | undefined =>
      /Alpha-2_Code">(\w\w)</.exec(body.slice(body.indexOf('Business_Site_Summary_Data')))?.[1];
    beforeEach(() => {
      tenant.changes.push({
        workerId: '100003',
        enteredAt: new Date('2026-11-10T00:00:00Z'),
        effectiveAt: new Date('2026-11-26T12:00:00Z'),
        set: { businessSiteCountry: 'JP' },
      });
    });

    it('is found by the Updated window when it is entered, not when it takes effect', async () => {
      expect(
        workerIds(
          (
            await ask({
              criteria: updated('2026-11-10T00:00:00Z', '2026-11-10T01:00:00Z'),
              filter: page(1, 100, asOf('2026-11-10T01:00:00Z')),
            })
          ).body,
        ),
      ).toEqual(['100003']);
      expect(
        workerIds(
          (
            await ask({
              criteria: updated('2026-11-26T00:00:00Z', '2026-11-26T22:00:00Z'),
              filter: page(1, 100, asOf('2026-11-26T22:00:00Z')),
            })
          ).body,
        ),
      ).toEqual([]);
    });

    it('is found by the Effective window when it takes effect', async () => {
      const reply = await ask({
        criteria: effective('2026-11-26T00:00:00Z', '2026-11-26T22:00:00Z'),
        filter: page(1, 100, asOf('2026-11-26T22:00:00Z')),
      });
      expect(workerIds(reply.body)).toEqual(['100003']);
      expect(countryOf(reply.body)).toBe('JP');
    });

    it('shows in the worker only from its effective moment, As_Of_Effective_Date as a date or a date-time', async () => {
      const lookUp = (moment: string) =>
        ask({
          references: byId('Employee_ID', '100003'),
          filter: `<bsvc:Response_Filter>${asOf(moment)}</bsvc:Response_Filter>`,
        });
      expect(countryOf((await lookUp('2026-11-26T11:59:59Z')).body)).toBe('US');
      expect(countryOf((await lookUp('2026-11-26T12:00:00Z')).body)).toBe('JP');
      const byDate = await ask({
        references: byId('Employee_ID', '100003'),
        filter:
          '<bsvc:Response_Filter><bsvc:As_Of_Effective_Date>2026-11-27Z</bsvc:As_Of_Effective_Date></bsvc:Response_Filter>',
      });
      expect(countryOf(byDate.body)).toBe('JP');
    });

    it('is not seen by a request pinned to an entry moment before it was entered', async () => {
      const reply = await ask({
        references: byId('Employee_ID', '100003'),
        filter: `<bsvc:Response_Filter>${asOf('2026-11-09T00:00:00Z').replace('2026-11-09T00:00:00Z</bsvc:As_Of_Effective_Date>', '2026-11-30T00:00:00Z</bsvc:As_Of_Effective_Date>')}</bsvc:Response_Filter>`,
      });
      expect(countryOf(reply.body)).toBe('US');
    });
  });

  it('leaves a future-dated hire out of a listing without criteria until its hire date', async () => {
    tenant.changes.push({
      workerId: '100007',
      enteredAt: new Date('2026-11-20T00:00:00Z'),
      effectiveAt: new Date('2026-12-01T00:00:00Z'),
      set: {},
      hire: true,
    });
    const before = await ask({
      filter: page(1, 100, '<bsvc:As_Of_Effective_Date>2026-11-30T00:00:00Z</bsvc:As_Of_Effective_Date>'),
    });
    expect(workerIds(before.body)).not.toContain('100007');
    const onTheDay = await ask({
      filter: page(1, 100, '<bsvc:As_Of_Effective_Date>2026-12-01T00:00:00Z</bsvc:As_Of_Effective_Date>'),
    });
    expect(workerIds(onTheDay.body)).toContain('100007');
    expect(onTheDay.body).toContain('<wd:Hire_Date>2026-12-01+00:00</wd:Hire_Date>');
  });

  it('refuses a transaction window with only one end', async () => {
    const criteria =
      '<bsvc:Request_Criteria><bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Date_Range_Data><bsvc:Updated_From>2026-11-20T00:00:00Z</bsvc:Updated_From>' +
      '</bsvc:Transaction_Date_Range_Data></bsvc:Transaction_Log_Criteria_Data></bsvc:Request_Criteria>';
    const reply = await ask({ criteria });
    expect(faultOf(reply.body).reason).toContain('both are Required');
  });

  it('refuses a transaction window that ends before it starts', async () => {
    const reply = await ask({ criteria: updated('2026-11-25T00:00:00Z', '2026-11-20T00:00:00Z') });
    expect(faultOf(reply.body).reason).toContain('Updated From must be less than or equal to Updated Through');
  });

  it('leaves inactive workers out when asked to', async () => {
    tenant.workers[0]!.active = false;
    const criteria =
      '<bsvc:Request_Criteria><bsvc:Exclude_Inactive_Workers>true</bsvc:Exclude_Inactive_Workers></bsvc:Request_Criteria>';
    const reply = await ask({ criteria, filter: page(1, 100) });
    expect(workerIds(reply.body)).not.toContain('100001');
    expect(workerIds(reply.body)).toHaveLength(6);
  });

  it('returns one worker by Employee_ID', async () => {
    const reply = await ask({ references: byId('Employee_ID', '100004') });
    expect(workerIds(reply.body)).toEqual(['100004']);
    expect(resultsOf(reply.body)['wd:Total_Results']).toBe('1');
  });

  it('refuses an unknown id with "Invalid ID value", as Workday does', async () => {
    const reply = await ask({ references: byId('Employee_ID', '999999') });
    expect(reply.status).toBe(500);
    expect(faultOf(reply.body).reason).toBe(
      "Validation error occurred. Invalid ID value.  '999999' is not a valid ID value for type = 'Employee_ID'",
    );
  });

  it('does not find a contingent worker by Employee_ID', async () => {
    tenant.workers.push(worker('C500001', { workerType: 'Contingent_Worker', employeeType: 'Contractor' }));
    expect(faultOf((await ask({ references: byId('Employee_ID', 'C500001') })).body).reason).toContain(
      'Invalid ID value',
    );
    expect(workerIds((await ask({ references: byId('Contingent_Worker_ID', 'C500001') })).body)).toEqual(['C500001']);
  });

  it('finds a worker by the WID it renders', async () => {
    const first = await ask({ references: byId('Employee_ID', '100003') });
    const widValue = ((workersOf(first.body)[0]!['wd:Worker_Reference'] as Node)['wd:ID'] as Node[])[0]![
      '#text'
    ] as string;
    expect(workerIds((await ask({ references: byId('WID', widValue) })).body)).toEqual(['100003']);
  });

  it('skips an unknown id when Skip_Non_Existing_Instances is set', async () => {
    const reply = await ask({ references: byId('Employee_ID', '999999', true) });
    expect(reply.status).toBe(200);
    expect(resultsOf(reply.body)['wd:Total_Results']).toBe('0');
  });

  it('answers a wrong password with the authentication fault and HTTP 500', async () => {
    const reply = await ask({ password: 'wrong' });
    expect(reply.status).toBe(500);
    expect(faultOf(reply.body)).toMatchObject({
      code: 'SOAP-ENV:Client.authenticationError',
      reason: 'invalid username or password',
    });
  });

  it('answers a request without a UsernameToken with the authentication fault', async () => {
    const reply = await ask({ security: false });
    expect(faultOf(reply.body).code).toBe('SOAP-ENV:Client.authenticationError');
  });

  it('accepts credentials holding XML special characters once they are escaped', async () => {
    tenant.username = 'ISU_"Entra"&Co@contoso';
    tenant.password = `<p&ss'"word>`;
    expect((await ask()).status).toBe(200);
  });

  it('answers malformed XML with a Client fault', async () => {
    const reply = await handleSoapRequest(
      tenant,
      '<soapenv:Envelope><soapenv:Body><bsvc:Get_Workers_Request></soapenv:Body>',
    );
    expect(reply.status).toBe(500);
    expect(faultOf(reply.body).code).toBe('SOAP-ENV:Client');
  });

  it('answers an operation it does not simulate with a Client fault', async () => {
    const body = request(tenant).replace(/Get_Workers_Request/g, 'Get_Organizations_Request');
    const reply = await handleSoapRequest(tenant, body);
    expect(faultOf(reply.body)).toMatchObject({ code: 'SOAP-ENV:Client' });
    expect(faultOf(reply.body).reason).toContain('Get_Organizations_Request');
  });

  it('renders every email with its usage type and primary flag', async () => {
    tenant.workers = [
      worker('100001', {
        emails: [
          { address: 'work@contoso.com', usage: 'WORK', primary: true },
          { address: 'old@example.com', usage: 'HOME', primary: false },
          { address: 'new@example.com', usage: 'HOME', primary: true },
        ],
      }),
    ];
    const contact = ((workersOf((await ask()).body)[0]!['wd:Worker_Data'] as Node)['wd:Personal_Data'] as Node)[
      'wd:Contact_Data'
    ] as Node;
    const emails = (contact['wd:Email_Address_Data'] as Node[]).map((email) => {
      const typeData = (email['wd:Usage_Data'] as Node)['wd:Type_Data'] as Node;
      const usage = ((typeData['wd:Type_Reference'] as Node)['wd:ID'] as Node[]).find(
        (id) => id['@_wd:type'] === 'Communication_Usage_Type_ID',
      )!['#text'];
      return `${String(email['wd:Email_Address'])} ${String(usage)} primary=${String(typeData['@_wd:Primary'])}`;
    });
    expect(emails).toEqual([
      'work@contoso.com WORK primary=1',
      'old@example.com HOME primary=0',
      'new@example.com HOME primary=1',
    ]);
  });

  it('renders a worker without emails with no Email_Address_Data', async () => {
    tenant.workers = [worker('100001', { emails: [] })];
    expect((await ask()).body).not.toContain('Email_Address_Data');
  });

  it('renders type, status, business site and the COMPANY organisation, escaped', async () => {
    tenant.workers = [
      worker('100001', {
        legalEntity: 'Smith & Sons <EU>',
        employeeType: 'Temporary',
        active: false,
        businessSiteCountry: 'DE',
      }),
    ];
    const data = workersOf((await ask()).body)[0]!['wd:Worker_Data'] as Node;
    const employment = data['wd:Employment_Data'] as Node;
    const position = (employment['wd:Worker_Job_Data'] as Node)['wd:Position_Data'] as Node;
    expect((position['wd:Worker_Type_Reference'] as Node)['@_wd:Descriptor']).toBe('Temporary');
    expect((employment['wd:Worker_Status_Data'] as Node)['wd:Active']).toBe('0');
    const site = ((position['wd:Business_Site_Summary_Data'] as Node)['wd:Address_Data'] as Node)[
      'wd:Country_Reference'
    ] as Node;
    expect((site['wd:ID'] as Node[]).find((id) => id['@_wd:type'] === 'ISO_3166-1_Alpha-2_Code')!['#text']).toBe('DE');
    const organizations = (data['wd:Organization_Data'] as Node)['wd:Worker_Organization_Data'] as Node[];
    const company = organizations
      .map((org) => org['wd:Organization_Data'] as Node)
      .find((org) => JSON.stringify(org).includes('"COMPANY"'))!;
    expect(company['wd:Organization_Name']).toBe('Smith & Sons <EU>');
  });

  it('leaves out the groups the Response_Group turns off', async () => {
    const group =
      '<bsvc:Response_Group><bsvc:Include_Reference>true</bsvc:Include_Reference><bsvc:Include_Organizations>false</bsvc:Include_Organizations></bsvc:Response_Group>';
    const reply = await ask({ group });
    expect(reply.body).toContain('<wd:Worker_Reference');
    expect(reply.body).not.toContain('Organization_Data');
    expect(reply.body).not.toContain('Personal_Data');
  });

  it('answers an injected 500 with a Server fault', async () => {
    tenant.faults.push({ protocol: 'soap', kind: 500, remaining: 1 });
    const reply = await ask();
    expect(reply.status).toBe(500);
    expect(faultOf(reply.body).code).toBe('SOAP-ENV:Server');
    expect((await ask()).status).toBe(200);
  });

  it('answers an injected 503 with an HTML maintenance page', async () => {
    tenant.faults.push({ protocol: 'any', kind: 503, remaining: 1 });
    const reply = await ask();
    expect(reply.status).toBe(503);
    expect(reply.body).toMatch(/^<!DOCTYPE html>/);
  });

  it('answers an injected html fault with a maintenance page under HTTP 200', async () => {
    tenant.faults.push({ protocol: 'soap', kind: 'html', remaining: 1 });
    const reply = await ask();
    expect(reply).toMatchObject({ status: 200 });
    expect(reply.body).toContain('<html>');
  });

  it('answers an injected truncate fault with a body cut midway', async () => {
    tenant.faults.push({ protocol: 'soap', kind: 'truncate', remaining: 1 });
    const reply = await ask();
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<wd:Get_Workers_Response');
    expect(reply.body).not.toContain('</env:Envelope>');
  });

  it('fails only the pages from fromPage on', async () => {
    tenant.faults.push({ protocol: 'soap', kind: 503, remaining: 5, fromPage: 3 });
    expect((await ask({ filter: page(2, 3) })).status).toBe(200);
    expect((await ask({ filter: page(3, 3) })).status).toBe(503);
    expect(tenant.faults[0]!.remaining).toBe(4);
  });

  it('logs every request with its status and what it asked for', async () => {
    await ask({
      filter: page(2, 3, '<bsvc:As_Of_Entry_DateTime>2026-11-26T22:00:00.000+00:00</bsvc:As_Of_Entry_DateTime>'),
    });
    await ask({ password: 'wrong' });
    expect(tenant.requests.map(({ protocol, status, summary }) => ({ protocol, status, summary }))).toEqual([
      { protocol: 'soap', status: 200, summary: 'Get_Workers page=2 count=3 asOfEntry=2026-11-26T22:00:00.000+00:00' },
      { protocol: 'soap', status: 500, summary: 'authentication failed' },
    ]);
  });

  it('renders a full page of 999 workers without a pathological cost', async () => {
    tenant.workers = Array.from({ length: 999 }, (_, index) => worker(String(300000 + index)));
    const started = performance.now();
    const reply = await ask({ filter: page(1, 999) });
    // Warm it renders in about 0.1 s; the bound only catches a quadratic slip on a busy machine.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(resultsOf(reply.body)['wd:Page_Results']).toBe('999');
  });
});
