/** Timer and queue functions called as the host would call them, against Azurite and the simulators. */
import { InvocationContext, type Timer } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrichCycle } from '../../src/functions/enrichCycle';
import { onEnrichWorker } from '../../src/functions/onEnrichWorker';
import { onEnrichWorkerPoison } from '../../src/functions/onEnrichWorkerPoison';
import { escrowSweep } from '../../src/functions/escrowSweep';
import { useServices } from '../../src/functions/hostServices';
import { JOB_QUEUE } from '../../src/config/settings';
import { desiredHash, desiredStateOf } from '../../src/core/mapping';
import { startAzurite, startScenario, type Scenario } from '../scenario/harness';
import { hybridWorker, syncedUser, world } from '../scenario/smallWorld';
import type { AzuriteInstance } from '../support/azurite';
import { settled } from '../support/settled';

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
    for (const job of jobs) await onEnrichWorker(job, context('enrichWorker'));
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
    const outcome = await settled(onEnrichWorker(job, context('enrichWorker')));
    expect(outcome.code).toBe('written');
  });
});

describe('onEnrichWorker (queue function enrichWorker)', () => {
  it('throws on a transient Graph failure so the host retries the message', async () => {
    s.graph.injectFaults({ status: 503, count: 100 });
    const fields = { workerId: '8001', personalEmail: 'other@example.org', countryIso: 'GB' };
    const { mappings } = s.services.connector;
    const job = {
      workerId: '8001',
      runId: 'c-retry',
      desiredHash: desiredHash(desiredStateOf(fields, mappings), mappings),
      version: Date.now(),
      fields,
    };
    await expect(onEnrichWorker(job, context('enrichWorker'))).rejects.toMatchObject({ transient: true });
    s.graph.injectFaults({ status: 503, count: 0 });
  }, 120_000);

  it('refuses a message that is not a job', async () => {
    await expect(onEnrichWorker({ hello: 'world' }, context('enrichWorker'))).rejects.toMatchObject({
      code: 'INPUT.INVALID',
    });
  });
});

describe('onEnrichWorkerPoison (queue function enrichWorkerPoison)', () => {
  it('records the worker as failed instead of losing it', async () => {
    const job = {
      workerId: '8001',
      runId: 'c-poison',
      desiredHash: 'x',
      version: Date.now(),
      fields: { workerId: '8001', personalEmail: 'other@example.org', countryIso: 'GB' },
    };
    const outcome = await onEnrichWorkerPoison(job, context('enrichWorkerPoison'));
    expect(outcome.code).toBe('failed');
    expect((await s.services.ledger.get('8001'))?.lastOutcome).toBe('failed');
  });
});

describe('onEnrichWorker screens a message again before it runs', () => {
  const fields = (personalEmail: string) => ({ workerId: '8001', personalEmail, countryIso: 'GB' });
  const hashOf = (f: Record<string, string | null>) =>
    desiredHash(desiredStateOf(f, s.services.connector.mappings), s.services.connector.mappings);
  const writes = () => s.graph.requests.filter((r) => r.method === 'PATCH' || r.method === 'POST');

  it('rejects a hand-made message with a blocked-domain address, writing nothing to Graph or the ledger', async () => {
    const before = { writes: writes().length, ledger: await s.services.ledger.get('8001') };
    const forged = fields('attacker@contoso.com');
    const outcome = await onEnrichWorker(
      { workerId: '8001', runId: 'hand-made', desiredHash: hashOf(forged), version: Date.now(), fields: forged },
      context('enrichWorker'),
    );
    expect(outcome).toMatchObject({ code: 'rejected', reason: 'blockedEmailDomain' });
    expect(writes().length).toBe(before.writes);
    expect(s.graph.usersByEmployeeId('8001')[0]!.otherMails).not.toContain('attacker@contoso.com');
    expect(await s.services.ledger.get('8001')).toEqual(before.ledger);
  });

  it('rejects a message whose desiredHash is not the hash of its fields', async () => {
    const before = writes().length;
    const outcome = await onEnrichWorker(
      {
        workerId: '8001',
        runId: 'hand-made',
        desiredHash: hashOf(fields('8001.home@example.net')),
        version: Date.now(),
        fields: fields('someone.else@example.org'),
      },
      context('enrichWorker'),
    );
    expect(outcome).toMatchObject({ code: 'rejected', reason: 'invalidJob' });
    expect(outcome?.detail).toContain('desiredHash');
    expect(writes().length).toBe(before);
  });

  it('rejects a message whose fields fail validation, or name another worker', async () => {
    const bad = { workerId: '8001', personalEmail: 'not an address', countryIso: 'GB' };
    expect(
      await onEnrichWorker(
        { workerId: '8001', runId: 'hand-made', desiredHash: hashOf(bad), fields: bad },
        context('enrichWorker'),
      ),
    ).toMatchObject({ code: 'rejected', reason: 'invalidEmail' });
    const other = fields('8002.home@example.net');
    expect(
      await onEnrichWorker(
        { workerId: '8002', runId: 'hand-made', desiredHash: hashOf(other), fields: other },
        context('enrichWorker'),
      ),
    ).toMatchObject({ code: 'rejected', reason: 'invalidJob' });
  });
});
