import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LogLevel, RawRecord, WorkerSource } from '../../src/core/ports';
import type { RetryPolicy } from '../../src/core/retry';
import { createRaasSource, reportRequestUrl } from '../../src/workday/raasSource';
import { createTenant, startWorkdaySimulator, type WorkdaySimulator, type WorkdayTenant } from '../../sim/workday';
import { buildWorld, personalEmailOf } from '../../sim/world';

const READ = { asOf: new Date('2026-06-01T00:00:00Z') };

async function readAll(source: WorkerSource, into: RawRecord[] = []): Promise<RawRecord[]> {
  for await (const record of source.readWorkers(READ)) into.push(record);
  return into;
}

describe('createRaasSource', () => {
  let tenant: WorkdayTenant;
  let sim: WorkdaySimulator;
  let waits: number[];
  let logs: Array<{ level: LogLevel; message: string }>;
  const retry = (): RetryPolicy => ({
    maxAttempts: 3,
    baseDelayMs: 1,
    maxDelayMs: 5_000,
    sleep: async (ms) => void waits.push(ms),
  });
  const source = (overrides: Partial<Parameters<typeof createRaasSource>[0]> = {}): WorkerSource =>
    createRaasSource({
      reportUrl: sim.raasUrl,
      username: tenant.username,
      password: tenant.password,
      workerPrompt: 'Worker_ID',
      retry: retry(),
      logger: { log: (level, message) => void logs.push({ level, message }) },
      ...overrides,
    });

  beforeAll(async () => {
    tenant = createTenant(buildWorld({ size: 300, seed: 11 }).workers);
    sim = await startWorkdaySimulator({ tenant });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    tenant.faults.length = 0;
    tenant.requests.length = 0;
    waits = [];
    logs = [];
  });

  it('is a full-read source of kind raas', () => {
    expect(source()).toMatchObject({ kind: 'raas', supportsIncremental: false });
  });

  it('reads one record per report entry, keyed by the column aliases', async () => {
    const records = await readAll(source());
    expect(records).toHaveLength(300);
    const withId = tenant.workers.findIndex((w) => w.workerId !== '' && w.legalEntity !== null);
    const worker = tenant.workers[withId]!;
    expect(records[withId]).toMatchObject({
      personalEmail: personalEmailOf(worker),
      CountryISO: worker.businessSiteCountry,
      Worker_Type: worker.workerType,
      Active: '1',
    });
    expect(tenant.requests[0]?.summary).toBe('?format=json');
  });

  it('passes group fields through as an object or an array of objects', async () => {
    const records = await readAll(source());
    expect(records[1]?.Legal_Entity).toEqual({ Descriptor: tenant.workers[1]!.legalEntity });
    expect(records[2]?.Legal_Entity).toEqual([{ Descriptor: tenant.workers[2]!.legalEntity }]);
  });

  it('fails authentication at once, naming WORKDAY_USERNAME, without retrying', async () => {
    await expect(readAll(source({ password: 'wrong' }))).rejects.toMatchObject({
      code: 'WORKDAY.AUTHENTICATION',
      transient: false,
      isConfiguration: true,
      message: expect.stringContaining('WORKDAY_USERNAME'),
    });
    expect(tenant.requests).toHaveLength(1);
  });

  it('names WORKDAY_RAAS_URL when Workday has no such report', async () => {
    await expect(
      readAll(source({ reportUrl: `${sim.url}/ccx/service/customreport2/contoso/ISU_Entra/Missing` })),
    ).rejects.toMatchObject({
      code: 'CONFIG.INVALID_SETTING',
      message: expect.stringContaining('WORKDAY_RAAS_URL'),
    });
    expect(waits).toEqual([]);
  });

  it('retries a 503 maintenance answer, waiting as Retry-After says, then reads the report', async () => {
    tenant.faults.push({ protocol: 'raas', kind: 503, remaining: 1 });
    expect(await readAll(source())).toHaveLength(300);
    expect(waits).toEqual([1_000]);
    expect(logs.some((l) => l.level === 'warn' && /HTTP 503/.test(l.message))).toBe(true);
  });

  it('fails cleanly as unavailable when 503 outlasts the retries', async () => {
    tenant.faults.push({ protocol: 'raas', kind: 503, remaining: 99 });
    await expect(readAll(source())).rejects.toMatchObject({ code: 'WORKDAY.UNAVAILABLE', status: 503 });
    expect(tenant.requests).toHaveLength(3);
  });

  it('retries a 500 with backoff', async () => {
    tenant.faults.push({ protocol: 'raas', kind: 500, remaining: 2 });
    expect(await readAll(source())).toHaveLength(300);
    expect(waits).toHaveLength(2);
  });

  it('fails as unavailable when Workday cannot be reached', async () => {
    const closed = await startWorkdaySimulator({ tenant });
    await closed.close();
    await expect(readAll(source({ reportUrl: closed.raasUrl }))).rejects.toMatchObject({
      code: 'WORKDAY.UNAVAILABLE',
      transient: true,
    });
    expect(waits).toHaveLength(2);
  });

  it('throws a bad response when the body breaks off after entries were yielded', async () => {
    tenant.faults.push({ protocol: 'raas', kind: 'truncate', remaining: 1 });
    const seen: RawRecord[] = [];
    await expect(readAll(source(), seen)).rejects.toMatchObject({ code: 'WORKDAY.BAD_RESPONSE' });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(300);
  });

  it('throws a bad response for a 200 HTML maintenance page that outlasts the retries', async () => {
    tenant.faults.push({ protocol: 'raas', kind: 'html', remaining: 99 });
    await expect(readAll(source())).rejects.toMatchObject({
      code: 'WORKDAY.BAD_RESPONSE',
      message: expect.stringMatching(/HTML page/),
    });
  });

  it('throws a bad response for a body that is not a report', async () => {
    const fetchImpl = (async () =>
      new Response('{"error":"none"}', { headers: { 'Content-Type': 'application/json' } })) as typeof fetch;
    await expect(readAll(source({ fetchImpl }))).rejects.toMatchObject({
      code: 'WORKDAY.BAD_RESPONSE',
      message: expect.stringMatching(/no Report_Entry/),
    });
  });

  it('reports a 400 as a validation error quoting Workday, with personal emails masked', async () => {
    const fetchImpl = (async () =>
      new Response('{"error":"Invalid prompt value jane.doe@example.com"}', { status: 400 })) as typeof fetch;
    const error = await readAll(source({ fetchImpl })).catch((err: Error) => err);
    expect(error).toMatchObject({ code: 'WORKDAY.VALIDATION', transient: false });
    expect((error as Error).message).toContain('Invalid prompt value j***@example.com');
    expect((error as Error).message).not.toContain('jane.doe@example.com');
  });

  it('reads one worker through the prompt', async () => {
    const worker = tenant.workers.find((w) => w.workerId !== '')!;
    expect(await source().readWorker(worker.workerId)).toMatchObject({
      WorkerID: worker.workerId,
      personalEmail: personalEmailOf(worker),
    });
    expect(tenant.requests[0]?.summary).toBe(`?format=json&Worker_ID=${worker.workerId}`);
  });

  it('URL-encodes the worker id in the prompt', async () => {
    expect(await source().readWorker('a&b=c d')).toBeNull();
    expect(tenant.requests[0]?.summary).toBe('?format=json&Worker_ID=a%26b%3Dc+d');
  });

  it('answers null for a worker the report does not hold', async () => {
    expect(await source().readWorker('NO-SUCH-WORKER')).toBeNull();
  });

  it('retries a one-worker read whose body broke off', async () => {
    const worker = tenant.workers.find((w) => w.workerId !== '')!;
    tenant.faults.push({ protocol: 'raas', kind: 'truncate', remaining: 1 });
    expect(await source().readWorker(worker.workerId)).toMatchObject({ WorkerID: worker.workerId });
    expect(tenant.requests).toHaveLength(2);
  });
});

describe('reportRequestUrl', () => {
  it('sets format=json once, keeping what the URL already holds', () => {
    expect(reportRequestUrl('https://wd2.example.com/ccx/service/customreport2/t/o/R?format=csv&x=1')).toBe(
      'https://wd2.example.com/ccx/service/customreport2/t/o/R?format=json&x=1',
    );
  });

  it('refuses a WORKDAY_RAAS_URL that is not a URL', () => {
    expect(() => reportRequestUrl('not a url')).toThrow(/WORKDAY_RAAS_URL/);
  });
});

describe('createRaasSource (large report)', () => {
  it('streams 20k workers, yielding the first before most of the body has arrived', async () => {
    const tenant = createTenant(buildWorld({ size: 20_000, seed: 5 }).workers);
    const sim = await startWorkdaySimulator({ tenant });
    let received = 0;
    // Counts the body bytes handed to the source, to see when it yields.
    const countingFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const response = await fetch(input, init);
      const counter = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          received += chunk.length;
          controller.enqueue(chunk);
        },
      });
      return new Response(response.body!.pipeThrough(counter), { status: response.status, headers: response.headers });
    }) as typeof fetch;
    try {
      const source = createRaasSource({
        reportUrl: sim.raasUrl,
        username: tenant.username,
        password: tenant.password,
        workerPrompt: 'Worker_ID',
        fetchImpl: countingFetch,
      });
      let count = 0;
      let receivedAtFirst = 0;
      for await (const _record of source.readWorkers(READ)) {
        if (count++ === 0) receivedAtFirst = received;
      }
      expect(count).toBe(20_000);
      expect(receivedAtFirst).toBeLessThan(received / 10);
    } finally {
      await sim.close();
    }
  });
});
