/**
 * The parent's side of simHost.ts: starts the simulated world in a child process and calls it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { GraphCounters } from '../sim/graph';
import type { JobQueue } from '../src/core/ports';
import type { JobQueueConsumer } from '../src/state/jobQueue';
import { decodeJobMessage, encodeJobMessage } from '../src/state/jobMessage';
import type { BudgetFigures } from './budgetFigures';
import type { QueuedMessage } from './memoryQueue';
import type { HostCall, HostInfo, HostOptions, WriteStats } from './simHost';

export interface SimWorldProcess {
  info: HostInfo;
  counters(): Promise<GraphCounters>;
  resetLog(): Promise<void>;
  writeStats(): Promise<WriteStats>;
  /** Graph's view of the phase since the last reset against its budgets. */
  budgetFigures(): Promise<BudgetFigures>;
  /** Cloud Sync creates these pending users now. */
  addUsers(employeeIds: string[]): Promise<void>;
  /** When each user's first successful PATCH landed since the last reset (ms since the epoch). */
  firstWriteAt(employeeIds: string[]): Promise<Array<number | null>>;
  /** Gives every worker a stale `written` ledger entry (ledgerFill.ts); returns how many. */
  fillLedger(connectionString: string, tablePrefix: string): Promise<number>;
  /** The worker-jobs queue held by the world process (see memoryQueue.ts), as the app's ports. */
  jobQueue: JobQueue;
  jobConsumer: JobQueueConsumer;
  close(): Promise<void>;
}

type Answer = { id: number; result?: unknown; error?: string };

export async function startSimWorld(options: HostOptions): Promise<SimWorldProcess> {
  const child = fork(join(__dirname, 'simHost.js'), [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const info = await new Promise<HostInfo>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { ready: HostInfo }).ready));
    child.once('exit', (code) => reject(new Error(`the simulated world exited with code ${code} before serving`)));
  });
  const calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 0;
  child.on('message', (message) => {
    const { id, result, error } = message as Answer;
    const call = calls.get(id);
    calls.delete(id);
    if (error !== undefined) call?.reject(new Error(error));
    else call?.resolve(result);
  });
  const call = <T>(request: HostCall): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, call: request });
    });
  return {
    info,
    counters: () => call<GraphCounters>({ op: 'counters' }),
    resetLog: () => call<void>({ op: 'resetLog' }),
    writeStats: () => call<WriteStats>({ op: 'writeStats' }),
    budgetFigures: () => call<BudgetFigures>({ op: 'budgetFigures' }),
    addUsers: (employeeIds) => call<void>({ op: 'addUsers', employeeIds }),
    firstWriteAt: (employeeIds) => call<Array<number | null>>({ op: 'firstWriteAt', employeeIds }),
    fillLedger: (connectionString, tablePrefix) => call<number>({ op: 'fillLedger', connectionString, tablePrefix }),
    jobQueue: { enqueue: (jobs) => call<void>({ op: 'queueSend', queue: 'jobs', texts: jobs.map(encodeJobMessage) }) },
    jobConsumer: queueConsumer(call),
    close: () => stop(child),
  };
}

type Call = <T>(request: HostCall) => Promise<T>;

/** The same messages (base64 JSON jobs) and semantics as the Azure queue adapter in src/state/jobQueue.ts. */
function queueConsumer(call: Call): JobQueueConsumer {
  return {
    async receive(max, visibilityTimeoutSeconds) {
      const messages = await call<QueuedMessage[]>({ op: 'queueReceive', max, visibilityTimeoutSeconds });
      return messages.map(({ messageId, popReceipt, dequeueCount, messageText }) => ({
        job: decodeJobMessage(messageText),
        messageId,
        popReceipt,
        dequeueCount,
      }));
    },
    async complete(message) {
      await call<boolean>({ op: 'queueDelete', messageId: message.messageId, popReceipt: message.popReceipt });
    },
    async release(message, delaySeconds) {
      const popReceipt = await call<string | null>({
        op: 'queueRelease',
        messageId: message.messageId,
        popReceipt: message.popReceipt,
        delaySeconds: Math.max(0, Math.round(delaySeconds)),
      });
      if (popReceipt) message.popReceipt = popReceipt;
    },
    async moveToPoison(message) {
      await call<void>({ op: 'queueSend', queue: 'poison', texts: [encodeJobMessage(message.job)] });
      await call<boolean>({ op: 'queueDelete', messageId: message.messageId, popReceipt: message.popReceipt });
    },
    approximateCount: () => call<number>({ op: 'queueCount' }),
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.disconnect();
  });
}
