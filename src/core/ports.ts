/**
 * The small interfaces the core talks to. Adapters in src/workday, src/graph and src/state
 * implement them; tests may implement them too. No SDK types cross this line.
 */
import type { ChangeView, Outcome, OutcomeCode, OutcomeCounts } from './outcome';

/** One worker as the source delivers it: report columns, or SOAP values under the same names. */
export type RawRecord = Record<string, unknown>;

export interface ReadOptions {
  /** Only workers changed since then (incremental read); absent means a full read. */
  updatedFrom?: Date;
  /** The moment the read is pinned to (SOAP `As_Of_Entry_DateTime`, incremental `Updated_Through`). */
  asOf: Date;
}

export interface WorkerSource {
  /** `raas` or `soap`: names the watermark and shows in logs. */
  readonly kind: string;
  /** Whether `updatedFrom` is honoured; a source that cannot read changes always reads in full. */
  readonly supportsIncremental: boolean;
  /**
   * Every worker, streamed. Throws AppError (WORKDAY.*) when the read fails at any point:
   * the caller must treat a partial read as a failed read, never as "fewer workers".
   */
  readWorkers(options: ReadOptions): AsyncIterable<RawRecord>;
  /** One worker by id, or null when Workday has no such worker. */
  readWorker(workerId: string): Promise<RawRecord | null>;
}

/** The properties the writer reads from a user; the Graph adapter `$select`s exactly these. */
export interface DirectoryUser {
  id: string;
  employeeId: string | null;
  onPremisesSyncEnabled: boolean | null;
  otherMails: string[];
  usageLocation: string | null;
  /** Directory extension attributes (`extension_<appId>_<name>`) that the mapping targets. */
  extensions: Record<string, unknown>;
}

export interface AuthenticationEmailMethod {
  id: string;
  emailAddress: string;
}

/** The answer to a write that Graph did not fail transiently. */
export type WriteResult =
  | { status: 'ok' }
  /** 403: e.g. `otherMails` on a privileged-role holder. */
  | { status: 'denied'; code: string; message: string }
  /** 400: Graph refused the values themselves. */
  | { status: 'invalid'; code: string; message: string };

/** The answer to a soft-deleted lookup: Graph may refuse to filter deletedItems by employeeId. */
export type DeletedLookup = { supported: true; users: DirectoryUser[] } | { supported: false };

/**
 * Entra ID as the writer sees it. There is deliberately no create, delete, disable or restore
 * operation: safety rule 1 is enforced by what this interface can express.
 * Transient failures (429/503/504 past the retry budget, network) throw AppError with transient=true.
 */
export interface Directory {
  /** Users whose employeeId equals the given one (case-insensitive, as Graph compares). */
  findUsersByEmployeeId(employeeId: string): Promise<DirectoryUser[]>;
  /** Many lookups at once (batched `in (…)` filters inside `$batch`); keys are lower-cased ids. */
  findUsersByEmployeeIds(employeeIds: readonly string[]): Promise<Map<string, DirectoryUser[]>>;
  findDeletedUsersByEmployeeId(employeeId: string): Promise<DeletedLookup>;
  /** One PATCH /users/{id} carrying every changed property. */
  updateUser(userId: string, patch: Record<string, unknown>): Promise<WriteResult>;
  getAuthenticationEmail(userId: string): Promise<AuthenticationEmailMethod | null>;
  /** Creates the user's email method when `existingId` is null, else updates it. */
  setAuthenticationEmail(userId: string, existingId: string | null, emailAddress: string): Promise<WriteResult>;
  /** Counters for run records and telemetry. */
  stats(): DirectoryStats;
}

export interface DirectoryStats {
  /** HTTP requests sent (a `$batch` counts once). */
  httpRequests: number;
  /** Logical requests, counting each `$batch` sub-request. */
  subRequests: number;
  /** Responses (or sub-responses) answered 429. */
  throttled: number;
  writes: number;
}

/** What one queue message carries: a validated snapshot of one worker, planned by a cycle. */
export interface WorkerJob {
  workerId: string;
  /** The cycle (or sweep, or resync) that planned the job. */
  cycleId: string;
  /** Logical field values (`personalEmail`, `countryIso`, …), validated. */
  fields: Record<string, string | null>;
  /** Hash of the desired target state, so the ledger can tell whether the worker changed. */
  desiredHash: string;
  dryRun?: boolean;
  /** Correlates telemetry from the timer through the queue to Graph. */
  operationId?: string;
}

export interface LedgerEntry {
  workerId: string;
  lastOutcome: OutcomeCode;
  reason?: string;
  detail?: string;
  /** Desired-state hash at the time of the outcome; absent for workers that never validated. */
  desiredHash?: string;
  /** Hashes of the values this connector last wrote, per target (for `merge` + `clear`). */
  writtenHashes?: Record<string, string>;
  /** The last applied diff, masked: safe to show. */
  lastChanges?: ChangeView[];
  userId?: string;
  /** Hash of the worker's personal email, so a shared mailbox is found even on incremental reads. */
  emailHash?: string;
  cycleId: string;
  updatedAt: Date;
  /** When the worker was last checked against Graph (drives periodic re-verification). */
  verifiedAt?: Date;
}

export interface Ledger {
  get(workerId: string): Promise<LedgerEntry | null>;
  put(entry: LedgerEntry): Promise<void>;
  putMany(entries: readonly LedgerEntry[]): Promise<void>;
  /** Every entry, streamed (the cycle compares its plan against it). */
  list(): AsyncIterable<LedgerEntry>;
}

export type EscrowReason = 'notFound' | 'softDeleted';

export interface EscrowEntry {
  workerId: string;
  reason: EscrowReason;
  firstSeen: Date;
  attempts: number;
  nextAttempt: Date;
  /** The job to replay when the entry is due. */
  job: WorkerJob;
}

export interface EscrowStore {
  get(workerId: string): Promise<EscrowEntry | null>;
  put(entry: EscrowEntry): Promise<void>;
  remove(workerId: string): Promise<void>;
  list(): AsyncIterable<EscrowEntry>;
}

export type RunKind = 'cycle' | 'sweep' | 'resync';

export interface RunRecord {
  runId: string;
  kind: RunKind;
  startedAt: Date;
  durationMs: number;
  dryRun: boolean;
  approved: boolean;
  /** Whether the mass-change guard held the cycle (alert-worthy). */
  held: boolean;
  counts: OutcomeCounts;
  enqueued: number;
  graphRequests: number;
  graphThrottled: number;
  workdayReadMs: number;
  /** Free text, masked. */
  note?: string;
}

export interface RunHistory {
  record(run: RunRecord): Promise<void>;
  latest(limit: number): Promise<RunRecord[]>;
}

export interface JobQueue {
  enqueue(jobs: readonly WorkerJob[]): Promise<void>;
}

/** Where an incremental read resumes; moved only after a whole read succeeded. */
export interface WatermarkStore {
  get(sourceKey: string): Promise<Date | null>;
  set(sourceKey: string, value: Date): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The one logger. Implementations mask personal data before anything leaves the process. */
export interface Logger {
  log(level: LogLevel, message: string, properties?: Record<string, unknown>): void;
}

/** Telemetry records (custom events and metrics); locally they go to the log. */
export interface Telemetry {
  workerOutcome(
    outcome: Outcome,
    context: { runId: string; durationMs: number; graphRequests: number; operationId?: string; runKind?: RunKind; dryRun?: boolean },
  ): void;
  runCompleted(run: RunRecord, context: { escrowBacklog: number; escrowOldestAgeMinutes: number; operationId?: string }): void;
  flush(): Promise<void>;
}
