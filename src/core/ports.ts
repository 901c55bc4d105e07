/**
 * The small interfaces the core talks to. Adapters in src/workday, src/graph and src/state
 * implement them; tests may implement them too. No SDK types cross this line.
 */
import type { ChangeView, Outcome, OutcomeCode, OutcomeCounts } from './outcome';

/** One worker as the source delivers it: report columns, or SOAP values under the same names. */
export type RawRecord = Record<string, unknown>;

/** A source attribute as scoping filters compare it: group fields flattened to a string or a list (worker.ts). */
export type AttributeValue = string | string[] | null;

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
  /**
   * Every record Workday holds under this id (a report can repeat an id): resync refuses to guess
   * between two. Sources that cannot repeat an id may leave it out; `[readWorker(id)]` stands in.
   */
  readWorkerRecords?(workerId: string): Promise<RawRecord[]>;
  /**
   * Every record Workday holds under any of these ids, as of `asOf`, ids it does not hold left
   * out: a few requests for many ids instead of one or two per id. Throws AppError (WORKDAY.*)
   * when a read fails; records already delivered stay delivered.
   */
  readWorkersByIds?(workerIds: readonly string[], asOf: Date): AsyncIterable<RawRecord>;
}

/** The properties the writer reads from a user; the Graph adapter `$select`s exactly these. */
export interface DirectoryUser {
  id: string;
  employeeId: string | null;
  onPremisesSyncEnabled: boolean | null;
  otherMails: string[];
  usageLocation: string | null;
  /**
   * Never written, only shown to name the users of a duplicate employeeId (masked: it has the
   * shape of an address). Absent where the adapter did not read it.
   */
  userPrincipalName?: string | null;
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
  | { status: 'invalid'; code: string; message: string }
  /** The write's guard said no just before it would have left: nothing was sent. */
  | { status: 'notSent' };

/**
 * Asked right before a write leaves for Graph (after pacing, before every attempt): false stops
 * it unsent. Graph has no conditional write, so this is the last moment a newer plan can stop an
 * older one; what still slips through is found afterwards and repaired (docs/concurrency.md).
 */
export type WriteGuard = () => Promise<boolean>;

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
  /**
   * A hint, never an answer: these ids are about to be looked up one by one (jobs just received),
   * so look them up together now; each later lookup of one of them may use that answer while fresh.
   */
  lookAhead?(employeeIds: readonly string[]): void;
  findDeletedUsersByEmployeeId(employeeId: string): Promise<DeletedLookup>;
  /** One PATCH /users/{id} carrying every changed property. */
  updateUser(userId: string, patch: Record<string, unknown>, guard?: WriteGuard): Promise<WriteResult>;
  getAuthenticationEmail(userId: string): Promise<AuthenticationEmailMethod | null>;
  /** Creates the user's email method when `existingId` is null, else updates it. */
  setAuthenticationEmail(
    userId: string,
    existingId: string | null,
    emailAddress: string,
    guard?: WriteGuard,
  ): Promise<WriteResult>;
  /**
   * Ids of the users who hold or are eligible for (PIM) a directory role, directly or through a
   * role-assignable group: safety rule 4's screen. One read serves every worker for a few
   * minutes. Throws AppError GRAPH.REQUEST_REFUSED (403) when the app may not read them: the
   * caller must then write no reset channel for anyone.
   */
  privilegedUserIds(): Promise<ReadonlyMap<string, Privilege>>;
  /** Counters for run records and telemetry. */
  stats(): DirectoryStats;
}

/** One way a user holds a directory role, so that a `denied` worker says which (privilegedTarget.ts). */
export interface Privilege {
  /** The role's template id (`62e90394-…` is Global Administrator); null when Graph did not say. */
  roleDefinitionId: string | null;
  /** PIM-eligible rather than active. */
  eligible: boolean;
  /** The role-assignable group the role reaches the user through (member, owner or eligible for it). */
  groupId?: string;
}

/** The escrow backlog as a run leaves it: who waits for a user, and for how long the oldest has. */
export interface EscrowBacklog {
  backlog: number;
  oldestAgeMinutes: number;
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

/** What one queue message carries: a validated snapshot of one worker, planned by a run. */
export interface WorkerJob {
  workerId: string;
  /**
   * The run that planned the job: a cycle, a sweep (a replay from escrow) or a resync. Messages
   * from the release before carry it as `cycleId` (src/state/jobMessage.ts reads both).
   */
  runId: string;
  /** Logical field values (`personalEmail`, `countryIso`, …), validated. */
  fields: Record<string, string | null>;
  /** Hash of the desired target state, so the ledger can tell whether the worker changed. */
  desiredHash: string;
  /**
   * The plan this job carries: the moment its Workday data was read (ms since the epoch). A job
   * whose version is below the worker's planned version in the ledger is stale and writes nothing.
   * Absent on messages from before versions existed (read as 0).
   */
  version?: number;
  dryRun?: boolean;
  /** Correlates telemetry from the timer through the queue to Graph. */
  operationId?: string;
}

export interface LedgerEntry {
  workerId: string;
  /** Absent while the worker's first plan waits for its job. */
  lastOutcome?: OutcomeCode;
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
  /** The run that recorded this row (the table column keeps its older name, `cycleId`). */
  runId: string;
  updatedAt: Date;
  /** When the worker was last checked against Graph (drives periodic re-verification). */
  verifiedAt?: Date;
  /**
   * The worker's latest plan: its version (the Workday read moment, ms) and desired hash. Written
   * by the cycle and resync before any job is enqueued; a job below this version writes nothing.
   */
  plannedVersion?: number;
  plannedHash?: string;
  /**
   * Write-ahead records of writes in flight: each set before its PATCH leaves, ended by the same
   * job once it has recorded what happened. One left behind means a job died between its PATCH and
   * its record: the worker is checked against Graph again (the next delivery or the next cycle).
   */
  pendingWrites?: PendingWrite[];
  /**
   * Hashes of every otherMails value this connector ever added for the worker (newest last, at most
   * MAX_ADDED_HASHES), so `merge` retires each of them when it is replaced, not only the last one.
   */
  addedHashes?: string[];
  /** Per property, how often Entra replaced the value the connector wrote since the data last changed (drift.ts). */
  drift?: Record<string, number>;
  /** The outcomes before `lastOutcome`, newest first (workerHistory.ts). */
  history?: WorkerHistoryEntry[];
  /** The storage's concurrency token for this row as read; conditional writes present it. */
  etag?: string;
}

/** One earlier outcome of a worker: which run gave it, when, and why. */
export interface WorkerHistoryEntry {
  runId: string;
  code: OutcomeCode;
  reason?: string;
  at: Date;
}

/**
 * A decision about one row, taken on the row as it is stored now: the new row, `KEEP` to leave it,
 * or `REMOVE`. It may be called again with a fresher row when another process wrote in between.
 */
export type RowDecision<T> = (current: T | null) => T | typeof KEEP | typeof REMOVE;
export const KEEP = 'keep' as const;
export const REMOVE = 'remove' as const;

export interface RowChange<T> {
  workerId: string;
  /** The row as the caller last read it (null: known absent); the write is conditional on it. */
  seen: T | null;
  decide: RowDecision<T>;
}

/**
 * Rows that several processes change at once. Every write is conditional: on the row's ETag
 * (`If-Match`) when it exists, insert-if-absent when it does not; on a conflict the row is
 * read again and `decide` runs again. There is no blind upsert.
 */
export interface ConditionalRows<T extends { workerId: string; etag?: string }> {
  get(workerId: string): Promise<T | null>;
  /** Every row, streamed, each with its ETag. */
  list(): AsyncIterable<T>;
  /** One read-modify-write; `seen` saves the first read. Returns the row as left (null: none). */
  change(workerId: string, decide: RowDecision<T>, seen?: T | null): Promise<T | null>;
  /** Many at once (batched where the store can); the result maps each worker id to its row as left. */
  changeMany(changes: readonly RowChange<T>[]): Promise<Map<string, T | null>>;
}

export interface Ledger extends ConditionalRows<LedgerEntry> {
  /** Entries whose worker's personal email has this hash (a shared mailbox is found without a full read). */
  findByEmailHash(emailHash: string): Promise<LedgerEntry[]>;
}

export interface PendingWrite {
  /** The plan version of the job whose write is in flight. */
  version: number;
  /** When the write-ahead record was made. */
  at: Date;
  /** What the write adds, per target (merge mode must know it even if the job dies after the PATCH). */
  hashes: Record<string, string>;
}

export type EscrowReason = 'notFound' | 'softDeleted';

export interface EscrowEntry {
  workerId: string;
  reason: EscrowReason;
  firstSeen: Date;
  attempts: number;
  nextAttempt: Date;
  /**
   * The job to replay when the entry is due. It carries its plan version, so once a newer plan
   * exists the replay writes nothing; a cycle that plans anew replaces it.
   */
  job: WorkerJob;
  /** When a sweep last enqueued this entry's job because the user appeared (it waits in the queue). */
  replayedAt?: Date;
  etag?: string;
}

export type EscrowStore = ConditionalRows<EscrowEntry>;

/**
 * A worker's latest recorded plan as the job that carries it (its fields hold the personal email,
 * so it lives beside escrow, never in the ledger that reports read). A job that learns its write
 * was late writes this plan again at once; a planned job lost with its process is enqueued again.
 */
export interface PlannedJob {
  workerId: string;
  job: WorkerJob;
  etag?: string;
}

export type PlanStore = ConditionalRows<PlannedJob>;

export type RunKind = 'cycle' | 'sweep' | 'resync';

/**
 * Who asked for a run: an Entra principal (the HTTP routes' caller, or the Azure identity a CLI
 * runs as) by object id and name, or the operating-system user of a CLI run with no Azure identity.
 */
export interface Requester {
  source: 'entra' | 'os';
  /** The Entra object id (`oid` claim); absent for an OS user. */
  objectId?: string;
  /** A display name, user name or `app <client id>`: for people reading the run history. */
  name: string;
}

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
  /** Changes the cycle planned against the ledger (what the mass-change guard counts). */
  changes?: number;
  /** The held cycle whose approval this cycle used. */
  approvedHeldRun?: string;
  /** Workers whose written value Entra replaced (drift: rewritten once, or left to Entra). */
  drift?: number;
  /** Free text, masked. */
  note?: string;
  /** Who ran it (a resync's caller, a CLI's operator); absent for the timers. */
  requestedBy?: Requester;
  /** On a held cycle: the operator who approved it through the HTTP route, and when. */
  approval?: { by: Requester; at: Date };
  /**
   * Why the run stopped before its end (an error's code and message, masked): what it did until
   * then is in the counts. Absent for a run that ran to its end.
   */
  stopped?: string;
  /**
   * The outcomes of the run's jobs, counted as they settle (wherever they run: the CLI's drain,
   * the queue function, resync), apart from `counts`, which holds the outcomes given at planning
   * without a job. Absent on runs recorded before jobs were counted.
   */
  settled?: SettledJobs;
}

/** The jobs of one run that have ended, by outcome (runWorkers.ts counts each worker once). */
export interface SettledJobs {
  counts: OutcomeCounts;
  /** Jobs that wrote nothing because a newer plan's job gives the worker's outcome. */
  superseded: number;
  /** Every job that ended: the counts' total plus the superseded ones. */
  jobs: number;
}

/** How a run's job ended: the worker's outcome, or null when a newer plan superseded it. */
export interface JobSettlement {
  workerId: string;
  outcome: Outcome | null;
  at: Date;
}

/** One worker of one run, as `runs <runId>` lists it: no personal data beyond the masked detail. */
export interface RunWorker {
  workerId: string;
  code: OutcomeCode | 'superseded';
  reason?: string;
  detail?: string;
  userId?: string;
  at: Date;
  /** `job`: the outcome of a queue job; `planning`: given by the cycle itself, without a job. */
  source: 'job' | 'planning';
}

export interface RunHistory {
  /**
   * Records a run once (insert-if-absent): a run id is never overwritten. `decided` are the
   * outcomes planning gave without a job that a person may act on (listed by `workersOf`). Returns
   * the record with the jobs settled so far.
   */
  record(run: RunRecord, decided?: readonly Outcome[]): Promise<RunRecord>;
  /**
   * Adds a job's end to its run's settled counts, once per worker (a redelivered job's outcome
   * replaces the first one, never adds to it); resolves once stored. Returns the run record when
   * this settlement was the run's last job (the run is done: report it once), else null.
   */
  settle(runId: string, settlement: JobSettlement): Promise<RunRecord | null>;
  /** The run's workers (settled jobs and the decided outcomes recorded with it), optionally of one outcome. */
  workersOf(runId: string, code?: RunWorker['code']): Promise<RunWorker[]>;
  /** One run by id with its settled jobs (null: not recorded, or recorded before jobs were counted). */
  get(runId: string): Promise<RunRecord | null>;
  /** Newest first, each with its settled jobs. */
  latest(limit: number): Promise<RunRecord[]>;
  /**
   * The held cycles since the last real cycle that went through, newest first (dry runs aside):
   * the plans an approval may name. Found without a window and ordered by the shared time, so
   * however many sweeps ran since, the held plan is not lost.
   */
  heldAwaitingApproval(): Promise<RunRecord[]>;
  /**
   * Claims the approval of a held cycle for one cycle (insert-if-absent): true for the first
   * claimant only, so an approval lets through exactly one plan, however many cycles race for it.
   */
  claimApproval(heldRunId: string, claimedBy: string): Promise<boolean>;
  /**
   * Records an operator's approval on a held cycle awaiting approval (the HTTP route), for the
   * next cycle to honour. The held run as approved, or null when no held cycle awaiting approval
   * has that id.
   */
  approveHeld(heldRunId: string, approver: Requester, at: Date): Promise<RunRecord | null>;
}

/**
 * One shared row that stops every instance's writes while Graph refuses the app as a whole (a
 * missing or removed permission): a refusal the app cannot fix per user. Jobs meeting it fail
 * without calling Graph (the queue retries them, the poison path records them `failed`, the next
 * cycle retries them), and the first job after `until` asks Graph again.
 */
export interface WriteGate {
  /** The refusal in force now, or null. */
  refusedNow(now: Date): Promise<{ until: Date; reason: string } | null>;
  /** Records (or extends) a refusal; true when it was not in force before (say it once, loudly). */
  refuse(until: Date, reason: string, now: Date): Promise<boolean>;
}

export interface JobQueue {
  enqueue(jobs: readonly WorkerJob[]): Promise<void>;
  /**
   * Messages waiting in the poison queue (approximate): jobs the poison handler has not recorded
   * yet. It drains in seconds, so a depth that stays above zero means the handler is failing.
   * Absent on queues of one process (the CLI's), which have no poison queue.
   */
  poisonDepth?(): Promise<number>;
}

/** Where an incremental read resumes; moved only after a whole read succeeded. */
export interface WatermarkStore {
  get(sourceKey: string): Promise<Date | null>;
  /** Moves the watermark forward to `value` (conditional write); never back: a slower cycle's older read loses. */
  advance(sourceKey: string, value: Date): Promise<void>;
}

export interface Clock {
  now(): Date;
  /**
   * Learns the time all writers share (the storage service's) before a run writes anything, and
   * refuses (CONFIG.CLOCK_SKEW) when this process's own clock is off by more than a few seconds.
   * Absent on clocks that are the shared time already (tests).
   */
  sync?(): Promise<void>;
}

/** What a dry run predicted for a worker (predictions.ts decides when it may be reused). */
export interface Prediction {
  workerId: string;
  /** The desired-state hash the prediction was made for. */
  desiredHash: string;
  outcome: Outcome;
  /** The dry run that made it. */
  runId: string;
  predictedAt: Date;
  /** The worker's ledger row when predicted (`ledgerStampOf`, predictions.ts): a real run since makes it stale. */
  ledgerStamp: string;
}

export interface PredictionStore {
  /** Every stored prediction. */
  list(): AsyncIterable<Prediction>;
  /** Replaces the worker's prediction (the newest dry run's wins). */
  record(prediction: Prediction): Promise<void>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The one logger. Implementations mask personal data before anything leaves the process. */
export interface Logger {
  log(level: LogLevel, message: string, properties?: Record<string, unknown>): void;
}

/** Telemetry records (custom events and metrics); locally they go to the log. */
/** What a run's telemetry event carries beside its record. */
export interface RunCompletedContext {
  /** The escrow backlog as the run leaves it; absent for a resync, which does not read the escrow table. */
  escrow?: EscrowBacklog | undefined;
  /** Measured by a sweep: jobs waiting in the poison queue. */
  poisonQueueDepth?: number | undefined;
  operationId?: string | undefined;
  /**
   * Reported by the job that settled the run's last job, after planning reported the run: the
   * event again with every job's outcome, and the outcome metric for the jobs only (planning's
   * event counted the rest), so each outcome is counted once in the metric.
   */
  lastJobSettled?: boolean | undefined;
}

export interface Telemetry {
  workerOutcome(
    outcome: Outcome,
    context: {
      runId: string;
      durationMs: number;
      graphRequests: number;
      operationId?: string;
      runKind?: RunKind;
      dryRun?: boolean;
    },
  ): void;
  runCompleted(run: RunRecord, context: RunCompletedContext): void;
  flush(): Promise<void>;
}
