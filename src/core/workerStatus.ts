/** What the ledger and escrow know of one worker (HTTP `workerStatus`). */
import type { Pipeline } from './pipeline';
import type { ChangeView, OutcomeCode } from './outcome';
import { checkWorkerIdInput } from './resync';

export interface WorkerStatusView {
  workerId: string;
  known: boolean;
  lastOutcome?: OutcomeCode;
  reason?: string;
  detail?: string;
  userId?: string;
  lastRun?: string;
  updatedAt?: string;
  verifiedAt?: string;
  lastChanges?: ChangeView[];
  escrow?: { reason: string; firstSeen: string; attempts: number; nextAttempt: string };
}

export async function workerStatus(
  deps: Pick<Pipeline, 'ledger' | 'escrow'>,
  workerIdInput: string,
): Promise<WorkerStatusView> {
  const workerId = checkWorkerIdInput(workerIdInput);
  const [entry, escrow] = await Promise.all([deps.ledger.get(workerId), deps.escrow.get(workerId)]);
  const view: WorkerStatusView = { workerId, known: entry !== null || escrow !== null };
  if (entry) {
    view.lastOutcome = entry.lastOutcome;
    if (entry.reason) view.reason = entry.reason;
    if (entry.detail) view.detail = entry.detail;
    if (entry.userId) view.userId = entry.userId;
    view.lastRun = entry.cycleId;
    view.updatedAt = entry.updatedAt.toISOString();
    if (entry.verifiedAt) view.verifiedAt = entry.verifiedAt.toISOString();
    if (entry.lastChanges) view.lastChanges = entry.lastChanges;
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
