import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '../../src/core/errors';
import type { RawRecord, ReadOptions, WorkerSource } from '../../src/core/ports';
import type { RetryPolicy } from '../../src/http/retry';
import { createSoapSource, type SoapSourceOptions } from '../../src/workday/soapSource';
import { createTenant, startWorkdaySimulator, type WorkdaySimulator, type WorkdayTenant } from '../../sim/workday';
import type { SimEmail, SimWorker } from '../../sim/world';

const AS_OF = new Date('2026-11-26T22:00:00Z');
const READ: ReadOptions = { asOf: AS_OF };

function worker(id: string, overrides: Partial<SimWorker> = {}): SimWorker {
  return {
    workerId: id,
    workerType: 'Employee',
    employeeType: 'Regular',
    legalEntity: 'Contoso Corp',
    emails: [
      { address: `w${id}@contoso.com`, usage: 'WORK', primary: true },
      { address: `p${id}@example.com`, usage: 'HOME', primary: true },
    ],
    businessSiteCountry: 'US',
    homeCountry: 'CA',
    active: true,
    updatedAt: new Date('2026-11-01T00:00:00Z'),
    ...overrides,
  };
}

const SEVEN = (): SimWorker[] => ['1', '2', '3', '4', '5', '6', '7'].map((n) => worker(`10000${n}`));

async function readAll(source: WorkerSource, read: ReadOptions = READ, into: RawRecord[] = []): Promise<RawRecord[]> {
  for await (const record of source.readWorkers(read)) into.push(record);
  return into;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected the read to fail');
}

describe('createSoapSource', () => {
  let tenant: WorkdayTenant;
  let sim: WorkdaySimulator;
  let waits: number[];
  let sent: string[];
  const retry = (): RetryPolicy => ({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5_000, sleep: async (ms) => void waits.push(ms) });
  const capture: typeof fetch = (input, init) => {
    sent.push(String(init?.body));
    return fetch(input, init);
  };
  const source = (overrides: Partial<SoapSourceOptions> = {}): WorkerSource =>
    createSoapSource({
      endpoint: sim.soapUrl,
      username: tenant.username,
      password: tenant.password,
      pageSize: 3,
      country: 'businessSite',
      retry: retry(),
      fetchImpl: capture,
      ...overrides,
    });
  const onlyWorker = async (simWorker: SimWorker, overrides: Partial<SoapSourceOptions> = {}): Promise<RawRecord> => {
    tenant.workers = [simWorker];
    const [record] = await readAll(source(overrides));
    return record!;
  };

  beforeAll(async () => {
    tenant = createTenant([]);
    sim = await startWorkdaySimulator({ tenant });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    tenant.workers = SEVEN();
    tenant.username = 'ISU_Entra@contoso';
    tenant.password = 'simulated-P@ss<word>&';
    tenant.faults.length = 0;
    tenant.changes.length = 0;
    tenant.requests.length = 0;
    waits = [];
    sent = [];
  });

  it('is an incremental source of kind soap', () => {
    expect(source()).toMatchObject({ kind: 'soap', supportsIncremental: true });
  });

  it('reads every page until Total_Pages, one record per worker, in order', async () => {
    const records = await readAll(source());
    expect(records.map((record) => record['WorkerID'])).toEqual(tenant.workers.map((w) => w.workerId));
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
    expect(sent.every((body) => body.includes('<bsvc:As_Of_Effective_Date>2026-11-26T22:00:00.000+00:00</bsvc:As_Of_Effective_Date>'))).toBe(true);
  });

  it('reads nothing, in one request, from a tenant without workers', async () => {
    tenant.workers = [];
    expect(await readAll(source())).toEqual([]);
    expect(tenant.requests).toHaveLength(1);
  });

  it('reads only the workers changed since updatedFrom on an incremental read', async () => {
    tenant.workers[2]!.updatedAt = new Date('2026-11-26T10:00:00Z');
    tenant.workers[5]!.updatedAt = new Date('2026-11-26T21:59:59Z');
    const records = await readAll(source(), { asOf: AS_OF, updatedFrom: new Date('2026-11-26T00:00:00Z') });
    expect(records.map((record) => record['WorkerID'])).toEqual(['100003', '100006']);
    expect(tenant.requests[0]?.summary).toContain('updated=2026-11-26T00:00:00.000Z..2026-11-26T22:00:00.000Z');
  });

  /**
   * Microsoft Learn, "How Microsoft Entra provisioning integrates with Workday", section "How
   * incremental sync works": three delta queries, for manual updates (Updated_From/Through), for
   * effective-dated updates and terminations (Effective_From/Effective_Through in
   * Transaction_Date_Range_Data), and for future-dated hires (by WID, As_Of_Effective_Date and
   * As_Of_Entry_DateTime set to the hire date); As_Of_Effective_Date is sent as a full timestamp.
   */
  describe('incremental reads of effective-dated changes', () => {
    const at = (iso: string): Date => new Date(iso);
    const ids = (records: RawRecord[]): unknown[] => records.map((record) => record['WorkerID']);

    it('picks up a transfer entered in advance when it becomes effective, though nothing new was logged', async () => {
      tenant.changes.push({
        workerId: '100002',
        enteredAt: at('2026-11-10T09:00:00Z'),
        effectiveAt: at('2026-11-26T12:00:00Z'),
        set: { businessSiteCountry: 'DE', legalEntity: 'Contoso LLC' },
      });
      const before = await readAll(source(), { asOf: at('2026-11-25T22:00:00Z'), updatedFrom: at('2026-11-25T00:00:00Z') });
      expect(ids(before)).toEqual([]);

      const records = await readAll(source(), { asOf: AS_OF, updatedFrom: at('2026-11-26T00:00:00Z') });
      expect(records).toEqual([expect.objectContaining({ WorkerID: '100002', CountryISO: 'DE', Legal_Entity: 'Contoso LLC' })]);
      expect(sent.some((body) => body.includes('<bsvc:Effective_From>2026-11-26T00:00:00.000+00:00</bsvc:Effective_From><bsvc:Effective_Through>2026-11-26T22:00:00.000+00:00</bsvc:Effective_Through>'))).toBe(true);
    });

    it('picks up a termination entered in advance on its effective day', async () => {
      tenant.changes.push({ workerId: '100005', enteredAt: at('2026-11-01T09:00:00Z'), effectiveAt: at('2026-11-26T00:00:00Z'), set: { active: false } });
      const records = await readAll(source(), { asOf: AS_OF, updatedFrom: at('2026-11-25T22:00:00Z') });
      expect(records).toEqual([expect.objectContaining({ WorkerID: '100005', Active: '0' })]);
    });

    it('delivers a worker found by both windows once', async () => {
      tenant.workers[3]!.updatedAt = at('2026-11-26T10:00:00Z');
      tenant.changes.push({ workerId: '100004', enteredAt: at('2026-11-26T10:00:00Z'), effectiveAt: at('2026-11-26T11:00:00Z'), set: { businessSiteCountry: 'FR' } });
      const records = await readAll(source(), { asOf: AS_OF, updatedFrom: at('2026-11-26T00:00:00Z') });
      expect(records).toEqual([expect.objectContaining({ WorkerID: '100004', CountryISO: 'FR' })]);
    });

    describe('a future-dated hire', () => {
      const hire = (): void => {
        tenant.workers.push(worker('100008', { updatedAt: at('2026-11-20T10:00:00Z'), businessSiteCountry: 'NL' }));
        tenant.changes.push({ workerId: '100008', enteredAt: at('2026-11-20T10:00:00Z'), effectiveAt: at('2026-12-01T00:00:00Z'), set: {}, hire: true });
      };

      it('is read as of its hire date, by WID, when the hire is entered', async () => {
        hire();
        const records = await readAll(source(), { asOf: at('2026-11-20T22:00:00Z'), updatedFrom: at('2026-11-20T00:00:00Z') });
        expect(records).toEqual([expect.objectContaining({ WorkerID: '100008', CountryISO: 'NL', Active: '1' })]);
        expect(tenant.requests.at(-1)?.summary).toMatch(/asOfEffective=2026-12-01T00:00:00\.000\+00:00 refs=WID:[0-9a-f]{32}$/);
      });

      it('is picked up on its hire date, though nothing new was logged', async () => {
        hire();
        expect(ids(await readAll(source(), { asOf: at('2026-11-28T22:00:00Z') }))).not.toContain('100008');
        const records = await readAll(source(), { asOf: at('2026-12-01T00:30:00Z'), updatedFrom: at('2026-11-30T23:30:00Z') });
        expect(records).toEqual([expect.objectContaining({ WorkerID: '100008', Active: '1' })]);
      });
    });
  });

  it('delivers the attributes a connector scope reads, under the RaaS names', async () => {
    const record = await onlyWorker(worker('100001', { employeeType: 'Temporary', legalEntity: 'Contoso LLC', businessSiteCountry: 'DE', homeCountry: 'FR' }));
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
    const record = await onlyWorker(worker('100001', { businessSiteCountry: 'DE', homeCountry: 'FR' }), { country: 'home' });
    expect(record['CountryISO']).toBe('FR');
  });

  it('leaves CountryISO out when the chosen address has no country', async () => {
    const record = await onlyWorker(worker('100001', { businessSiteCountry: null }));
    expect(record).not.toHaveProperty('CountryISO');
  });

  it('types a contingent worker from its Worker_Reference id type', async () => {
    const record = await onlyWorker(worker('C500001', { workerType: 'Contingent_Worker', employeeType: 'Contractor' }));
    expect(record).toMatchObject({ WorkerID: 'C500001', Worker_Type: 'Contingent_Worker', Employee_Type: 'Contractor' });
  });

  it('reads an inactive worker as Active "0"', async () => {
    expect((await onlyWorker(worker('100001', { active: false })))['Active']).toBe('0');
  });

  it('leaves Legal_Entity out when the worker has no COMPANY organisation', async () => {
    expect(await onlyWorker(worker('100001', { legalEntity: null }))).not.toHaveProperty('Legal_Entity');
  });

  describe('personal email', () => {
    const emailOf = async (emails: SimEmail[]): Promise<unknown> => (await onlyWorker(worker('100001', { emails })))['personalEmail'];
    const home = (address: string, primary: boolean): SimEmail => ({ address, usage: 'HOME', primary });
    const work: SimEmail = { address: 'jane.doe@contoso.com', usage: 'WORK', primary: true };

    it('is the primary HOME email, whatever its position', async () => {
      expect(await emailOf([work, home('old@example.com', false), home('new@example.com', true)])).toBe('new@example.com');
    });

    it('is the first HOME email when none is primary', async () => {
      expect(await emailOf([work, home('first@example.com', false), home('second@example.com', false)])).toBe('first@example.com');
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
    expect(tenant.requests.map((request) => request.summary)).toEqual(['Get_Workers page=1 count=100 refs=Employee_ID:100004']);
  });

  it('reads one contingent worker after Workday refuses the id as an Employee_ID', async () => {
    tenant.workers.push(worker('C500001', { workerType: 'Contingent_Worker', employeeType: 'Contractor' }));
    expect(await source().readWorker('C500001')).toMatchObject({ WorkerID: 'C500001', Worker_Type: 'Contingent_Worker' });
    expect(tenant.requests.map((request) => request.status)).toEqual([500, 200]);
  });

  it('answers null for a worker Workday does not know', async () => {
    expect(await source().readWorker('999999')).toBeNull();
    expect(tenant.requests).toHaveLength(2);
  });

  it('sends the credentials XML-escaped, so quotes, < and & reach Workday intact', async () => {
    tenant.username = 'ISU_"Entra"&Co@contoso';
    tenant.password = `<p&ss'"word>`;
    await readAll(source({ username: tenant.username, password: tenant.password }));
    expect(sent[0]).toContain('<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">&lt;p&amp;ss&apos;&quot;word&gt;</wsse:Password>');
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
    expect((await onlyWorker(worker('100001'), { paths: { legalEntity: supervisory } }))['Legal_Entity']).toBe('Global Operations');
  });

  describe('paths set in the connector file (source.paths)', () => {
    const CONTACT = 'wd:Worker/wd:Worker_Data/wd:Personal_Data/wd:Contact_Data';
    const usage = (type: string): string => `wd:Usage_Data/wd:Type_Data/wd:Type_Reference/wd:ID[@wd:type='Communication_Usage_Type_ID']='${type}'`;

    it('reads personalEmail from the WORK email when the connector says so', async () => {
      const paths = { personalEmail: `${CONTACT}/wd:Email_Address_Data[${usage('WORK')}]/wd:Email_Address/text()` };
      expect((await onlyWorker(worker('100001'), { paths }))['personalEmail']).toBe('w100001@contoso.com');
    });

    it('reads CountryISO from another address when the connector points businessSiteCountry there', async () => {
      const paths = { businessSiteCountry: `${CONTACT}/wd:Address_Data[${usage('HOME')}]/wd:Country_Reference/@wd:Descriptor` };
      expect((await onlyWorker(worker('100001', { businessSiteCountry: 'DE', homeCountry: 'FR' }), { paths }))['CountryISO']).toBe('FR');
    });

    it('tries a list of paths in order, the first with a value winning', async () => {
      const paths = { personalEmail: [`${CONTACT}/wd:Email_Address_Data[${usage('OTHER')}]/wd:Email_Address/text()`, `${CONTACT}/wd:Email_Address_Data[${usage('WORK')}]/wd:Email_Address/text()`] };
      expect((await onlyWorker(worker('100001'), { paths }))['personalEmail']).toBe('w100001@contoso.com');
    });

    it('refuses at start-up an XPath it cannot read, naming the connector path, before any request', () => {
      expect(() => source({ paths: { personalEmail: 'wd:Worker//wd:Email_Address' } })).toThrow(
        expect.objectContaining({ code: 'CONFIG.INVALID_CONNECTOR', message: expect.stringMatching(/source\.paths\.personalEmail: .*'\/\/' \(descendant search\) is not supported/) }),
      );
      expect(tenant.requests).toEqual([]);
    });
  });

  it('treats a wrong endpoint as a setting to fix, without retrying', async () => {
    const error = await failure(readAll(source({ endpoint: `${sim.url}/ccx/service/nowhere/Human_Resources/v44.2` })));
    expect(error).toMatchObject({ code: 'CONFIG.INVALID_SETTING', transient: false });
    expect(error.message).toContain('WORKDAY_SOAP_URL');
    expect(waits).toEqual([]);
  });
});
