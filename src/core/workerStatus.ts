/** What the ledger and escrow know of one worker (HTTP `workerStatus`, CLI `status`). */
import type { Dependencies } from './dependencies';
import type { ChangeView, OutcomeCode } from './outcome';
import type { LedgerEntry, PlannedJob } from './ports';
import { checkWorkerIdInput } from './worker';

export interface WorkerStatusView {
  workerId: string;
  known: boolean;
  lastOutcome?: OutcomeCode;
  reason?: string;
  detail?: string;
  userId?: string;
  lastRun?: string;
  updatedAt?: string;
  /** When a job last checked the worker against Graph; absent when nothing has. */
  verifiedAt?: string;
  lastChanges?: ChangeView[];
  /** The worker's recent outcomes, newest first, the last one included. */
  history?: Array<{ runId: string; outcome: OutcomeCode; reason?: string; at: string }>;
  /** A plan whose job has given no outcome yet: it waits in the queue. */
  planned?: { runId: string; jobQueued: true };
  escrow?: { reason: string; firstSeen: string; attempts: number; nextAttempt: string };
}

export async function workerStatus(
  deps: Pick<Dependencies, 'ledger' | 'escrow' | 'plans'>,
  workerIdInput: string,
): Promise<WorkerStatusView> {
  const workerId = checkWorkerIdInput(workerIdInput);
  const [entry, escrow, plan] = await Promise.all([
    deps.ledger.get(workerId),
    deps.escrow.get(workerId),
    deps.plans.get(workerId),
  ]);
  const view: WorkerStatusView = { workerId, known: entry !== null || escrow !== null };
  if (entry) {
    if (entry.lastOutcome) view.lastOutcome = entry.lastOutcome;
    if (entry.reason) view.reason = entry.reason;
    if (entry.detail) view.detail = entry.detail;
    if (entry.userId) view.userId = entry.userId;
    view.lastRun = entry.runId;
    view.updatedAt = entry.updatedAt.toISOString();
    if (entry.verifiedAt) view.verifiedAt = entry.verifiedAt.toISOString();
    if (entry.lastChanges) view.lastChanges = entry.lastChanges;
    const history = historyOf(entry);
    if (history.length > 0) view.history = history;
    const waiting = queuedPlan(entry, plan);
    if (waiting) view.planned = { runId: waiting, jobQueued: true };
  }
  if (escrow) {
    view.escrow = {
      reason: escrow.reason,
      firstSeen: escrow.firstSeen.toISOString(),
      attempts: escrow.attempts,
      nextAttempt: escrow.nextAttempt.toISOString(),
    };
  }
  return view;
}

function historyOf(entry: LedgerEntry): NonNullable<WorkerStatusView['history']> {
  const latest = entry.lastOutcome
    ? [{ runId: entry.runId, code: entry.lastOutcome, reason: entry.reason, at: entry.updatedAt }]
    : [];
  return [...latest, ...(entry.history ?? [])].map((h) => ({
    runId: h.runId,
    outcome: h.code,
    reason: h.reason || undefined,
    at: h.at.toISOString(),
  }));
}

/**
 * The run whose planned job has not reported yet: the kept plan's run gave the worker no outcome
 * (neither the latest nor one in its history). A job that reports leaves its run in the row; a
 * job superseded by a newer plan leaves that newer plan's job kept.
 */
function queuedPlan(entry: LedgerEntry, plan: PlannedJob | null): string | null {
  // A plan kept from before a hold or a decision is not the worker's plan any more.
  if (!plan || plan.job.desiredHash !== entry.plannedHash) return null;
  const runId = plan.job.runId;
  if (entry.lastOutcome === undefined) return runId;
  if (entry.runId === runId || entry.history?.some((h) => h.runId === runId)) return null;
  return runId;
}
