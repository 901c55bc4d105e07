/**
 * The benchmark's simulated world, run in a child process (`fork`): the Workday simulator serving
 * the workers as a RaaS report and the Graph simulator with Graph's identity budgets enforced.
 * Kept out of the connector's process so that the world, the rendering of the report and the
 * simulator's request log do not count in the connector's heap, RSS or CPU. It also holds the
 * stand-in for the worker-jobs queue (memoryQueue.ts), outside the connector as Azure's queue is.
 *
 * The parent drives it through a small request/answer protocol over the IPC channel (see
 * simClient.ts): counters, the PATCH timings from the request log, and Cloud Sync creating the
 * pending users at chosen moments.
 */
import { startGraphSimulator, type GraphSimulator } from '../sim/graph';
import type { TenantSize } from '../sim/graph/identityBudgets';
import { createTenant, startWorkdaySimulator, type WorkdaySimulator } from '../sim/workday';
import { buildWorld, personalEmailOf, type SimUserSeed, type SimWorld } from '../sim/world';
import { budgetFigures } from './budgetFigures';
import { fillLedger } from './ledgerFill';
import { MemoryQueue } from './memoryQueue';

export interface HostOptions {
  size: number;
  seed: number;
  latencyMs: number;
  /** Shortens the resource-unit and tenant windows (and the write window unless it is given). */
  windowScale: number;
  /** The app's write window in seconds (its limit 20 per second of it). */
  writeWindowSeconds: number;
  /** The tenant's resource-unit budget: 3,500 / 5,000 / 8,000 per 10 s. */
  tenantSize: TenantSize;
  /**
   * At most this many synced users start without their values; the others already hold them
   * (as if written earlier), so a large backfill's write phase stays a bounded sample.
   * null: every user starts as the world says (a full backfill).
   */
  sampleWrites: number | null;
}

export interface HostInfo {
  raasUrl: string;
  graphUrl: string;
  username: string;
  password: string;
  workers: number;
  users: number;
  /** employeeIds of the users Cloud Sync has not created yet. */
  pendingIds: string[];
  /** Synced users given their values before the run (0 for a full backfill). */
  presynced: number;
}

export interface WriteStats {
  /** PATCHes Graph admitted (2xx, and 403 on privileged users: a refused write still spends budget). */
  admitted: number;
  throttled: number;
  firstAt: number | null;
  lastAt: number | null;
  /** Admitted PATCH times (ms), in order: the parent derives the steady-part rate. */
  times: number[];
}

export type HostCall =
  | { op: 'counters' }
  | { op: 'resetLog' }
  | { op: 'writeStats' }
  | { op: 'budgetFigures' }
  | { op: 'addUsers'; employeeIds: string[] }
  | { op: 'firstWriteAt'; employeeIds: string[] }
  | { op: 'queueSend'; queue: 'jobs' | 'poison'; texts: string[] }
  | { op: 'queueReceive'; max: number; visibilityTimeoutSeconds: number }
  | { op: 'queueDelete'; messageId: string; popReceipt: string }
  | { op: 'queueRelease'; messageId: string; popReceipt: string; delaySeconds: number }
  | { op: 'queueCount' }
  | { op: 'fillLedger'; connectionString: string; tablePrefix: string };

const USER_PATCH = /^\/users\/([^/]+)$/;

/**
 * Gives all but about `sampleWrites` of the users the pipeline would write (synced, not
 * privileged, not deleted, with a worker and an email) their values already. The users left to
 * write are spread evenly over the report, as in a real backfill: bunched at its start, the
 * writes would run out early and the rest of the cycle would measure lookups, not the write pace.
 */
function presync(world: SimWorld, sampleWrites: number): number {
  const workers = new Map(world.workers.map((worker) => [worker.workerId, worker]));
  const writable = world.users.flatMap((user) => {
    const worker = user.employeeId ? workers.get(user.employeeId) : undefined;
    const email = worker ? personalEmailOf(worker) : null;
    if (!worker || !email || user.onPremisesSyncEnabled !== true || user.privileged || user.deleted) return [];
    return (user.otherMails ?? []).length > 0 ? [] : [{ user, email, country: worker.businessSiteCountry }];
  });
  if (writable.length <= sampleWrites) return 0;
  const stride = writable.length / sampleWrites;
  let presynced = 0;
  writable.forEach(({ user, email, country }, index) => {
    if (Math.floor(index / stride) !== Math.floor((index + 1) / stride)) return; // one kept per stride
    user.otherMails = [email];
    user.usageLocation = country;
    presynced += 1;
  });
  return presynced;
}

function writeStats(graph: GraphSimulator): WriteStats {
  const patches = graph.requests.filter((r) => r.method === 'PATCH' && USER_PATCH.test(r.path));
  const times = patches.filter((r) => r.status !== 429).map((r) => r.at);
  return {
    admitted: times.length,
    throttled: patches.length - times.length,
    firstAt: times[0] ?? null,
    lastAt: times.at(-1) ?? null,
    times,
  };
}

/** For each employeeId, when its user's first successful PATCH landed (null: not written). */
function firstWriteAt(graph: GraphSimulator, employeeIds: string[]): Array<number | null> {
  const firstByUser = new Map<string, number>();
  for (const r of graph.requests) {
    const userId = r.method === 'PATCH' && r.status >= 200 && r.status < 300 ? USER_PATCH.exec(r.path)?.[1] : undefined;
    if (userId && !firstByUser.has(userId)) firstByUser.set(userId, r.at);
  }
  return employeeIds.map((employeeId) => {
    const user = graph.usersByEmployeeId(employeeId)[0];
    return user ? (firstByUser.get(user.id) ?? null) : null;
  });
}

async function host(options: HostOptions): Promise<void> {
  const world = buildWorld({ size: options.size, seed: options.seed });
  const presynced = options.sampleWrites === null ? 0 : presync(world, options.sampleWrites);
  const pending = new Map<string, SimUserSeed>(world.pendingUsers.map((user) => [user.employeeId ?? '', user]));
  const [graph, workday]: [GraphSimulator, WorkdaySimulator] = await Promise.all([
    startGraphSimulator({
      latencyMs: options.latencyMs,
      throttling: {
        windowScale: options.windowScale,
        writeWindowSeconds: options.writeWindowSeconds,
        tenantSize: options.tenantSize,
      },
      deletedItemsFilter: 'supported',
    }),
    startWorkdaySimulator({ tenant: createTenant(world.workers) }),
  ]);
  graph.loadUsers(world.users);
  const queues = { jobs: new MemoryQueue(), poison: new MemoryQueue() };

  const answer = (call: HostCall): unknown => {
    if (call.op === 'fillLedger') return fillLedger(world.workers, call.connectionString, call.tablePrefix);
    switch (call.op) {
      case 'counters':
        return graph.counters();
      case 'resetLog':
        return graph.resetLog();
      case 'writeStats':
        return writeStats(graph);
      case 'budgetFigures':
        return budgetFigures(graph.requests);
      case 'addUsers':
        for (const id of call.employeeIds) graph.addUser(pending.get(id)!);
        return call.employeeIds.length;
      case 'firstWriteAt':
        return firstWriteAt(graph, call.employeeIds);
      case 'queueSend':
        return queues[call.queue].send(call.texts);
      case 'queueReceive':
        return queues.jobs.receive(call.max, call.visibilityTimeoutSeconds);
      case 'queueDelete':
        return queues.jobs.delete(call.messageId, call.popReceipt);
      case 'queueRelease':
        return queues.jobs.release(call.messageId, call.popReceipt, call.delaySeconds);
      case 'queueCount':
        return queues.jobs.count();
    }
  };
  process.on('message', (message: { id: number; call: HostCall }) => {
    Promise.resolve()
      .then(() => answer(message.call))
      .then(
        (result) => process.send?.({ id: message.id, result: result ?? null }),
        (err: unknown) => process.send?.({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  process.once('disconnect', () => void Promise.all([graph.close(), workday.close()]).finally(() => process.exit(0)));

  const info: HostInfo = {
    raasUrl: workday.raasUrl,
    graphUrl: graph.url,
    username: workday.tenant.username,
    password: workday.tenant.password,
    workers: world.workers.length,
    users: world.users.length,
    pendingIds: [...pending.keys()],
    presynced,
  };
  process.send?.({ ready: info });
}

if (require.main === module) {
  const options = JSON.parse(process.argv[2] ?? '{}') as HostOptions;
  host(options).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
