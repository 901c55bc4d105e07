/**
 * The faulty part of each round: what is broken, which use case runs into it, and what must be
 * true of that run by itself (a failed read fails cleanly and writes nothing; a poisoned job is
 * recorded once; no run hangs). What must be true of the world afterwards is invariants.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { onEnrichWorker } from '../src/functions/onEnrichWorker';
import { onEnrichWorkerPoison } from '../src/functions/onEnrichWorkerPoison';
import { useServices } from '../src/functions/hostServices';
import { JOB_QUEUE, POISON_QUEUE } from '../src/config/settings';
import { hostMaxDequeueCount } from '../src/app/jobRunner';
import { packageRoot } from '../src/app/packageRoot';
import type { ChildMode, ChildOptions, ChildRun, FaultWorld } from './faultWorld';
import { runQueueTrigger } from './functionsHost';
import { pause } from './proxy';

export const ROUND_KINDS = [
  'graph-faults',
  'raas-body-cut',
  'soap-fault-page-7',
  'slow-report',
  'kill-after-patch',
  'cli-kill-after-patch',
  'kill-before-watermark',
  'kill-mid-sweep',
  'duplicate-delivery',
  'poisoned-job',
  'storage-outage',
  'functions-host',
  'instances',
] as const;
export type RoundKind = (typeof ROUND_KINDS)[number];

export interface FaultPhase {
  runs: ChildRun[];
  /** A failed Workday read that did not end with exit 3 and no write, or took the slow report's answer. */
  readNotClean: number;
  /** Poisoned messages not recorded exactly once, or left in a poison queue, or looping. */
  poisonWrong: number;
  /** `instances`: workers whose data changed again while the queue hosts ran. */
  changedAgain?: number;
  /** `instances`: the exit of the CLI cycle whose clock is 2 h fast (2: it refused to write). */
  skewedCli?: string;
  /** `instances`: writes the jobs themselves learned had reached Graph after a newer plan (each repaired at once). */
  lateWritesSeen?: number;
}

export interface PhaseContext {
  round: number;
  /** Workday's data changed during the phase: the suite remembers the values from now on. */
  worldChanged: () => void;
}

export async function runFaultPhase(
  kind: RoundKind,
  w: FaultWorld,
  roundStarted: Date,
  context: PhaseContext,
): Promise<FaultPhase> {
  const phase: FaultPhase = { runs: [], readNotClean: 0, poisonWrong: 0 };
  const run = async (mode: ChildMode, options?: ChildOptions) => {
    const result = await w.runChild(mode, options);
    if (process.env.FAULTS_TRACE)
      process.stderr.write(`  ${mode}: exit ${result.code} after ${result.ms} ms ${JSON.stringify(result.report)}\n`);
    phase.runs.push(result);
    return result;
  };
  const patchesNow = () => w.graph.requests.filter((r) => r.method === 'PATCH').length;
  const expectCleanFailure = async (mode: 'cycle' | 'full-cycle', options?: Parameters<FaultWorld['runChild']>[1]) => {
    const before = patchesNow();
    const result = await run(mode, options);
    const clean = result.code === 3 && patchesNow() === before;
    if (!clean) phase.readNotClean += 1;
  };

  switch (kind) {
    case 'graph-faults':
      w.graphControl.rate = 0.2;
      await run('cycle');
      break;
    case 'raas-body-cut':
      w.workday.tenant.faults.push({ protocol: 'raas', kind: 'truncate', remaining: 50 });
      w.counter.add('workday: RaaS body cut');
      await expectCleanFailure('cycle', { connectorPath: w.raasConnectorPath });
      break;
    case 'soap-fault-page-7':
      w.workday.tenant.faults.push({ protocol: 'soap', kind: 500, remaining: 50, fromPage: 7 });
      w.counter.add('workday: SOAP fault on page 7 of 10');
      // Only a full read has ten pages; an incremental one would end before page 7.
      await expectCleanFailure('full-cycle');
      break;
    case 'slow-report':
      w.workdayControl.delayMs = w.options.slowReportMs;
      await expectCleanFailure('cycle', { deadlineMs: 5 * w.options.slowReportMs + w.options.childDeadlineMs });
      break;
    case 'kill-after-patch':
      w.graphControl.rate = 0.2;
      w.graphControl.killAfterPatches = 1 + Math.floor(w.random() * 3);
      await run('cycle');
      break;
    case 'cli-kill-after-patch':
      w.graphControl.killAfterPatches = 1;
      await run('cli');
      break;
    case 'kill-before-watermark':
      w.storageControl.killOnWatermarkWrite = true;
      await run('cycle');
      break;
    case 'kill-mid-sweep':
      w.storageControl.killAfterEscrowWrites = 1 + Math.floor(w.random() * 4);
      await run('sweep');
      break;
    case 'duplicate-delivery':
      w.storageControl.duplicateRate = 0.3;
      await run('cycle');
      break;
    case 'poisoned-job':
      await poisonedJob(w, run, phase, roundStarted);
      break;
    case 'storage-outage':
      await run('cycle', {
        onStart: () => void storageOutage(w),
      });
      break;
    case 'functions-host':
      await functionsHost(w, run, phase);
      break;
    case 'instances':
      await instances(w, run, phase, roundStarted, context);
      break;
  }
  resetFaults(w);
  return phase;
}

export function resetFaults(w: FaultWorld): void {
  w.graphControl.rate = 0;
  w.graphControl.killAfterPatches = null;
  w.graphControl.failingUsers.clear();
  w.graphControl.latePatchRate = 0;
  w.graphControl.releaseHeld?.();
  w.graphControl.overtakable.clear();
  delete w.graphControl.onSlowPatch;
  w.storageControl.killOnWatermarkWrite = false;
  w.storageControl.killAfterEscrowWrites = null;
  w.storageControl.duplicateRate = 0;
  w.workdayControl.delayMs = 0;
  w.workday.tenant.faults.length = 0;
}

/** Azurite unreachable for a few seconds, shortly after the cycle started. */
async function storageOutage(w: FaultWorld): Promise<void> {
  await pause(300 + Math.floor(w.random() * 1200));
  w.counter.add('storage: Azurite unreachable mid-cycle');
  await Promise.all(w.storageProxies.map((proxy) => proxy.down()));
  await pause(2000 + Math.floor(w.random() * 4000));
  await Promise.all(w.storageProxies.map((proxy) => proxy.up()));
}

type Run = (mode: ChildMode, options?: ChildOptions) => Promise<ChildRun>;

/** A clock two hours fast, applied from outside src/ by a preload (an operator's laptop). */
const SKEWED_CLOCK = { SKEW_MS: String(2 * 3600_000) };
const QUEUE_HOSTS = 2;
const RESYNCS = 6;

/**
 * Scaled out for real: the timer's cycle plans the round's changes onto the shared queue (some
 * messages twice); two queue-function instances, each an OS process with its own state, drain it
 * while Graph answers chosen PATCHes late (503 + Retry-After, or held seconds before they land).
 * As soon as a PATCH is held, Workday's data changes again and, during the drain, the timer's next
 * cycle plans the new data, an operator resyncs some of those workers on the HTTP function, and an
 * operator's CLI cycle runs on a laptop whose clock is 2 h fast (it must refuse: exit 2). The
 * queue hosts stop once every queue is empty; what they left is judged before anything converges.
 */
async function instances(w: FaultWorld, run: Run, phase: FaultPhase, roundStarted: Date, context: PhaseContext) {
  w.storageControl.duplicateRate = 0.3;
  await run('plan');
  let firstSlow: () => void = () => undefined;
  const slow = new Promise<void>((resolve) => (firstSlow = resolve));
  w.graphControl.onSlowPatch = () => firstSlow();
  w.graphControl.latePatchRate = 0.4;
  // The workers whose data changes again below: a late PATCH of theirs may wait for the newer one.
  for (const worker of w.evolving.world.workers)
    if (worker.updatedAt >= roundStarted)
      for (const user of w.graph.usersByEmployeeId(worker.workerId)) w.graphControl.overtakable.add(user.id);
  const hosts: ChildProcess[] = [];
  const hostRuns = Array.from({ length: QUEUE_HOSTS }, () =>
    run('queue-host', { onSpawn: (c) => hosts.push(c), exitWithSuite: true }),
  );
  await Promise.race([slow, pause(6_000)]);

  phase.changedAgain = w.evolving.changeAgain(context.round, roundStarted);
  context.worldChanged();
  w.counter.add('workday: data changed again while the queue hosts ran', phase.changedAgain);
  const resynced = w.evolving.world.workers
    .filter((worker) => worker.updatedAt >= roundStarted && w.graph.usersByEmployeeId(worker.workerId).length === 1)
    .filter(() => w.random() < 0.5)
    .slice(0, RESYNCS)
    .map((worker) => worker.workerId);
  w.counter.add('resync: worker resynced while its older job ran', resynced.length);
  const skewPreload = join(packageRoot(), 'test', 'support', 'skewClock.cjs');
  const [, , skewed] = await Promise.all([
    run('plan'),
    resynced.length > 0 ? run('resync', { args: [resynced.join(',')] }) : Promise.resolve(null),
    run('cli', { env: { ...SKEWED_CLOCK, NODE_OPTIONS: `--require ${skewPreload}` } }),
  ]);
  phase.skewedCli = skewed.hung ? 'H' : String(skewed.code ?? skewed.signal);
  w.counter.add('cli: cycle on a clock 2 h fast');
  // The newer plan's jobs get a few seconds to land before what is still held goes on regardless.
  await pause(8_000);
  w.graphControl.releaseHeld?.();
  for (const host of hosts) host.kill('SIGTERM');
  const ended = await Promise.all(hostRuns);
  phase.lateWritesSeen = phase.runs.reduce((sum, r) => sum + r.lateWritesSeen, 0);
  w.counter.add(
    'queue: message handed to two invocations (two instances)',
    ended.reduce((sum, r) => sum + (r.report?.duplicated ?? 0), 0),
  );
}

/** Writes to a few users fail on every attempt: their jobs outlive maxDequeueCount. */
async function poisonedJob(w: FaultWorld, run: Run, phase: FaultPhase, roundStarted: Date): Promise<void> {
  const changed = w.evolving.world.workers.filter((worker) => worker.updatedAt >= roundStarted);
  for (const worker of changed) {
    const users = w.graph.usersByEmployeeId(worker.workerId);
    if (users.length === 1 && users[0]!.onPremisesSyncEnabled && !users[0]!.privileged)
      w.graphControl.failingUsers.add(users[0]!.id);
    if (w.graphControl.failingUsers.size === 2) break;
  }
  const poisonBefore = await w.queueLength(POISON_QUEUE);
  const result = await run('cycle');
  const poisoned = (await w.queueLength(POISON_QUEUE)) - poisonBefore;
  const failed = result.report?.counts.failed ?? 0;
  w.counter.add('queue: job outlived maxDequeueCount', poisoned);
  if (poisoned !== failed || (w.graphControl.failingUsers.size > 0 && poisoned === 0))
    phase.poisonWrong += Math.max(1, Math.abs(poisoned - failed));
  await clearQueue(w, POISON_QUEUE);
}

/**
 * The cycle leaves its jobs on the queue and the queue function's handler runs them as the host
 * would, some delivered to two invocations at once. Then the poison handler meets an undecodable
 * message and a job whose `failed` record hits a storage outage.
 */
async function functionsHost(w: FaultWorld, run: Run, phase: FaultPhase): Promise<void> {
  w.graphControl.rate = 0.2;
  await run('plan');
  const jobs = new QueueClient(w.azurite.connectionString, JOB_QUEUE);
  const [sample] = (await jobs.peekMessages({ numberOfMessages: 1 })).peekedMessageItems;
  useServices(w.proxied);
  try {
    const drained = await runQueueTrigger({
      connectionString: w.azurite.connectionString,
      queueName: JOB_QUEUE,
      handler: onEnrichWorker,
      maxDequeueCount: hostMaxDequeueCount(),
      duplicateRate: 0.3,
      random: w.random,
      deadlineMs: w.options.childDeadlineMs,
    });
    w.counter.add('queue: message handed to two invocations (Functions)', drained.duplicated);
    if (drained.timedOut) phase.poisonWrong += 1;
    w.graphControl.rate = 0;

    const poisonQueue = new QueueClient(w.azurite.connectionString, POISON_QUEUE);
    await poisonQueue.createIfNotExists();
    await poisonQueue.sendMessage('this is not a worker job');
    w.counter.add('poison: undecodable message');
    if (sample) await poisonQueue.sendMessage(sample.messageText);
    const poisonPoisonBefore = await w.queueLength(`${POISON_QUEUE}-poison`);
    const poisonRun = await runQueueTrigger({
      connectionString: w.azurite.connectionString,
      queueName: POISON_QUEUE,
      handler: onEnrichWorkerPoison,
      maxDequeueCount: hostMaxDequeueCount(),
      duplicateRate: 0,
      random: w.random,
      deadlineMs: w.options.childDeadlineMs,
      // The first `failed` record meets a storage outage (the ledger write fails).
      beforeInvocation: async (n) => {
        if (n !== 1) return;
        w.counter.add('poison: storage error while recording failed');
        await Promise.all(w.storageProxies.map((proxy) => proxy.down()));
        setTimeout(() => void Promise.all(w.storageProxies.map((proxy) => proxy.up())), 3000);
      },
      afterInvocation: async (n) => {
        if (n === 1) await Promise.all(w.storageProxies.map((proxy) => proxy.up()));
      },
    });
    const movedOn = (await w.queueLength(`${POISON_QUEUE}-poison`)) - poisonPoisonBefore;
    const left = await w.queueLength(POISON_QUEUE);
    const recorded = sample
      ? (await w.direct.ledger.get(jobWorkerId(sample.messageText)))?.lastOutcome === 'failed'
      : true;
    if (poisonRun.timedOut || left > 0 || movedOn !== 1 || !recorded) phase.poisonWrong += 1;
    await clearQueue(w, `${POISON_QUEUE}-poison`);
  } finally {
    useServices(undefined);
  }
}

function jobWorkerId(messageText: string): string {
  const parsed = JSON.parse(Buffer.from(messageText, 'base64').toString('utf8')) as { workerId?: string };
  return parsed.workerId ?? '';
}

async function clearQueue(w: FaultWorld, name: string): Promise<void> {
  const queue = new QueueClient(w.azurite.connectionString, name);
  await queue.clearMessages().catch(() => undefined);
}
