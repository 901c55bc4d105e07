/**
 * Every Workday call ends: a host that stays silent before answering, or stops halfway through
 * an answer, fails the call after WORKDAY_TIMEOUT_SECONDS as a transient WORKDAY.UNAVAILABLE,
 * which the retry policy retries and the cycle then reports (exit 3). A report that keeps
 * streaming is not cut, however long it takes in total.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '../../src/core/errors';
import type { RetryPolicy } from '../../src/core/retry';
import { createRaasSource } from '../../src/workday/raasSource';
import { createSoapSource } from '../../src/workday/soapSource';

type Behaviour = (response: ServerResponse) => void;

const TIMEOUT_MS = 300;
const open: ServerResponse[] = [];
let behaviour: Behaviour;
let server: Server;
let base: string;
let waits: number[];
const retry = (): RetryPolicy => ({
  maxAttempts: 2,
  baseDelayMs: 1,
  maxDelayMs: 5,
  sleep: async (ms) => void waits.push(ms),
});

async function failure(run: () => Promise<unknown>): Promise<AppError> {
  try {
    await run();
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of iterable) count++;
  return count;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      open.push(response);
      behaviour(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const response of open) response.destroy();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  waits = [];
});

const silent: Behaviour = () => undefined;
const stopsHalfway =
  (contentType: string, start: string): Behaviour =>
  (response) => {
    response.writeHead(200, { 'Content-Type': contentType });
    response.write(start);
  };

describe('SOAP Get_Workers under WORKDAY_TIMEOUT_SECONDS', () => {
  const source = () =>
    createSoapSource({
      endpoint: `${base}/ccx/service/t/Human_Resources/v44.2`,
      username: 'ISU@t',
      password: 'p',
      pageSize: 10,
      country: 'businessSite',
      retry: retry(),
      timeoutMs: TIMEOUT_MS,
    });

  it.each([
    ['stays silent', silent],
    [
      'stops halfway through a page',
      stopsHalfway('text/xml', '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>'),
    ],
  ])('fails a read whose host %s, after retrying, as Workday unavailable', async (_, hang) => {
    behaviour = hang;
    const started = Date.now();
    const error = await failure(() => drain(source().readWorkers({ asOf: new Date() })));
    expect(error).toMatchObject({ code: 'WORKDAY.UNAVAILABLE', transient: true });
    expect(error.message).toContain('WORKDAY_TIMEOUT_SECONDS');
    expect(waits).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10 * TIMEOUT_MS);
  });
});

describe('RaaS report under WORKDAY_TIMEOUT_SECONDS', () => {
  const source = () =>
    createRaasSource({
      reportUrl: `${base}/ccx/service/customreport2/t/o/r`,
      username: 'ISU@t',
      password: 'p',
      workerPrompt: 'Worker_ID',
      retry: retry(),
      timeoutMs: TIMEOUT_MS,
    });

  it('fails a report that does not start answering', async () => {
    behaviour = silent;
    const error = await failure(() => drain(source().readWorkers({ asOf: new Date() })));
    expect(error).toMatchObject({ code: 'WORKDAY.UNAVAILABLE', transient: true });
    expect(error.message).toContain('WORKDAY_TIMEOUT_SECONDS');
    expect(waits).toHaveLength(1);
  });

  it('fails a report that stops sending halfway, having yielded what came', async () => {
    behaviour = stopsHalfway('application/json', '{"Report_Entry":[{"WorkerID":"1"},{"WorkerID":"2"},');
    const error = await failure(() => drain(source().readWorkers({ asOf: new Date() })));
    expect(error).toMatchObject({ code: 'WORKDAY.UNAVAILABLE', transient: true });
    expect(error.message).toContain('WORKDAY_TIMEOUT_SECONDS');
  });

  it('reads a report that keeps streaming for longer than the timeout in total', async () => {
    behaviour = (response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{"Report_Entry":[{"WorkerID":"0"}');
      let sent = 1;
      const timer = setInterval(() => {
        if (sent === 8) {
          clearInterval(timer);
          response.end(']}');
          return;
        }
        response.write(`,{"WorkerID":"${sent++}"}`);
      }, TIMEOUT_MS / 3);
    };
    expect(await drain(source().readWorkers({ asOf: new Date() }))).toBe(8);
  });
});
