/**
 * In-memory ports for the core's use cases. Every fake records what was asked of it, so a test
 * can assert on the calls an identity engineer cares about (writes above all), not on internals.
 */
import type { ConnectorConfig } from '../../src/core/connector';
import { parseConnector } from '../../src/core/parseConnector';
import { exampleConnector } from '../../sim/exampleConnector';
import { enrichWorker } from '../../src/core/enrichWorker';
import { AppError } from '../../src/core/errors';
import { desiredHash, desiredStateOf } from '../../src/core/mapping';
import type { Outcome } from '../../src/core/outcome';
import type { Dependencies } from '../../src/core/dependencies';
import {
  KEEP,
  REMOVE,
  type ConditionalRows,
  type Privilege,
  type RowChange,
  type RowDecision,
} from '../../src/core/ports';
import type {
  AuthenticationEmailMethod,
  Clock,
  DeletedLookup,
  Directory,
  DirectoryStats,
  DirectoryUser,
  EscrowEntry,
  EscrowStore,
  JobQueue,
  Ledger,
  LedgerEntry,
  Logger,
  LogLevel,
  PlannedJob,
  PlanStore,
  RawRecord,
  Requester,
  ReadOptions,
  RunHistory,
  JobSettlement,
  RunWorker,
  RunRecord,
  Telemetry,
  WatermarkStore,
  WorkerJob,
  WorkerSource,
  WriteGuard,
  WriteResult,
} from '../../src/core/ports';

export const T0 = new Date('2026-03-02T08:00:00.000Z');
export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

/** The example connector (connector.example.json), with overrides. */
export function connectorOf(overrides: Record<string, unknown> = {}): ConnectorConfig {
  return parseConnector(
    exampleConnector({
      guards: { maxWritesPerCycle: 500 },
      escrow: { retryAfterMinutes: [1, 2, 5], expireAfterDays: 28 },
      ...overrides,
    }),
  );
}

export function userOf(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id: 'user-1',
    employeeId: 'W1',
    onPremisesSyncEnabled: true,
    otherMails: [],
    usageLocation: null,
    extensions: {},
    ...overrides,
  };
}

/** A RaaS row for an in-scope employee. */
export function rowOf(workerId: string, overrides: RawRecord = {}): RawRecord {
  return {
    WorkerID: workerId,
    personalEmail: `${workerId.toLowerCase()}@home.example`,
    CountryISO: 'GB',
    Worker_Type: 'Employee',
    Legal_Entity: 'Contoso Corp',
    Active: '1',
    ...overrides,
  };
}

export interface DirectoryCall {
  method: string;
  args: unknown[];
}

/** Entra as a list of users. Answers like Graph: case-insensitive employeeId, copies, never live objects. */
export class FakeDirectory implements Directory {
  readonly calls: DirectoryCall[] = [];
  readonly deleted: DirectoryUser[] = [];
  deletedLookupSupported = true;
  /** Per user id: the answer to updateUser instead of applying the patch (e.g. a 403). */
  readonly refuseUpdate = new Map<string, WriteResult>();
  readonly refuseAuthenticationEmail = new Map<string, WriteResult>();
  readonly authenticationEmails = new Map<string, AuthenticationEmailMethod>();
  /** Users holding or eligible for a directory role; `privilegedRefusal` is thrown instead when set. */
  readonly privileged = new Set<string>();
  privilegedRefusal: AppError | null = null;
  /** Thrown by the next call of any method (a transient Graph fault). */
  failNext: AppError | null = null;
  /** Runs once before the next write's guard is asked: the write waits (pacing, a retry) meanwhile. */
  onTheWay: (() => Promise<void>) | null = null;
  /** Runs once after the next write left and before it lands: it is on the wire meanwhile. */
  onTheWire: (() => Promise<void>) | null = null;
  /** Writes their guards stopped, by method. */
  readonly notSent: string[] = [];
  /**
   * The next write lands and its answer is lost (a reset): like Graph's adapter, the write is tried
   * again, its guard asked first, so a newer plan recorded meanwhile stops the retry unsent.
   */
  loseAnswer = false;

  constructor(readonly users: DirectoryUser[] = []) {}

  get updates(): Array<{ userId: string; patch: Record<string, unknown> }> {
    return this.calls
      .filter((c) => c.method === 'updateUser')
      .map((c) => ({ userId: c.args[0] as string, patch: c.args[1] as Record<string, unknown> }));
  }

  get writes(): DirectoryCall[] {
    return this.calls.filter((c) => c.method === 'updateUser' || c.method === 'setAuthenticationEmail');
  }

  user(id: string): DirectoryUser {
    const user = this.users.find((u) => u.id === id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }

  private call(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args: structuredClone(args) });
    const failure = this.failNext;
    if (failure) {
      this.failNext = null;
      throw failure;
    }
  }

  async findUsersByEmployeeId(employeeId: string): Promise<DirectoryUser[]> {
    this.call('findUsersByEmployeeId', employeeId);
    return matching(this.users, employeeId);
  }

  async findUsersByEmployeeIds(employeeIds: readonly string[]): Promise<Map<string, DirectoryUser[]>> {
    this.call('findUsersByEmployeeIds', [...employeeIds]);
    return new Map(employeeIds.map((id) => [id.toLowerCase(), matching(this.users, id)]));
  }

  async findDeletedUsersByEmployeeId(employeeId: string): Promise<DeletedLookup> {
    this.call('findDeletedUsersByEmployeeId', employeeId);
    return this.deletedLookupSupported
      ? { supported: true, users: matching(this.deleted, employeeId) }
      : { supported: false };
  }

  /** A write's way out as Graph's adapter makes it: wait, ask the guard, leave, land. */
  private async leave(method: string, guard: WriteGuard | undefined): Promise<boolean> {
    const waiting = this.onTheWay;
    this.onTheWay = null;
    await waiting?.();
    if (guard && !(await guard())) {
      this.notSent.push(method);
      return false;
    }
    return true;
  }

  private async land(): Promise<void> {
    const wire = this.onTheWire;
    this.onTheWire = null;
    await wire?.();
  }

  async updateUser(userId: string, patch: Record<string, unknown>, guard?: WriteGuard): Promise<WriteResult> {
    if (!(await this.leave('updateUser', guard))) return { status: 'notSent' };
    const loseAnswer = this.loseAnswer;
    this.loseAnswer = false;
    this.call('updateUser', userId, patch);
    await this.land();
    const refusal = this.refuseUpdate.get(userId);
    if (refusal) return refusal;
    const user = this.user(userId);
    for (const [property, value] of Object.entries(patch)) {
      if (property === 'otherMails') user.otherMails = [...(value as string[])];
      else if (property === 'usageLocation') user.usageLocation = value as string | null;
      else user.extensions[property] = value;
    }
    if (loseAnswer) {
      if (guard && !(await guard())) {
        this.notSent.push('updateUser');
        return { status: 'notSent' };
      }
    }
    return { status: 'ok' };
  }

  async getAuthenticationEmail(userId: string): Promise<AuthenticationEmailMethod | null> {
    this.call('getAuthenticationEmail', userId);
    const method = this.authenticationEmails.get(userId);
    return method ? { ...method } : null;
  }

  async setAuthenticationEmail(
    userId: string,
    existingId: string | null,
    emailAddress: string,
    guard?: WriteGuard,
  ): Promise<WriteResult> {
    if (!(await this.leave('setAuthenticationEmail', guard))) return { status: 'notSent' };
    this.call('setAuthenticationEmail', userId, existingId, emailAddress);
    await this.land();
    const refusal = this.refuseAuthenticationEmail.get(userId);
    if (refusal) return refusal;
    this.authenticationEmails.set(userId, { id: existingId ?? `method-${userId}`, emailAddress });
    return { status: 'ok' };
  }

  async privilegedUserIds(): Promise<ReadonlyMap<string, Privilege>> {
    this.call('privilegedUserIds');
    if (this.privilegedRefusal) throw this.privilegedRefusal;
    // An active Global Administrator assignment, the simulator's default grant.
    return new Map(
      [...this.privileged].map((id) => [
        id,
        { roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10', eligible: false },
      ]),
    );
  }

  stats(): DirectoryStats {
    const writes = this.writes.length;
    return { httpRequests: this.calls.length, subRequests: this.calls.length, throttled: 0, writes };
  }
}

function matching(users: DirectoryUser[], employeeId: string): DirectoryUser[] {
  return users.filter((u) => u.employeeId?.toLowerCase() === employeeId.toLowerCase()).map((u) => structuredClone(u));
}

/**
 * Rows with the conditional-write semantics of the Table adapter: each stored row has an ETag, a
 * change presents what it saw, and a stale sight is decided again on the fresh row.
 * `beforeWrite` lets a test slip another process's write in between a read and a write.
 */
class FakeRows<T extends { workerId: string; etag?: string }> implements ConditionalRows<T> {
  readonly entries = new Map<string, T>();
  /** Every row written, in order. */
  readonly writes: T[] = [];
  readonly removals: string[] = [];
  /** Writes refused because the row had changed since it was read. */
  conflicts = 0;
  beforeWrite: ((workerId: string) => void) | null = null;
  private sequence = 0;

  constructor(initial: T[] = []) {
    for (const entry of initial) this.seed(entry);
  }

  /** Puts a row in place, as if an earlier run had written it. */
  seed(entry: T): void {
    this.entries.set(entry.workerId, { ...structuredClone(entry), etag: `e${++this.sequence}` });
  }

  async get(workerId: string): Promise<T | null> {
    const entry = this.entries.get(workerId);
    return entry ? structuredClone(entry) : null;
  }

  async *list(): AsyncIterable<T> {
    for (const entry of [...this.entries.values()]) yield structuredClone(entry);
  }

  async change(workerId: string, decide: RowDecision<T>, seen?: T | null): Promise<T | null> {
    let current = seen === undefined ? await this.get(workerId) : seen;
    for (let attempt = 0; attempt < 20; attempt++) {
      const next = decide(current);
      if (next === KEEP) return current;
      const hook = this.beforeWrite;
      this.beforeWrite = null;
      hook?.(workerId);
      const stored = this.entries.get(workerId);
      if ((stored?.etag ?? null) !== (current?.etag ?? null) || (current === null) !== (stored === undefined)) {
        this.conflicts += 1;
        current = await this.get(workerId);
        continue;
      }
      if (next === REMOVE) {
        this.removals.push(workerId);
        this.entries.delete(workerId);
        return null;
      }
      const { etag: _old, ...plain } = next;
      const written = { ...structuredClone(plain), etag: `e${++this.sequence}` } as T;
      this.writes.push(structuredClone(plain) as T);
      this.entries.set(workerId, written);
      return structuredClone(written);
    }
    throw new Error(`row ${workerId} kept changing`);
  }

  async changeMany(changes: readonly RowChange<T>[]): Promise<Map<string, T | null>> {
    const results = new Map<string, T | null>();
    for (const item of changes) results.set(item.workerId, await this.change(item.workerId, item.decide, item.seen));
    return results;
  }
}

export class FakeLedger extends FakeRows<LedgerEntry> implements Ledger {
  async findByEmailHash(emailHash: string): Promise<LedgerEntry[]> {
    return [...this.entries.values()].filter((e) => e.emailHash === emailHash).map((e) => structuredClone(e));
  }
}

export class FakeEscrow extends FakeRows<EscrowEntry> implements EscrowStore {
  /** Escrow entries written (created or updated), in order. */
  get puts(): EscrowEntry[] {
    return this.writes;
  }
}

export class FakePlans extends FakeRows<PlannedJob> implements PlanStore {}

export class FakeRuns implements RunHistory {
  readonly runs: RunRecord[] = [];
  readonly approvals = new Map<string, string>();

  /** Settled jobs by run, then by worker: a worker settles once per run, its latest outcome kept. */
  readonly settlements = new Map<string, Map<string, JobSettlement>>();

  async record(run: RunRecord): Promise<RunRecord> {
    if (!this.runs.some((r) => r.runId === run.runId)) this.runs.push(structuredClone(run));
    return run;
  }

  async settle(runId: string, settlement: JobSettlement): Promise<RunRecord | null> {
    const byWorker = this.settlements.get(runId) ?? new Map<string, JobSettlement>();
    byWorker.set(settlement.workerId, settlement);
    this.settlements.set(runId, byWorker);
    return null;
  }

  async workersOf(runId: string, code?: RunWorker['code']): Promise<RunWorker[]> {
    return [...(this.settlements.get(runId)?.values() ?? [])]
      .map((s): RunWorker => ({ workerId: s.workerId, code: s.outcome?.code ?? 'superseded', at: s.at, source: 'job' }))
      .filter((w) => code === undefined || w.code === code);
  }

  async get(runId: string): Promise<RunRecord | null> {
    return this.runs.find((r) => r.runId === runId) ?? null;
  }

  async claimApproval(heldRunId: string, claimedBy: string): Promise<boolean> {
    if (this.approvals.has(heldRunId)) return false;
    this.approvals.set(heldRunId, claimedBy);
    return true;
  }

  async latest(limit: number): Promise<RunRecord[]> {
    return [...this.runs].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime()).slice(0, limit);
  }

  async heldAwaitingApproval(): Promise<RunRecord[]> {
    const cycles = (await this.latest(this.runs.length)).filter((r) => r.kind === 'cycle' && !r.dryRun);
    const through = cycles.findIndex((r) => !r.held);
    return through === -1 ? cycles : cycles.slice(0, through);
  }

  async approveHeld(heldRunId: string, approver: Requester, at: Date): Promise<RunRecord | null> {
    if (!(await this.heldAwaitingApproval()).some((r) => r.runId === heldRunId)) return null;
    const run = this.runs.find((r) => r.runId === heldRunId)!;
    run.approval = { by: approver, at };
    return structuredClone(run);
  }
}

export class FakeQueue implements JobQueue {
  readonly jobs: WorkerJob[] = [];
  /** One entry per enqueue call, with the number of jobs it carried. */
  readonly calls: number[] = [];

  async enqueue(jobs: readonly WorkerJob[]): Promise<void> {
    this.calls.push(jobs.length);
    this.jobs.push(...structuredClone([...jobs]));
  }

  take(): WorkerJob[] {
    return this.jobs.splice(0, this.jobs.length);
  }
}

export class FakeWatermarks implements WatermarkStore {
  readonly values = new Map<string, Date>();
  readonly sets: Array<{ key: string; value: Date }> = [];

  async get(key: string): Promise<Date | null> {
    return this.values.get(key) ?? null;
  }

  async advance(key: string, value: Date): Promise<void> {
    this.sets.push({ key, value });
    const stored = this.values.get(key);
    if (!stored || stored.getTime() < value.getTime()) this.values.set(key, value);
  }
}

export interface SourceOptions {
  kind?: string;
  supportsIncremental?: boolean;
  /** Throw WORKDAY.UNAVAILABLE after yielding this many records. */
  throwAfter?: number;
  /** What an incremental read returns; a full read returns `records`. */
  changedSince?: (updatedFrom: Date) => RawRecord[];
}

/** A Workday over an array. */
export class FakeSource implements WorkerSource {
  readonly kind: string;
  readonly supportsIncremental: boolean;
  readonly reads: ReadOptions[] = [];
  throwAfter: number | undefined;

  constructor(
    public records: RawRecord[],
    private readonly options: SourceOptions = {},
  ) {
    this.kind = options.kind ?? 'raas';
    this.supportsIncremental = options.supportsIncremental ?? false;
    this.throwAfter = options.throwAfter;
  }

  async *readWorkers(options: ReadOptions): AsyncIterable<RawRecord> {
    this.reads.push(options);
    const records =
      options.updatedFrom && this.options.changedSince ? this.options.changedSince(options.updatedFrom) : this.records;
    let yielded = 0;
    for (const record of records) {
      if (this.throwAfter !== undefined && yielded >= this.throwAfter) {
        throw new AppError('WORKDAY.UNAVAILABLE', 'Workday answered 503 mid-read', { transient: true, status: 503 });
      }
      yielded += 1;
      yield structuredClone(record);
    }
  }

  async readWorker(workerId: string): Promise<RawRecord | null> {
    const record = this.records.find((r) => String(r.WorkerID).toLowerCase() === workerId.toLowerCase());
    return record ? structuredClone(record) : null;
  }

  /** Absent by default, as for a source that can only read one worker at a time; a test may set it. */
  readWorkersByIds?: (workerIds: readonly string[], asOf: Date) => AsyncIterable<RawRecord>;
}

export class FakeClock implements Clock {
  constructor(public time: Date = T0) {}

  now(): Date {
    return new Date(this.time.getTime());
  }

  advance(ms: number): void {
    this.time = new Date(this.time.getTime() + ms);
  }
}

export class FakeLogger implements Logger {
  readonly lines: Array<{ level: LogLevel; message: string; properties?: Record<string, unknown> }> = [];

  log(level: LogLevel, message: string, properties?: Record<string, unknown>): void {
    this.lines.push({ level, message, ...(properties ? { properties } : {}) });
  }
}

const silentTelemetry: Telemetry = { workerOutcome: () => {}, runCompleted: () => {}, flush: async () => {} };

export interface FakeDependencies extends Dependencies {
  source: FakeSource;
  directory: FakeDirectory;
  ledger: FakeLedger;
  escrow: FakeEscrow;
  plans: FakePlans;
  runs: FakeRuns;
  queue: FakeQueue;
  watermarks: FakeWatermarks;
  logger: FakeLogger;
  clock: FakeClock;
}

export function dependenciesOf(parts: Partial<FakeDependencies> = {}): FakeDependencies {
  return {
    connector: connectorOf(),
    source: new FakeSource([]),
    directory: new FakeDirectory(),
    ledger: new FakeLedger(),
    escrow: new FakeEscrow(),
    plans: new FakePlans(),
    runs: new FakeRuns(),
    queue: new FakeQueue(),
    watermarks: new FakeWatermarks(),
    telemetry: silentTelemetry,
    logger: new FakeLogger(),
    clock: new FakeClock(),
    dryRun: false,
    ...parts,
  };
}

/** Runs every queued job through the worker pipeline, as the queue function would (superseded jobs give none). */
export async function drain(deps: FakeDependencies): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const job of deps.queue.take()) {
    const outcome = await enrichWorker(job, deps);
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}

/** A job as a cycle would plan it (desired hash computed from the connector's mappings). */
export function jobOf(
  workerId: string,
  fields: Record<string, string | null>,
  overrides: Partial<WorkerJob> = {},
  connector: ConnectorConfig = connectorOf(),
): WorkerJob {
  const all = { workerId, ...fields };
  const hash = desiredHash(desiredStateOf(all, connector.mappings), connector.mappings);
  return { workerId, runId: 'cycle-1', fields: all, desiredHash: hash, ...overrides };
}
