/**
 * What a large escrow costs each kind of run (`npm run bench:backlog`): a tenant with a 20,000-entry
 * escrow (new hires whose users Cloud Sync has not created) and 1,000 hybrid workers with users.
 * It counts the Table entities each run reads and writes through the ledger and escrow ports, and
 * its wall time, for: a resync of a worker with a user, a resync of an escrowed worker, an escrow
 * sweep (nothing due), and a full cycle. A resync must read O(1) entities whatever the backlog; a
 * sweep and a cycle at most a stated few per worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '../src/app/logger';
import { runCycle, runResync, runSweep } from '../src/app/operations';
import { buildServices } from '../src/app/services';
import { loadSettings } from '../src/config/settings';
import type { ConditionalRows, RowChange } from '../src/core/ports';
import { startAzurite } from '../sim/storage/azurite';
import { startGraphSimulator } from '../sim/graph';
import { startWorkdaySimulator } from '../sim/workday';
import { createTenant } from '../sim/workday/tenant';
import { exampleConnector } from '../sim/exampleConnector';
import { simulatorSettings } from '../sim/settings';
import type { SimWorker } from '../sim/world';

const ESCROWED = Number(process.env.BACKLOG_ESCROWED ?? 20_000);
const HYBRID = Number(process.env.BACKLOG_HYBRID ?? 1_000);

type Row = { workerId: string; etag?: string };

interface Counts {
  read: number;
  written: number;
}

/** Counts entities read (get, list, query) and written (each change that reached storage) through a port. */
function counted<P extends ConditionalRows<Row>>(port: P, counts: Counts): P {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const call = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
      if (property === 'list') {
        return async function* () {
          for await (const row of call() as AsyncIterable<Row>) {
            counts.read += 1;
            yield row;
          }
        };
      }
      if (property === 'get') {
        return async (...args: unknown[]) => {
          counts.read += 1;
          return call(...args);
        };
      }
      if (property === 'findByEmailHash') {
        return async (...args: unknown[]) => {
          const rows = (await call(...args)) as Row[];
          counts.read += rows.length;
          return rows;
        };
      }
      if (property === 'change') {
        return async (workerId: string, decide: RowChange<Row>['decide'], seen?: Row | null) => {
          if (seen === undefined) counts.read += 1;
          return call(
            workerId,
            (current: Row | null) => {
              const next = decide(current);
              if (next !== 'keep') counts.written += 1;
              return next;
            },
            seen,
          );
        };
      }
      if (property === 'changeMany') {
        return async (changes: readonly RowChange<Row>[]) =>
          call(
            changes.map((change) => ({
              ...change,
              decide: (current: Row | null) => {
                const next = change.decide(current);
                if (next !== 'keep') counts.written += 1;
                return next;
              },
            })),
          );
      }
      return value;
    },
  });
}

function worker(workerId: string): SimWorker {
  return {
    workerId,
    workerType: 'Employee',
    employeeType: 'Regular',
    legalEntity: 'Contoso Corp',
    emails: [{ address: `${workerId.toLowerCase()}@home.example`, usage: 'HOME', primary: true }],
    businessSiteCountry: 'GB',
    homeCountry: 'GB',
    active: true,
    updatedAt: new Date(Date.now() - 86_400_000),
  };
}

async function main(): Promise<void> {
  const hires = Array.from({ length: ESCROWED }, (_, i) => worker(`N${String(i).padStart(6, '0')}`));
  const hybrid = Array.from({ length: HYBRID }, (_, i) => worker(`H${String(i).padStart(6, '0')}`));
  const [azurite, graph, workday] = await Promise.all([
    startAzurite(),
    startGraphSimulator({ deletedItemsFilter: 'supported' }),
    startWorkdaySimulator({ tenant: createTenant([...hires, ...hybrid]) }),
  ]);
  graph.loadUsers(
    hybrid.map((w) => ({
      employeeId: w.workerId,
      displayName: w.workerId,
      userPrincipalName: `${w.workerId}@contoso.com`,
      onPremisesSyncEnabled: true,
    })),
  );
  const dir = mkdtempSync(join(tmpdir(), 'backlog-bench-'));
  const connectorPath = join(dir, 'connector.json');
  writeFileSync(
    connectorPath,
    JSON.stringify(
      exampleConnector({
        guards: { maxWritesPerCycle: 100_000 },
        escrow: { retryAfterMinutes: [60], expireAfterDays: 28 },
      }),
    ),
  );
  const ledgerCounts: Counts = { read: 0, written: 0 };
  const escrowCounts: Counts = { read: 0, written: 0 };
  const settings = loadSettings(
    simulatorSettings({
      storageConnectionString: azurite.connectionString,
      workday,
      graph,
      connectorPath,
      tablePrefix: 'backlog',
    }),
  );
  const plain = buildServices(settings, { logger: createMemoryLogger('error') });
  const services = {
    ...plain,
    ledger: counted(plain.ledger as unknown as ConditionalRows<Row>, ledgerCounts) as unknown as typeof plain.ledger,
    escrow: counted(plain.escrow as unknown as ConditionalRows<Row>, escrowCounts) as unknown as typeof plain.escrow,
  };
  try {
    console.log(`== escrow backlog: ${ESCROWED} escrowed workers, ${HYBRID} hybrid workers with users`);
    const fillStarted = Date.now();
    // The first cycle escrows every new hire and writes the hybrid workers: the backlog is real state.
    await runCycle(services, { drain: true });
    console.log(`  filled by one cycle in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s`);
    const rows: string[][] = [];
    const measure = async (label: string, workers: number, run: () => Promise<unknown>) => {
      Object.assign(ledgerCounts, { read: 0, written: 0 });
      Object.assign(escrowCounts, { read: 0, written: 0 });
      const started = Date.now();
      await run();
      const seconds = (Date.now() - started) / 1000;
      const perWorker = (n: number) => (workers > 1 ? ` (${(n / workers).toFixed(2)}/worker)` : '');
      rows.push([
        label,
        `${escrowCounts.read}${perWorker(escrowCounts.read)}`,
        `${ledgerCounts.read}${perWorker(ledgerCounts.read)}`,
        `${escrowCounts.written + ledgerCounts.written}`,
        seconds.toFixed(2),
      ]);
    };
    await measure('resync, worker with a user', 1, () => runResync(services, hybrid[0]!.workerId));
    await measure('resync, escrowed worker', 1, () => runResync(services, hires[0]!.workerId));
    await measure('sweep, nothing due', ESCROWED, () => runSweep(services, { drain: true }));
    await measure('cycle (steady state)', ESCROWED + HYBRID, () => runCycle(services, { drain: true }));
    const header = ['run', 'escrow entities read', 'ledger entities read', 'entities written', 'wall s'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`);
    const resyncReads = rows.slice(0, 2).map((r) => Number.parseInt(r[1]!, 10) + Number.parseInt(r[2]!, 10));
    const verdict = resyncReads.every((n) => n <= 4) ? 'within goal' : 'OVER GOAL';
    console.log(
      `  resync reads ${resyncReads.join(' and ')} entities whatever the backlog (goal: O(1), at most 4): ${verdict}`,
    );
    if (verdict !== 'within goal') process.exitCode = 1;
  } finally {
    await plain.close();
    await Promise.all([graph.close(), workday.close(), azurite.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
