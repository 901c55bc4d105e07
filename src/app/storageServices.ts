/**
 * The tables alone, for the read-only commands (runs, status, escrow): no connector file, no
 * Workday, no Graph, so an operator who only looks needs only the storage setting. The full
 * composition root (services.ts) builds its stores here too, so both read the same tables alike.
 */
import type { Settings } from '../config/settings';
import type { Clock, EscrowStore, Ledger, Logger, PlanStore, RunHistory } from '../core/ports';
import { createEscrowStore } from '../state/escrowStore';
import { createLedger } from '../state/ledger';
import { createPlanStore } from '../state/planStore';
import { createRunHistory } from '../state/runHistory';
import { createSharedClock } from '../state/sharedClock';
import type { StorageClients } from '../state/storageClients';
import { createStorageClients } from '../state/storageClients';
import { createLogger } from './logger';

export interface StorageServices {
  settings: Settings;
  ledger: Ledger;
  escrow: EscrowStore;
  runs: RunHistory;
  /** The latest plan of each worker (status says "planned in run X, job queued"). */
  plans: PlanStore;
  clock: Clock;
  logger: Logger;
  close(): Promise<void>;
}

export function buildStorageServices(settings: Settings, options: { logger?: Logger } = {}): StorageServices {
  const logger = options.logger ?? createLogger();
  return {
    settings,
    ...recordStores(createStorageClients(settings.storage), settings, logger),
    logger,
    close: async () => {},
  };
}

/** The ledger, escrow and run tables, and the storage's time that every writer shares. */
export function recordStores(
  clients: StorageClients,
  settings: Pick<Settings, 'tablePrefix' | 'queueName'>,
  logger: Logger,
): Pick<StorageServices, 'ledger' | 'escrow' | 'runs' | 'plans' | 'clock'> {
  return {
    plans: createPlanStore(clients, settings.tablePrefix),
    ledger: createLedger(clients, settings.tablePrefix, unreadableRow(logger, 'ledger')),
    escrow: createEscrowStore(clients, settings.tablePrefix, unreadableRow(logger, 'escrow')),
    runs: createRunHistory(clients, settings.tablePrefix),
    // The storage service's time, which every writer of the deployment shares (its answers' Date).
    clock: createSharedClock(async () => (await (await clients.ensureQueue(settings.queueName)).getProperties()).date),
  };
}

/** A row a listing skipped: said once per row and run, with what to do, never fatal. */
function unreadableRow(logger: Logger, table: string) {
  return (rowKey: string, problem: string) =>
    logger.log(
      'warn',
      `skipped an unreadable ${table} row (${rowKey}): ${problem}; fix or delete that row (attribute-writer status shows the worker)`,
      { table, rowKey, event: 'unreadableRow' },
    );
}
