/** Timer and queue functions called as the host would call them, against Azurite and the simulators. */
import { InvocationContext, type Timer } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrichCycle } from '../../src/functions/enrichCycle';
import { onWorkerJob } from '../../src/functions/onWorkerJob';
import { onPoisonedJob } from '../../src/functions/onPoisonedJob';
import { escrowSweep } from '../../src/functions/escrowSweep';
import { useServices } from '../../src/functions/hostServices';
import { JOB_QUEUE } from '../../src/config/settings';
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

/** What the host hands the queue function: the message text, base64-decoded, parsed as JSON. */
async function receiveAsHost(): Promise<unknown[]> {
  const queue = new QueueClient(azurite.connectionString, JOB_QUEUE, { allowInsecureConnection: true } as never);
  const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
  for (const m of receivedMessageItems) await queue.deleteMessage(m.messageId, m.popReceipt);
  return receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')));
}

beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, {
    world: world(
      [hybridWorker('8001'), hybridWorker('8002'), hybridWorker('8003', { legalEntity: 'Elsewhere Ltd' })],
      [syncedUser('8001')],
      [syncedUser('8002')],
    ),
  });
  useServices(s.services);
});
afterAll(async () => {
  useServices(undefined);
  await s?.close();
  await azurite?.stop();
});

describe('enrichCycle (timer)', () => {
  it('enqueues one base64 JSON job per in-scope worker and decides the rest at once', async () => {
    const summary = await enrichCycle(timer, context('enrichCycle'));
    expect(summary.enqueued).toBe(2);
    expect(summary.counts.outOfScope).toBe(1);
    const jobs = (await receiveAsHost()) as Array<{ workerId: string; operationId: string }>;
    expect(jobs.map((j) => j.workerId).sort()).toEqual(['8001', '8002']);
    expect(jobs[0]!.operationId).toBe('enrichCycle-invocation');
    for (const job of jobs) await onWorkerJob(job, context('enrichWorker'));
    expect(s.graph.usersByEmployeeId('8001')[0]!.otherMails).toHaveLength(1);
    expect((await s.services.escrow.get('8002'))?.reason).toBe('notFound');
  });
});

describe('escrowSweep (timer)', () => {
  it('enqueues the escrowed worker once its user exists and its attempt is due', async () => {
    for (const user of s.world.pendingUsers) s.graph.addUser(user);
    s.advance(5 * 60_000);
    const summary = await escrowSweep(timer, context('escrowSweep'));
    expect(summary.enqueued).toBe(1);
    const [job] = await receiveAsHost();
    const outcome = await onWorkerJob(job, context('enrichWorker'));
    expect(outcome.code).toBe('written');
  });
});

describe('onWorkerJob (queue function enrichWorker)', () => {
  it('throws on a transient Graph failure so the host retries the message', async () => {
    s.graph.injectFaults({ status: 503, count: 100 });
    const job = {
      workerId: '8001',
      cycleId: 'c-retry',
      desiredHash: 'x',
      version: Date.now(),
      fields: { workerId: '8001', personalEmail: 'other@example.org', countryIso: 'GB' },
    };
    await expect(onWorkerJob(job, context('enrichWorker'))).rejects.toMatchObject({ transient: true });
    s.graph.injectFaults({ status: 503, count: 0 });
  }, 120_000);

  it('refuses a message that is not a job', async () => {
    await expect(onWorkerJob({ hello: 'world' }, context('enrichWorker'))).rejects.toMatchObject({
      code: 'INPUT.INVALID',
    });
  });
});

describe('onPoisonedJob (queue function enrichWorkerPoison)', () => {
  it('records the worker as failed instead of losing it', async () => {
    const job = {
      workerId: '8001',
      cycleId: 'c-poison',
      desiredHash: 'x',
      version: Date.now(),
      fields: { workerId: '8001', personalEmail: 'other@example.org', countryIso: 'GB' },
    };
    const outcome = await onPoisonedJob(job, context('enrichWorkerPoison'));
    expect(outcome.code).toBe('failed');
    expect((await s.services.ledger.get('8001'))?.lastOutcome).toBe('failed');
  });
});
