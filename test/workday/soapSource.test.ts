import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../src/core/ports';
import type { SimEmail } from '../../sim/world';
import { AS_OF, READ, failure, readAll, useSoapSimulator, worker } from './soapFixture';

describe('createSoapSource', () => {
  const { tenant, waits, sent, simulatorUrl, source, onlyWorker } = useSoapSimulator();

  it('is an incremental source of kind soap', () => {
    expect(source()).toMatchObject({ kind: 'soap', supportsIncremental: true });
  });

  it('reads every page until Total_Pages, one record per worker, in order', async () => {
    const records = await readAll(source());
    expect(records.map((record) => record.WorkerID)).toEqual(tenant.workers.map((w) => w.workerId));
    expect(tenant.requests.map((request) => request.summary.split(' ').slice(0, 3).join(' '))).toEqual([
      'Get_Workers page=1 count=3',
      'Get_Workers page=2 count=3',
      'Get_Workers page=3 count=3',
    ]);
  });

  it('pins every page of one read to the same As_Of_Entry_DateTime, in UTC with an explicit offset', async () => {
    await readAll(source());
    const pinned = tenant.requests.map((request) => /asOfEntry=(\S+)/.exec(request.summary)?.[1]);
    expect(pinned).toEqual(Array(3).fill('2026-11-26T22:00:00.000+00:00'));
    // Microsoft's connector sends As_Of_Effective_Date as the full timestamp too (not a UTC date that cuts the view at midnight).
    expect(
      sent.every((body) =>
        body.includes('<bsvc:As_Of_Effective_Date>2026-11-26T22:00:00.000+00:00</bsvc:As_Of_Effective_Date>'),
      ),
    ).toBe(true);
  });

  it('reads nothing, in one request, from a tenant without workers', async () => {
    tenant.workers = [];
    expect(await readAll(source())).toEqual([]);
    expect(tenant.requests).toHaveLength(1);
  });

  it('delivers the attributes a connector scope reads, under the RaaS names', async () => {
    const record = await onlyWorker(
      worker('100001', {
        employeeType: 'Temporary',
        legalEntity: 'Contoso LLC',
        businessSiteCountry: 'DE',
        homeCountry: 'FR',
      }),
    );
    expect(record).toEqual({
      WorkerID: '100001',
      personalEmail: 'p100001@example.com',
      CountryISO: 'DE',
      Worker_Type: 'Employee',
      Employee_Type: 'Temporary',
      Legal_Entity: 'Contoso LLC',
      Active: '1',
    });
  });

  it('reads CountryISO from the home address when country is home', async () => {
    const record = await onlyWorker(worker('100001', { businessSiteCountry: 'DE', homeCountry: 'FR' }), {
      country: 'home',
    });
    expect(record.CountryISO).toBe('FR');
  });

  it('leaves CountryISO out when the chosen address has no country', async () => {
    const record = await onlyWorker(worker('100001', { businessSiteCountry: null }));
    expect(record).not.toHaveProperty('CountryISO');
  });

  it('types a contingent worker from its Worker_Reference id type', async () => {
    const record = await onlyWorker(worker('C500001', { workerType: 'Contingent_Worker', employeeType: 'Contractor' }));
    expect(record).toMatchObject({
      WorkerID: 'C500001',
      Worker_Type: 'Contingent_Worker',
      Employee_Type: 'Contractor',
    });
  });

  it('reads an inactive worker as Active "0"', async () => {
    expect((await onlyWorker(worker('100001', { active: false }))).Active).toBe('0');
  });

  it('leaves Legal_Entity out when the worker has no COMPANY organisation', async () => {
    expect(await onlyWorker(worker('100001', { legalEntity: null }))).not.toHaveProperty('Legal_Entity');
  });

  describe('personal email', () => {
    const emailOf = async (emails: SimEmail[]): Promise<unknown> =>
      (await onlyWorker(worker('100001', { emails }))).personalEmail;
    const home = (address: string, primary: boolean): SimEmail => ({ address, usage: 'HOME', primary });
    const work: SimEmail = { address: 'jane.doe@contoso.com', usage: 'WORK', primary: true };

    it('is the primary HOME email, whatever its position', async () => {
      expect(await emailOf([work, home('old@example.com', false), home('new@example.com', true)])).toBe(
        'new@example.com',
      );
    });

    it('is the first HOME email when none is primary', async () => {
      expect(await emailOf([work, home('first@example.com', false), home('second@example.com', false)])).toBe(
        'first@example.com',
      );
    });

    it('is absent when the worker has only a WORK email', async () => {
      expect(await emailOf([work])).toBeUndefined();
    });

    it('is absent when the worker has no email at all', async () => {
      expect(await emailOf([])).toBeUndefined();
    });
  });

  it('reads one worker by Employee_ID', async () => {
    expect(await source().readWorker('100004')).toMatchObject({ WorkerID: '100004', Worker_Type: 'Employee' });
    expect(tenant.requests.map((request) => request.summary)).toEqual([
      'Get_Workers page=1 count=100 refs=Employee_ID:100004',
    ]);
  });

  it('reads one contingent worker after Workday refuses the id as an Employee_ID', async () => {
    tenant.workers.push(worker('C500001', { workerType: 'Contingent_Worker', employeeType: 'Contractor' }));
    expect(await source().readWorker('C500001')).toMatchObject({
      WorkerID: 'C500001',
      Worker_Type: 'Contingent_Worker',
    });
    expect(tenant.requests.map((request) => request.status)).toEqual([500, 200]);
  });

  it('reads every record under an id, an employee and a contingent worker sharing it included (resync refuses to guess)', async () => {
    tenant.workers.push(worker('100004', { workerType: 'Contingent_Worker', employeeType: 'Contractor' }));
    const records = await source().readWorkerRecords?.('100004');
    expect(records?.map((record) => record.Worker_Type).sort()).toEqual(['Contingent_Worker', 'Employee']);
    expect(await source().readWorkerRecords?.('999999')).toEqual([]);
  });

  it('reads many workers by id in one request per 499 ids, under both id types, skipping the ids Workday lacks', async () => {
    tenant.workers.push(worker('C500001', { workerType: 'Contingent_Worker', employeeType: 'Contractor' }));
    tenant.workers.push(worker('100004', { workerType: 'Contingent_Worker', employeeType: 'Contractor' }));
    const missing = Array.from({ length: 600 }, (_, i) => `9${String(i).padStart(5, '0')}`);
    const records: RawRecord[] = [];
    for await (const record of source().readWorkersByIds?.(['100004', 'C500001', ...missing], AS_OF) ?? [])
      records.push(record);
    expect(records.map((r) => `${r.WorkerID}/${r.Worker_Type}`).sort()).toEqual([
      '100004/Contingent_Worker',
      '100004/Employee',
      'C500001/Contingent_Worker',
    ]);
    // 602 ids under 2 id types: 1,204 references, in two requests of at most 999.
    expect(tenant.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(sent.every((body) => body.includes('Skip_Non_Existing_Instances="true"'))).toBe(true);
    expect(tenant.requests[0]?.summary).toContain('asOfEntry=2026-11-26T22:00:00.000+00:00');
  });

  it('answers null for a worker Workday does not know', async () => {
    expect(await source().readWorker('999999')).toBeNull();
    expect(tenant.requests).toHaveLength(2);
  });

  it('sends the credentials XML-escaped, so quotes, < and & reach Workday intact', async () => {
    tenant.username = 'ISU_"Entra"&Co@contoso';
    tenant.password = `<p&ss'"word>`;
    await readAll(source({ username: tenant.username, password: tenant.password }));
    expect(sent[0]).toContain(
      '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">&lt;p&amp;ss&apos;&quot;word&gt;</wsse:Password>',
    );
    expect(sent[0]).toContain('<wsse:Username>ISU_&quot;Entra&quot;&amp;Co@contoso</wsse:Username>');
  });

  it('stops at once on an authentication fault, naming WORKDAY_USERNAME and the user', async () => {
    const error = await failure(readAll(source({ password: 'wrong' })));
    expect(error).toMatchObject({ code: 'WORKDAY.AUTHENTICATION', transient: false, isConfiguration: true });
    expect(error.message).toContain("WORKDAY_USERNAME='ISU_Entra@contoso'");
    expect(error.message).toContain('invalid username or password');
    expect(error.message).not.toContain('wrong');
    expect(tenant.requests).toHaveLength(1);
  });

  it("stops at once on a Validation_Fault, with Workday's message", async () => {
    const error = await failure(readAll(source(), { asOf: AS_OF, updatedFrom: new Date('2026-11-27T00:00:00Z') }));
    expect(error).toMatchObject({ code: 'WORKDAY.VALIDATION', transient: false });
    expect(error.message).toContain('Updated From must be less than or equal to Updated Through!');
    expect(tenant.requests).toHaveLength(1);
  });

  it.each([
    ['a 503 maintenance page', 503],
    ['a 500 Server fault', 500],
    ['a maintenance page under HTTP 200', 'html'],
    ['a body cut off midway', 'truncate'],
  ] as const)('retries %s and then reads everything', async (_, kind) => {
    tenant.faults.push({ protocol: 'soap', kind, remaining: 1 });
    const records = await readAll(source());
    expect(records).toHaveLength(7);
    expect(waits).toHaveLength(1);
  });

  it('throws after the retries when page 3 keeps failing, having yielded only pages 1 and 2', async () => {
    tenant.faults.push({ protocol: 'soap', kind: 503, remaining: Number.POSITIVE_INFINITY, fromPage: 3 });
    const records: RawRecord[] = [];
    const error = await failure(readAll(source(), READ, records));
    expect(error).toMatchObject({ code: 'WORKDAY.UNAVAILABLE', transient: true, status: 503 });
    expect(records).toHaveLength(6);
    expect(tenant.requests.filter((request) => request.status === 503)).toHaveLength(3);
  });

  it('refuses a page size Workday would refuse, before any request', () => {
    expect(() => source({ pageSize: 1000 })).toThrow(expect.objectContaining({ code: 'CONFIG.INVALID_CONNECTOR' }));
  });

  it('reads an attribute from an overriding XPath', async () => {
    const supervisory =
      "wd:Worker/wd:Worker_Data/wd:Organization_Data/wd:Worker_Organization_Data/wd:Organization_Data[wd:Organization_Type_Reference/wd:ID[@wd:type='Organization_Type_ID']='SUPERVISORY']/wd:Organization_Name/text()";
    expect((await onlyWorker(worker('100001'), { paths: { legalEntity: supervisory } })).Legal_Entity).toBe(
      'Global Operations',
    );
  });

  describe('paths set in the connector file (source.paths)', () => {
    const CONTACT = 'wd:Worker/wd:Worker_Data/wd:Personal_Data/wd:Contact_Data';
    const usage = (type: string): string =>
      `wd:Usage_Data/wd:Type_Data/wd:Type_Reference/wd:ID[@wd:type='Communication_Usage_Type_ID']='${type}'`;

    it('reads personalEmail from the WORK email when the connector says so', async () => {
      const paths = { personalEmail: `${CONTACT}/wd:Email_Address_Data[${usage('WORK')}]/wd:Email_Address/text()` };
      expect((await onlyWorker(worker('100001'), { paths })).personalEmail).toBe('w100001@contoso.com');
    });

    it('reads CountryISO from another address when the connector points businessSiteCountry there', async () => {
      const paths = {
        businessSiteCountry: `${CONTACT}/wd:Address_Data[${usage('HOME')}]/wd:Country_Reference/@wd:Descriptor`,
      };
      expect(
        (await onlyWorker(worker('100001', { businessSiteCountry: 'DE', homeCountry: 'FR' }), { paths })).CountryISO,
      ).toBe('FR');
    });

    it('tries a list of paths in order, the first with a value winning', async () => {
      const paths = {
        personalEmail: [
          `${CONTACT}/wd:Email_Address_Data[${usage('OTHER')}]/wd:Email_Address/text()`,
          `${CONTACT}/wd:Email_Address_Data[${usage('WORK')}]/wd:Email_Address/text()`,
        ],
      };
      expect((await onlyWorker(worker('100001'), { paths })).personalEmail).toBe('w100001@contoso.com');
    });

    it('refuses at start-up an XPath it cannot read, naming the connector path, before any request', () => {
      expect(() => source({ paths: { personalEmail: 'wd:Worker//wd:Email_Address' } })).toThrow(
        expect.objectContaining({
          code: 'CONFIG.INVALID_CONNECTOR',
          message: expect.stringMatching(
            /source\.paths\.personalEmail: .*'\/\/' \(descendant search\) is not supported/,
          ),
        }),
      );
      expect(tenant.requests).toEqual([]);
    });
  });

  it('treats a wrong endpoint as a setting to fix, without retrying', async () => {
    const error = await failure(
      readAll(source({ endpoint: `${simulatorUrl()}/ccx/service/nowhere/Human_Resources/v44.2` })),
    );
    expect(error).toMatchObject({ code: 'CONFIG.INVALID_SETTING', transient: false });
    expect(error.message).toContain('WORKDAY_SOAP_URL');
    expect(waits).toEqual([]);
  });
});
