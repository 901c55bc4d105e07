/**
 * The dependency bag: what the use cases need (the connector, the ports, the clock, the dry-run
 * switch). Built once by src/app/services.ts; each use case picks the parts it uses.
 */
import type { ConnectorConfig } from './connector';
import type {
  Clock,
  Directory,
  EscrowStore,
  JobQueue,
  Ledger,
  Logger,
  PlanStore,
  PredictionStore,
  RunHistory,
  Telemetry,
  WatermarkStore,
  WriteGate,
  WorkerSource,
} from './ports';

export interface Dependencies {
  connector: ConnectorConfig;
  source: WorkerSource;
  directory: Directory;
  ledger: Ledger;
  escrow: EscrowStore;
  plans: PlanStore;
  runs: RunHistory;
  queue: JobQueue;
  watermarks: WatermarkStore;
  telemetry: Telemetry;
  logger: Logger;
  clock: Clock;
  /** DRY_RUN: plans and reports but writes nothing to Graph, whatever a job says. */
  dryRun: boolean;
  /** Shared "writes refused until …" row (absent in tests that run one process). */
  writeGate?: WriteGate;
  /** While held (call the release it returns), this process's writes go ahead of backfill jobs: a resync, an operator waiting. */
  writePriority?: () => () => void;
  /** Dry-run predictions (src/core/predictions.ts); absent: every dry run checks every worker. */
  predictions?: PredictionStore;
  /** APPROVE_HELD_CYCLE: the id of a held cycle whose changes the next cycle may apply once. */
  approveHeldCycle?: string;
}
