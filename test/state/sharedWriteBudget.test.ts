/**
 * The deployment's one write budget, shown with real OS processes (the compiled app: run
 * `npm run build` first) writing to the Graph simulator through one Azurite row: together they
 * never exceed the ceiling within any second, and a holder killed mid-turn gives its turn back
 * within a second of when its last writes stop counting.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedWriteBudget, DEFAULT_WRITE_TURN } from '../../src/state/sharedWriteBudget';
import { createStorageClients } from '../../src/state/storageClients';
import { type GraphSimulator, startGraphSimulator } from '../../sim/graph';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

const ROOT = resolve(__dirname, '../..');
const WRITER = join(ROOT, 'test/support/budgetWriter.cjs');
const CEILING = 10;
/**
 * How long after it left a write may still count (the Pacer's and the turn's bound). Production
 * uses 250 ms; a process's first requests on a loaded 2-core test machine reached the simulator
 * later than that, which is a matter of the bound, not of sharing: this test gives it room.
 */
const ANSWER_BOUND_MS = 1_000;
/** The turn lasts this long after the holder's last renewal (DEFAULT_WRITE_TURN.termMs, 2 s). */
const TERM_MS = DEFAULT_WRITE_TURN.termMs;

let azurite: AzuriteInstance;
let graph: GraphSimulator;
let prefixes = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  graph = await startGraphSimulator({ latencyMs: 30 });
}, 60_000);

afterAll(async () => {
  await graph?.close();
  await azurite?.stop();
});

/** Users named `<group>-<n>`; returns their ids. */
function users(group: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      graph.addUser({
        employeeId: `${group}${i}`,
        displayName: `${group}-${i}`,
        userPrincipalName: `${group.toLowerCase()}${i}@contoso.com`,
        onPremisesSyncEnabled: true,
      }).id,
  );
}

interface Writer {
  child: ChildProcess;
  first: Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startWriter(ids: string[], tablePrefix: string, extraEnv: Record<string, string> = {}): Writer {
  const child = spawn(process.execPath, [WRITER], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      STORAGE: azurite.connectionString,
      TABLE_PREFIX: tablePrefix,
      GRAPH_BASE_URL: graph.url,
      CEILING: String(CEILING),
      ANSWER_BOUND_MS: String(ANSWER_BOUND_MS),
      USER_IDS: ids.join(','),
      ...extraEnv,
    },
  });
  let stdout = '';
  let stderr = '';
  let firstSeen: () => void = () => undefined;
  const first = new Promise<void>((resolveFirst) => (firstSeen = resolveFirst));
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('first\n')) firstSeen();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveDone) =>
    child.on('exit', (code) => resolveDone({ code, stdout, stderr })),
  );
  return { child, first, done };
}

/** Resolves once some process waits on the deployment's write-turn row. */
async function waitersOnRow(tablePrefix: string): Promise<void> {
  const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  const table = await clients.ensureTable(`${tablePrefix}Runs`);
  for (;;) {
    const row = await table.getEntity<{ waiting?: string }>('state', 'writeTurn').catch(() => null);
    if (Object.keys(JSON.parse(row?.waiting ?? '{}')).length > 0) return;
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

/** Admitted PATCHes of the given users, in the order the simulator took them. */
function writesOf(ids: readonly string[]): number[] {
  const wanted = new Set(ids.map((id) => `/users/${id}`));
  return graph.requests
    .filter((r) => r.method === 'PATCH' && r.status < 300 && wanted.has(r.path))
    .map((r) => r.at)
    .sort((a, b) => a - b);
}

/** The most writes within any span (t − 1 s, t], as Graph's sliding windows count. */
function mostWithinOneSecond(times: readonly number[]): number {
  let most = 0;
  let tail = 0;
  for (const [head, at] of times.entries()) {
    while (times[tail]! <= at - 1000) tail++;
    most = Math.max(most, head - tail + 1);
  }
  return most;
}

describe('the shared write budget across OS processes', () => {
  it('keeps two processes together within the ceiling in every second, and both finish', async () => {
    const prefix = `budget${++prefixes}${process.pid}`;
    const a = users('A', 50);
    const b = users('B', 50);
    const [ranA, ranB] = await Promise.all([startWriter(a, prefix).done, startWriter(b, prefix).done]);
    expect(ranA.stderr).toBe('');
    expect(ranB.stderr).toBe('');
    expect([ranA.code, ranB.code]).toEqual([0, 0]);
    expect(writesOf(a)).toHaveLength(50);
    expect(writesOf(b)).toHaveLength(50);
    expect(mostWithinOneSecond(writesOf([...a, ...b]))).toBeLessThanOrEqual(CEILING);
  }, 60_000);

  it('gives a killed holder’s turn to the other process once its last writes stop counting', async () => {
    const prefix = `budget${++prefixes}${process.pid}`;
    const a = users('K', 60);
    const b = users('L', 30);
    const holder = startWriter(a, prefix);
    await holder.first;
    const waiter = startWriter(b, prefix);
    // Kill it once the other process waits for the turn, well inside the turn (handed on after 5 s).
    await waitersOnRow(prefix);
    holder.child.kill('SIGKILL');
    const killedAt = Date.now();
    await holder.done;
    const ranB = await waiter.done;
    expect(ranB.code).toBe(0);
    const lastOfHolder = writesOf(a).at(-1)!;
    const writesOfWaiter = writesOf(b);
    expect(writesOfWaiter).toHaveLength(30);
    // The holder was writing when it died (a batch a second or so), and the waiter had not written yet.
    expect(killedAt - lastOfHolder).toBeLessThan(1_500);
    expect(writesOfWaiter[0]!).toBeGreaterThan(killedAt);
    // Its turn ends a term after its last renewal, its writes count for the bound and 1 s more: then the waiter writes.
    expect(writesOfWaiter[0]! - killedAt).toBeLessThan(TERM_MS + ANSWER_BOUND_MS + 1_000 + 1_000);
    expect(mostWithinOneSecond(writesOf([...a, ...b]))).toBeLessThanOrEqual(CEILING);
  }, 60_000);
});

describe('a resync beside a backfill in another process', () => {
  it('gets one place lent by the holder for each write: the turn never moves, the ceiling holds in every second', async () => {
    const prefix = `budget${++prefixes}${process.pid}`;
    // Graph's own ceiling (20/s) over 12 s or more of backfill; a resync 0.6 s after the last one answered.
    const ceiling = { CEILING: '20' };
    const backfill = users('P', 240);
    const resynced = users('R', 4);
    const holder = startWriter(backfill, prefix, ceiling);
    await holder.first;
    const resync = startWriter(resynced, prefix, { ...ceiling, PRIORITY_EVERY_MS: '600' });
    const [ranHolder, ranResync] = await Promise.all([holder.done, resync.done]);
    expect([ranHolder.code, ranHolder.stderr, ranResync.code, ranResync.stderr]).toEqual([0, '', 0, '']);
    const operations = (ran: { stdout: string }) => JSON.parse(ran.stdout.split('done ')[1]!);
    // The backfill's process took the turn once and kept it; the resync never took it.
    expect(operations(ranHolder)).toMatchObject({ turnsTaken: 1, loansGiven: 4 });
    expect(operations(ranResync)).toMatchObject({ turnsTaken: 0, loansUsed: 4 });
    expect(writesOf(backfill)).toHaveLength(240);
    const resyncWrites = writesOf(resynced);
    expect(resyncWrites).toHaveLength(4);
    // Every resync wrote while the backfill was still writing, each within seconds.
    expect(resyncWrites.at(-1)!).toBeLessThan(writesOf(backfill).at(-1)!);
    const took = [...ranResync.stdout.matchAll(/^took (\d+)$/gm)].map((m) => Number(m[1]));
    expect(took).toHaveLength(4);
    for (const ms of took) expect(ms).toBeLessThan(3_000);
    expect(mostWithinOneSecond(writesOf([...backfill, ...resynced]))).toBeLessThanOrEqual(20);
  }, 60_000);
});

describe('many writes of one process waiting for the turn', () => {
  it('share one look at the row: the storage operations do not grow with the writes waiting', async () => {
    const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
    const prefix = `budget${++prefixes}${process.pid}`;
    // Two budgets are two processes as far as the row can tell (each its own id).
    const holder = createSharedWriteBudget(clients, prefix);
    const waiter = createSharedWriteBudget(clients, prefix);
    try {
      await holder.acquire();
      holder.wanted(Date.now() + 1_500);
      const waits = Array.from({ length: 50 }, () => waiter.acquire());
      await Promise.all(waits);
      const { reads, writes } = waiter.operations();
      // About 2 s of looks every 50–100 ms (one wait), not 50 times as many.
      expect(reads + writes).toBeLessThan(80);
      expect(waiter.writesAllowed(Date.now())).toBe(Number.POSITIVE_INFINITY);
    } finally {
      await waiter.close();
      await holder.close();
    }
  }, 30_000);
});

describe('the write turn of a lone process', () => {
  it('keeps the turn between its jobs’ rounds when no other process waits (no new turn, no wait before the next write)', async () => {
    const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
    const budget = createSharedWriteBudget(clients, `budget${++prefixes}${process.pid}`);
    try {
      await budget.acquire();
      budget.wanted(Date.now());
      // A round of jobs without writes (lookups, ledger reads), longer than a hand-over would wait.
      await new Promise((wait) => setTimeout(wait, 1_500));
      expect(budget.writesAllowed(Date.now())).toBe(Number.POSITIVE_INFINITY);
      await budget.acquire();
      expect(budget.operations().turnsTaken).toBe(1);
    } finally {
      await budget.close();
    }
  }, 30_000);
});

describe('the turn among processes that all have writes waiting', () => {
  /** How long a busy holder keeps the turn before the first of `waiting` other budgets (processes) gets it. */
  async function heldWith(waiting: number): Promise<number> {
    const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
    const prefix = `budget${++prefixes}${process.pid}`;
    const timing = { yieldAfterMs: 300, rotationMs: 4_000, renewEveryMs: 100 };
    const holder = createSharedWriteBudget(clients, prefix, timing);
    const others = Array.from({ length: waiting }, () => createSharedWriteBudget(clients, prefix, timing));
    try {
      await holder.acquire();
      const takenAt = Date.now();
      holder.wanted(takenAt + 10_000);
      await Promise.race(others.map((other) => other.acquire()));
      return Date.now() - takenAt;
    } finally {
      await Promise.all([holder, ...others].map((budget) => budget.close()));
    }
  }

  it('goes round all of them in about rotationMs: with one other each holds it half of that, with three a quarter', async () => {
    // Every hand-over costs the next holder a few writes: two processes hand over every 2 s here, not every 0.3 s.
    expect(await heldWith(1)).toBeGreaterThanOrEqual(2_000);
    expect(await heldWith(3)).toBeLessThan(1_900);
  }, 30_000);
});

describe('the line for the turn', () => {
  it('gives every writer its turn in the order they queued up, however often the others queue up again', async () => {
    const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
    const prefix = `budget${++prefixes}${process.pid}`;
    const timing = { yieldAfterMs: 200, rotationMs: 800, renewEveryMs: 100 };
    // Four processes, each with writes waiting all the time: it writes while it holds the turn, then queues up again.
    const budgets = Array.from({ length: 4 }, () => createSharedWriteBudget(clients, prefix, timing));
    const until = Date.now() + 6_000;
    try {
      await Promise.all(
        budgets.map(async (budget) => {
          while (Date.now() < until) {
            await budget.acquire();
            while (Date.now() < until && budget.writesAllowed(Date.now()) > 0) {
              budget.wanted(Date.now() + 50);
              await new Promise((wait) => setTimeout(wait, 25));
            }
          }
        }),
      );
      // About 20 turns went round in 6 s: each of the four had several, none was left waiting.
      for (const budget of budgets) expect(budget.operations().turnsTaken).toBeGreaterThanOrEqual(2);
    } finally {
      await Promise.all(budgets.map((budget) => budget.close()));
    }
  }, 30_000);
});
