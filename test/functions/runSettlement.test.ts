/**
 * A run is done when its jobs are: the Azure path of a cycle (the timer plans and enqueues, the
 * queue function settles each job later, maybe redelivered) shows the same run at the terminal as
 * a CLI cycle does. Driven through the real triggers and the CLI's real command code.
 */
import { HttpRequest, InvocationContext, type Timer } from '@azure/functions';
import { OPERATOR_ROLES } from '../../src/app/entraCallers';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/app/operations';
import { JOB_QUEUE } from '../../src/config/settings';
import type { RunRecord, RunWorker } from '../../src/core/ports';
import { enrichCycle } from '../../src/functions/enrichCycle';
import { useServices } from '../../src/functions/hostServices';
import { onEnrichWorker } from '../../src/functions/onEnrichWorker';
import { workerStatusRoute } from '../../src/functions/workerStatusRoute';
import { startAzurite, startScenario, type Scenario } from '../scenario/harness';
import { hybridWorker, syncedUser, world } from '../scenario/smallWorld';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
const context = (name: string) => new InvocationContext({ invocationId: `${name}-invocation`, functionName: name });

/** The queued messages as the host hands them to the queue function (base64-decoded JSON). */
async function receiveAsHost(): Promise<unknown[]> {
  const queue = new QueueClient(azurite.connectionString, JOB_QUEUE, { allowInsecureConnection: true } as never);
  const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
  for (const m of receivedMessageItems) await queue.deleteMessage(m.messageId, m.popReceipt);
  return receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')));
}

async function cliJson<T>(args: string[]): Promise<T> {
  const run = await s.cli([...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, {
    world: world(
      [
        hybridWorker('9001'),
        hybridWorker('9002'),
        hybridWorker('9003'),
        hybridWorker('9004', { legalEntity: 'Elsewhere Ltd' }),
      ],
      [syncedUser('9001')],
      // Cloud Sync has not brought these users yet: their jobs escrow them.
      [syncedUser('9002'), syncedUser('9003')],
    ),
  });
  useServices(s.services);
});
afterAll(async () => {
  useServices(undefined);
  await s?.close();
  await azurite?.stop();
});

describe('a timer cycle whose jobs the queue function settles', () => {
  let runId: string;
  let jobs: unknown[];

  it('is recorded at planning with its jobs queued, and status says which run planned a worker', async () => {
    const summary = await enrichCycle(timer, context('enrichCycle'));
    runId = summary.runId;
    expect(summary.enqueued).toBe(3);
    const { runs } = await cliJson<{ runs: RunRecord[] }>(['runs']);
    expect(runs[0]).toMatchObject({ runId, enqueued: 3, counts: { outOfScope: 1 }, settled: { jobs: 0 } });
    const status = await cliJson<{ planned?: { runId: string } }>(['status', '9001']);
    expect(status.planned).toEqual({ runId, jobQueued: true });
    jobs = await receiveAsHost();
    expect(jobs).toHaveLength(3);
  });

  it('counts every job as the queue function settles it, a redelivered one once', async () => {
    for (const job of jobs) await onEnrichWorker(job, context('enrichWorker'));
    // The host crashed before deleting the first message: it comes back and runs again.
    await onEnrichWorker(jobs[0], context('enrichWorker'));
    const { runs } = await cliJson<{ runs: RunRecord[] }>(['runs']);
    const run = runs.find((r) => r.runId === runId);
    expect(run?.counts).toMatchObject({ outOfScope: 1, written: 0, escrowed: 0 });
    expect(run?.settled).toMatchObject({ counts: { written: 1, escrowed: 2 }, superseded: 0, jobs: 3 });
    const table = await s.cli(['runs']);
    expect(table.stdout).toMatch(/written 1, outOfScope 1, escrowed 2 +\[3 jobs settled\]/);
  });

  it('lists the workers of the run by outcome', async () => {
    const escrowed = await cliJson<{ count: number; workers: RunWorker[] }>(['runs', runId, '--outcome', 'escrowed']);
    expect(escrowed.workers.map((w) => [w.workerId, w.reason])).toEqual([
      ['9002', 'notFound'],
      ['9003', 'notFound'],
    ]);
    const all = await s.cli(['runs', runId]);
    expect(all.stdout).toMatch(/^escrowed \(2\)\n {2}9002 {2}notFound/m);
    expect(all.stdout).toMatch(/^written \(1\)\n {2}9001/m);
  });

  it('reports the run again, with every job settled, from the job that settled last', () => {
    const events = s.logLines.filter((line) => line.includes('telemetry RunCompleted') && line.includes(runId));
    expect(events).toHaveLength(2);
    expect(events[1]).toMatch(/"settled_escrowed":2/);
    expect(events[1]).toMatch(/"settled_written":1/);
    expect(events[1]).toMatch(/"jobsPending":"false"/);
  });

  it("shows a worker's history once a later run gives it another outcome", async () => {
    for (const user of s.world.pendingUsers) s.graph.addUser(user);
    await cliJson(['sweep']);
    const status = await cliJson<{ history?: Array<{ runId: string; outcome: string }> }>(['status', '9002']);
    expect(status.history?.map((h) => h.outcome)).toEqual(['written', 'escrowed']);
    expect(status.history?.[1]?.runId).toBe(runId);
    // The HTTP status route answers the same view.
    const response = await workerStatusRoute(
      new HttpRequest({
        method: 'GET',
        url: 'http://localhost/api/workers/9002',
        params: { workerId: '9002' },
        headers: { authorization: `Bearer ${s.entra.token({ roles: [OPERATOR_ROLES.read] })}` },
      }),
      context('workerStatus'),
    );
    expect(response.status).toBe(200);
    expect((response.jsonBody as { history: unknown }).history).toEqual(status.history);
  });
});

describe('a CLI cycle stopped by Ctrl-C', () => {
  it('finishes the jobs in flight, then records the run as stopped with what it did', async () => {
    const interrupt = new AbortController();
    const stopped = await runCycle(s.services, {
      drain: true,
      reverify: true,
      // Ctrl-C as the first job settles (main.ts aborts the drain's signal on SIGINT).
      drainOptions: { concurrency: 1, signal: interrupt.signal, onOutcome: () => interrupt.abort() },
    }).catch((err: unknown) => err);
    expect(stopped).toMatchObject({ code: 'RUN.INTERRUPTED' });
    const [run] = await s.services.runs.latest(1);
    expect(run?.stopped).toMatch(/^RUN\.INTERRUPTED: Interrupted: the 1 jobs done are recorded/);
    expect(run?.settled?.jobs).toBe(1);
    expect(run?.enqueued).toBeGreaterThan(1);
  });
});
