/**
 * The SOAP source against the Workday simulator, shared by the SOAP source's test files: a
 * tenant of seven workers reset before each test, a source that records what it sent and how
 * long it would have waited, and small helpers to read and to catch a failed read.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { isAppError, type AppError } from '../../src/core/errors';
import type { RawRecord, ReadOptions, WorkerSource } from '../../src/core/ports';
import type { RetryPolicy } from '../../src/core/retry';
import { createSoapSource, type SoapSourceOptions } from '../../src/workday/soapSource';
import { createTenant, startWorkdaySimulator, type WorkdaySimulator, type WorkdayTenant } from '../../sim/workday';
import type { SimWorker } from '../../sim/world';

export const AS_OF = new Date('2026-11-26T22:00:00Z');
export const READ: ReadOptions = { asOf: AS_OF };

export function worker(id: string, overrides: Partial<SimWorker> = {}): SimWorker {
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

export async function readAll(
  source: WorkerSource,
  read: ReadOptions = READ,
  into: RawRecord[] = [],
): Promise<RawRecord[]> {
  for await (const record of source.readWorkers(read)) into.push(record);
  return into;
}

export async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected the read to fail');
}

export interface SoapFixture {
  /** The same tenant object throughout; its state is reset before each test. */
  tenant: WorkdayTenant;
  /** The retry waits the source would have slept. */
  waits: number[];
  /** Every request body the source sent. */
  sent: string[];
  simulatorUrl(): string;
  source(overrides?: Partial<SoapSourceOptions>): WorkerSource;
  /** The record of one worker, alone in the tenant. */
  onlyWorker(simWorker: SimWorker, overrides?: Partial<SoapSourceOptions>): Promise<RawRecord>;
}

/** Registers the simulator's hooks in the calling describe block. */
export function useSoapSimulator(): SoapFixture {
  const tenant = createTenant([]);
  const waits: number[] = [];
  const sent: string[] = [];
  let sim: WorkdaySimulator | undefined;
  const retry = (): RetryPolicy => ({
    maxAttempts: 3,
    baseDelayMs: 1,
    maxDelayMs: 5_000,
    sleep: async (ms) => void waits.push(ms),
  });
  const capture: typeof fetch = (input, init) => {
    sent.push(String(init?.body));
    return fetch(input, init);
  };
  const source = (overrides: Partial<SoapSourceOptions> = {}): WorkerSource =>
    createSoapSource({
      endpoint: sim!.soapUrl,
      username: tenant.username,
      password: tenant.password,
      pageSize: 3,
      country: 'businessSite',
      retry: retry(),
      fetchImpl: capture,
      ...overrides,
    });

  beforeAll(async () => {
    sim = await startWorkdaySimulator({ tenant });
  });
  afterAll(() => sim?.close());
  beforeEach(() => {
    tenant.workers = SEVEN();
    tenant.username = 'ISU_Entra@contoso';
    tenant.password = 'simulated-P@ss<word>&';
    tenant.faults.length = 0;
    tenant.changes.length = 0;
    tenant.requests.length = 0;
    waits.length = 0;
    sent.length = 0;
  });

  return {
    tenant,
    waits,
    sent,
    simulatorUrl: () => sim!.url,
    source,
    async onlyWorker(simWorker, overrides = {}) {
      tenant.workers = [simWorker];
      const [record] = await readAll(source(overrides));
      return record!;
    },
  };
}
