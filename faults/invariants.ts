/**
 * What must hold after a round once the world has converged, counted from the outside: the
 * simulated tenants say what is true, Table storage says what the connector recorded.
 * Only the public ports are read (ledger and escrow listings), not how they are stored.
 */
import type { GraphRequestLogEntry, GraphSimulator } from '../sim/graph';
import { CORPORATE_DOMAIN, personalEmailOf, type SimWorker } from '../sim/world';
import type { OutcomeCode } from '../src/core/outcome';
import type { EscrowStore, Ledger } from '../src/core/ports';
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
    const current = input.valuesAt(patch.at).get(employeeId);
    const body = (patch.body ?? {}) as { otherMails?: string[]; usageLocation?: string };
    const stale =
      !current?.inScope ||
      (body.otherMails !== undefined &&
        JSON.stringify(body.otherMails) !== JSON.stringify(current.email ? [current.email] : [])) ||
      (body.usageLocation !== undefined && body.usageLocation !== current.country);
    if (stale) {
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
