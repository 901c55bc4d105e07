/**
 * What must hold after a round once the world has converged, counted from the outside: the
 * simulated tenants say what is true, Table storage says what the connector recorded.
 * Only the public ports are read (ledger and escrow listings), not how they are stored.
 */
import type { GraphRequestLogEntry, GraphSimulator } from '../sim/graph';
import { CORPORATE_DOMAIN, personalEmailOf, type SimWorker } from '../sim/world';
import type { Mapping } from '../src/core/connector';
import { desiredStateOf, valueHash } from '../src/core/mapping';
import type { OutcomeCode } from '../src/core/outcome';
import type { EscrowStore, Ledger, PlanStore, WatermarkStore, WorkerJob } from '../src/core/ports';
import { isHybrid, type WorkerValues } from './evolvingWorld';

/** Outcomes that document why a user does not hold the worker's value. */
const REFUSALS = new Set<OutcomeCode>(['rejected', 'conflict', 'denied', 'escrowed', 'expired', 'outOfScope', 'held']);
const COUNTRY = /^(US|GB|DE|FR|NL|IN|JP|CA|AU|BR)$/;

export interface RoundFigures {
  withoutOutcome: number;
  otherMailsWrong: number;
  usageLocationWrong: number;
  supersededPatches: number;
  escrowLost: number;
  escrowLeft: number;
  duplicateWrites: number;
  patches: number;
  /** A few of the wrong cases, for the log: worker id, what was wrong, the ledger's outcome. */
  examples: string[];
}

export async function checkRound(input: {
  workers: SimWorker[];
  graph: GraphSimulator;
  ledger: Ledger;
  escrow: EscrowStore;
  /** The PATCHes the simulator received during the round, and the values current in it. */
  roundPatches: GraphRequestLogEntry[];
  /** The values current at a moment of the run (Workday changes between and within rounds). */
  valuesAt: (at: number) => Map<string, WorkerValues>;
  /** Last successful PATCH body per user over the whole run (updated here). */
  lastWrite: Map<string, string>;
}): Promise<RoundFigures> {
  const outcomes = new Map<string, OutcomeCode>();
  // An entry may hold a plan without an outcome yet: that worker has no outcome.
  for await (const entry of input.ledger.list())
    if (entry.lastOutcome) outcomes.set(entry.workerId.toLowerCase(), entry.lastOutcome);
  const escrowed = new Set<string>();
  for await (const entry of input.escrow.list()) escrowed.add(entry.workerId.toLowerCase());
  const emailUse = new Map<string, number>();
  for (const worker of input.workers.filter(isHybrid)) {
    const email = personalEmailOf(worker)?.toLowerCase();
    if (email) emailUse.set(email, (emailUse.get(email) ?? 0) + 1);
  }

  const figures: RoundFigures = {
    withoutOutcome: 0,
    otherMailsWrong: 0,
    usageLocationWrong: 0,
    supersededPatches: 0,
    escrowLost: 0,
    escrowLeft: 0,
    duplicateWrites: 0,
    patches: 0,
    examples: [],
  };
  const note = (what: string, workerId: string, outcome?: string) => {
    if (figures.examples.length < 8)
      figures.examples.push(`${what}: worker ${workerId} (ledger: ${outcome ?? 'none'})`);
  };
  for (const worker of input.workers) {
    const id = worker.workerId.toLowerCase();
    if (!isValidId(worker.workerId)) continue;
    const outcome = outcomes.get(id);
    if (!outcome) {
      figures.withoutOutcome += 1;
      note('no outcome', worker.workerId);
    }
    const users = input.graph.usersByEmployeeId(worker.workerId);
    const email = personalEmailOf(worker);
    const writable =
      isHybrid(worker) &&
      email !== null &&
      isPlainEmail(email) &&
      COUNTRY.test(worker.businessSiteCountry ?? '') &&
      (emailUse.get(email.toLowerCase()) ?? 0) === 1;
    const excused = outcome !== undefined && REFUSALS.has(outcome);
    if (users.length === 1 && isHybrid(worker)) {
      const user = users[0]!;
      const mailsRight = writable && user.otherMails.length === 1 && user.otherMails[0] === email;
      if (!mailsRight && !excused) {
        figures.otherMailsWrong += 1;
        note('otherMails wrong', worker.workerId, outcome);
      }
      if (writable && user.usageLocation !== worker.businessSiteCountry && !excused) {
        figures.usageLocationWrong += 1;
        note('usageLocation wrong', worker.workerId, outcome);
      }
    }
    if (writable && users.length === 0 && !escrowed.has(id)) {
      figures.escrowLost += 1;
      note('escrow lost', worker.workerId, outcome);
    }
    if (escrowed.has(id) && (users.length > 0 || !isHybrid(worker))) {
      figures.escrowLeft += 1;
      note('escrow left', worker.workerId, outcome);
    }
  }

  for (const patch of input.roundPatches) {
    figures.patches += 1;
    const userId = /^\/users\/([^/]+)$/.exec(patch.path)?.[1] ?? '';
    const employeeId = input.graph.getUser(userId)?.employeeId?.toLowerCase() ?? '';
    const body = (patch.body ?? {}) as { otherMails?: string[]; usageLocation?: string };
    if (isStale(body, input.valuesAt(patch.at).get(employeeId))) {
      figures.supersededPatches += 1;
      note(`superseded PATCH (${patch.status})`, employeeId, outcomes.get(employeeId));
    }
    if (patch.status >= 200 && patch.status < 300) {
      const text = JSON.stringify(body);
      if (input.lastWrite.get(userId) === text) figures.duplicateWrites += 1;
      input.lastWrite.set(userId, text);
    }
  }
  return figures;
}

function isValidId(id: string): boolean {
  return id !== '' && [...id].length <= 16 && !/[\u0000-\u001f\u007f]/.test(id);
}

function isPlainEmail(email: string): boolean {
  return (
    /^[\x21-\x7e]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(email) && !email.toLowerCase().endsWith(`@${CORPORATE_DOMAIN}`)
  );
}

export interface TruthFigures {
  /** Settled rows whose user does not hold the values of the row's recorded plan. */
  notNewestPlan: number;
  /** Rows that claim (`writtenHashes`) a value Graph does not hold, with no write in flight left on record. */
  falseClaims: number;
  /** Read watermarks later than the real time (Workday's): the next incremental read would skip changes. */
  watermarkAhead: number;
  examples: string[];
}

/**
 * What the ledger says against what Graph holds, at any quiet moment (no process running): for a
 * row settled on its recorded plan (written or unchanged, applied hash = planned hash, no
 * write-ahead record left), the user holds that plan's values, taken from the Plans table; and no
 * row whose outcome says written or unchanged claims a value the user does not hold. Also: no read
 * watermark is ahead of the real time.
 */
export async function checkTruth(input: {
  graph: GraphSimulator;
  ledger: Ledger;
  plans: PlanStore;
  watermarks: WatermarkStore;
  mappings: readonly Mapping[];
  sourceKind: string;
  now: number;
}): Promise<TruthFigures> {
  const figures: TruthFigures = { notNewestPlan: 0, falseClaims: 0, watermarkAhead: 0, examples: [] };
  const note = (what: string, workerId: string) => {
    if (figures.examples.length < 8) figures.examples.push(`${what}: worker ${workerId}`);
  };
  const plans = new Map<string, WorkerJob>();
  for await (const planned of input.plans.list()) plans.set(planned.workerId.toLowerCase(), planned.job);
  for await (const row of input.ledger.list()) {
    if (row.lastOutcome !== 'written' && row.lastOutcome !== 'unchanged') continue;
    if ((row.pendingWrites?.length ?? 0) > 0) continue;
    const users = input.graph.usersByEmployeeId(row.workerId);
    if (users.length !== 1) continue;
    const user = users[0]!;
    const claims = row.writtenHashes ?? {};
    const holds = (target: string, hash: string): boolean =>
      target === 'otherMails'
        ? user.otherMails.some((value) => valueHash(value) === hash)
        : target === 'usageLocation'
          ? user.usageLocation !== null && valueHash(user.usageLocation) === hash
          : true;
    const falseTargets = Object.entries(claims).filter(([target, hash]) => !holds(target, hash));
    if (falseTargets.length > 0) {
      figures.falseClaims += 1;
      note(
        `ledger claims a value Graph does not hold (${row.lastOutcome}, ${falseTargets.map(([t]) => t).join(', ')})`,
        row.workerId,
      );
      if (process.env.FAULTS_TRACE)
        process.stderr.write(
          `    row ${JSON.stringify({ ...row, pendingWrites: undefined })} plan ${JSON.stringify(plans.get(row.workerId.toLowerCase()))} user ${JSON.stringify({ otherMails: user.otherMails, usageLocation: user.usageLocation })}\n`,
        );
    }
    if (row.plannedHash === undefined || row.desiredHash !== row.plannedHash) continue;
    const plan = plans.get(row.workerId.toLowerCase());
    if (!plan || (plan.version ?? 0) !== row.plannedVersion || plan.desiredHash !== row.plannedHash) continue;
    const desired = desiredStateOf(plan.fields, input.mappings);
    const email = desired.otherMails;
    const country = desired.usageLocation;
    const mailsRight =
      email === null ||
      email === undefined ||
      (user.otherMails.length === 1 && user.otherMails[0]!.toLowerCase() === email.trim().toLowerCase());
    const countryRight = country === null || country === undefined || user.usageLocation === country;
    if (!mailsRight || !countryRight) {
      figures.notNewestPlan += 1;
      note(`user does not hold the recorded plan (${row.lastOutcome})`, row.workerId);
    }
  }
  for (const mark of ['lastRead', 'lastFullRead']) {
    const value = await input.watermarks.get(`${input.sourceKind}:${mark}`);
    if (value && value.getTime() > input.now) {
      figures.watermarkAhead += 1;
      if (figures.examples.length < 8)
        figures.examples.push(
          `watermark ${mark} ${value.toISOString()} is ahead of ${new Date(input.now).toISOString()}`,
        );
    }
  }
  return figures;
}

/**
 * PATCHes of a value the worker no longer had in Workday when it reached Graph (late writes); of
 * those, the ones that landed after a PATCH of the newer value to the same user (they replaced it
 * for a while); and how many were repaired: the user holds the worker's current values for what
 * the PATCH carried, now.
 */
export function lateWrites(input: {
  patches: GraphRequestLogEntry[];
  graph: GraphSimulator;
  valuesAt: (at: number) => Map<string, WorkerValues>;
  now: Map<string, WorkerValues>;
}): { late: number; overNewer: number; repaired: number; examples: string[] } {
  const result = { late: 0, overNewer: 0, repaired: 0, examples: [] as string[] };
  const landedMails = new Map<string, string[]>();
  for (const patch of input.patches) {
    const userId = /^\/users\/([^/]+)$/.exec(patch.path)?.[1] ?? '';
    const user = input.graph.getUser(userId);
    const employeeId = user?.employeeId?.toLowerCase() ?? '';
    const body = (patch.body ?? {}) as { otherMails?: string[]; usageLocation?: string };
    const then = input.valuesAt(patch.at).get(employeeId);
    const ok = patch.status >= 200 && patch.status < 300;
    if (isStale(body, then)) {
      result.late += 1;
      const newer = JSON.stringify(then?.email ? [then.email] : []);
      if (body.otherMails !== undefined && (landedMails.get(userId) ?? []).includes(newer)) result.overNewer += 1;
      const current = input.now.get(employeeId);
      const repaired =
        user !== undefined &&
        current?.inScope === true &&
        (body.otherMails === undefined ||
          JSON.stringify(user.otherMails) === JSON.stringify(current.email ? [current.email] : [])) &&
        (body.usageLocation === undefined || user.usageLocation === current.country);
      if (repaired) result.repaired += 1;
      else if (result.examples.length < 8) result.examples.push(`late write not repaired: worker ${employeeId}`);
    }
    if (ok && body.otherMails !== undefined)
      landedMails.set(userId, [...(landedMails.get(userId) ?? []), JSON.stringify(body.otherMails)]);
  }
  return result;
}

function isStale(body: { otherMails?: string[]; usageLocation?: string }, current: WorkerValues | undefined): boolean {
  return (
    !current?.inScope ||
    (body.otherMails !== undefined &&
      JSON.stringify(body.otherMails) !== JSON.stringify(current.email ? [current.email] : [])) ||
    (body.usageLocation !== undefined && body.usageLocation !== current.country)
  );
}
