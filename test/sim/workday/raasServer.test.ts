import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startWorkdaySimulator, type WorkdaySimulator, type WorkdayTenant } from '../../../sim/workday';
import { reportEntryOf } from '../../../sim/workday/raasReport';
import { buildWorld, personalEmailOf, type SimWorker } from '../../../sim/world';

function worker(overrides: Partial<SimWorker> = {}): SimWorker {
  return {
    workerId: '100001',
    workerType: 'Employee',
    employeeType: 'Regular',
    legalEntity: 'Contoso Corp',
    emails: [
      { address: 'ana.brown1@contoso.com', usage: 'WORK', primary: true },
      { address: 'ana.brown1@example.com', usage: 'HOME', primary: true },
    ],
    businessSiteCountry: 'DE',
    homeCountry: 'FR',
    active: true,
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

describe('reportEntryOf', () => {
  const plain = { groupFields: false };

  it('renders a worker under the default column aliases', () => {
    expect(reportEntryOf(worker(), 0, plain)).toEqual({
      WorkerID: '100001',
      personalEmail: 'ana.brown1@example.com',
      CountryISO: 'DE',
      Worker_Type: 'Employee',
      Employee_Type: 'Regular',
      Legal_Entity: 'Contoso Corp',
      Active: '1',
    });
  });

  it('leaves out columns whose value is null or empty, as RaaS does', () => {
    const entry = reportEntryOf(
      worker({ workerId: '', legalEntity: null, emails: [], businessSiteCountry: null }),
      0,
      plain,
    );
    expect(Object.keys(entry)).toEqual(['Worker_Type', 'Employee_Type', 'Active']);
  });

  it('renders an inactive contingent worker with Active "0"', () => {
    const entry = reportEntryOf(worker({ workerType: 'Contingent_Worker', active: false }), 0, plain);
    expect(entry).toMatchObject({ Worker_Type: 'Contingent_Worker', Active: '0' });
  });

  it('renders group fields as an object or an array of objects by position', () => {
    const groups = { groupFields: true };
    expect(reportEntryOf(worker(), 0, groups).Legal_Entity).toBe('Contoso Corp');
    expect(reportEntryOf(worker(), 1, groups)).toMatchObject({
      Legal_Entity: { Descriptor: 'Contoso Corp' },
      Employee_Type: { Descriptor: 'Regular' },
    });
    expect(reportEntryOf(worker(), 2, groups).Legal_Entity).toEqual([{ Descriptor: 'Contoso Corp' }]);
  });
});

describe('Workday simulator (RaaS)', () => {
  let tenant: WorkdayTenant;
  let sim: WorkdaySimulator;
  const auth = (user: string, password: string): string =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const get = (query: string, authorization?: string): Promise<Response> =>
    fetch(`${sim.raasUrl}${query}`, {
      headers: { Authorization: authorization ?? auth(tenant.username, tenant.password) },
    });

  beforeAll(async () => {
    tenant = createTenant(buildWorld({ size: 50, seed: 7 }).workers);
    sim = await startWorkdaySimulator({ tenant });
  });
  afterAll(() => sim.close());

  it('serves at the customreport2 path of the tenant', () => {
    expect(sim.raasUrl).toBe(`${sim.url}/ccx/service/customreport2/contoso/ISU_Entra/Entra_Workers`);
    expect(sim.soapUrl).toBe(`${sim.url}/ccx/service/contoso/Human_Resources/v44.2`);
  });

  it('answers the whole report as JSON with one entry per worker', async () => {
    const response = await get('?format=json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as { Report_Entry: Array<Record<string, unknown>> };
    expect(body.Report_Entry).toHaveLength(50);
    const first = tenant.workers[0]!;
    expect(body.Report_Entry[0]).toMatchObject({
      Worker_Type: first.workerType,
      personalEmail: personalEmailOf(first),
    });
  });

  it('narrows the report to one worker with the Worker_ID prompt', async () => {
    const target = tenant.workers.find((w) => w.workerId !== '')!;
    const body = (await (await get(`?format=json&Worker_ID=${encodeURIComponent(target.workerId)}`)).json()) as {
      Report_Entry: unknown[];
    };
    expect(body.Report_Entry).toHaveLength(1);
    expect(body.Report_Entry[0]).toMatchObject({ WorkerID: target.workerId });
  });

  it('answers an empty report for an unknown worker', async () => {
    expect(await (await get('?format=json&Worker_ID=NOPE')).json()).toEqual({ Report_Entry: [] });
  });

  it('refuses wrong credentials with 401', async () => {
    const response = await get('?format=json', auth(tenant.username, 'wrong'));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Invalid username or password' });
  });

  it('refuses a request without credentials with 401', async () => {
    expect((await fetch(`${sim.raasUrl}?format=json`)).status).toBe(401);
  });

  it('refuses a format other than json with 400', async () => {
    expect((await get('?format=csv')).status).toBe(400);
  });

  it('answers 404 for another report', async () => {
    expect((await fetch(`${sim.url}/ccx/service/customreport2/contoso/ISU_Entra/Other`)).status).toBe(404);
  });

  it('logs every request with its query and status', async () => {
    tenant.requests.length = 0;
    await (await get('?format=json&Worker_ID=NOPE')).text();
    await (await get('?format=json', auth('x', 'y'))).text();
    expect(tenant.requests.map((r) => [r.protocol, r.summary, r.status])).toEqual([
      ['raas', '?format=json&Worker_ID=NOPE', 200],
      ['raas', '?format=json', 401],
    ]);
  });

  it('answers an injected 503 with a maintenance page and Retry-After, then recovers', async () => {
    tenant.faults.push({ protocol: 'raas', kind: 503, remaining: 1 });
    const failed = await get('?format=json');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(await failed.text()).toMatch(/maintenance/);
    expect((await get('?format=json&Worker_ID=NOPE')).status).toBe(200);
  });

  it('answers an injected 500', async () => {
    tenant.faults.push({ protocol: 'any', kind: 500, remaining: 1 });
    const response = await get('?format=json');
    expect(response.status).toBe(500);
    await response.text();
  });

  it('answers an injected html fault with a 200 HTML page', async () => {
    tenant.faults.push({ protocol: 'raas', kind: 'html', remaining: 1 });
    const response = await get('?format=json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/<html>/);
  });

  it('breaks the connection midway on an injected truncate fault', async () => {
    tenant.faults.push({ protocol: 'raas', kind: 'truncate', remaining: 1 });
    const response = await get('?format=json');
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('does not take a SOAP fault on a RaaS request', async () => {
    tenant.faults.push({ protocol: 'soap', kind: 500, remaining: 1 });
    const response = await get('?format=json&Worker_ID=NOPE');
    expect(response.status).toBe(200);
    await response.text();
    tenant.faults.length = 0;
  });

  it('hands SOAP requests to the SOAP handler', async () => {
    const response = await fetch(sim.soapUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: '<Envelope/>',
    });
    expect(response.headers.get('content-type')).toMatch(/text\/xml/);
    expect(await response.text()).toMatch(/Envelope/);
  });
});

describe('Workday simulator (large report)', () => {
  it('streams a 20k-worker report in many chunks', async () => {
    const tenant = createTenant(buildWorld({ size: 20_000, seed: 3 }).workers);
    const sim = await startWorkdaySimulator({ tenant });
    try {
      const response = await fetch(`${sim.raasUrl}?format=json`, {
        headers: { Authorization: `Basic ${Buffer.from(`${tenant.username}:${tenant.password}`).toString('base64')}` },
      });
      let chunks = 0;
      let text = '';
      for await (const chunk of response.body!) {
        chunks++;
        text += new TextDecoder().decode(chunk);
      }
      expect(chunks).toBeGreaterThan(10);
      expect((JSON.parse(text) as { Report_Entry: unknown[] }).Report_Entry).toHaveLength(20_000);
    } finally {
      await sim.close();
    }
  });
});
