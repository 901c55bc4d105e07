/**
 * What a dry run predicted, kept apart from the ledger and the plan versions the real run uses,
 * so the next dry run re-checks only what changed: a worker whose source data (desired hash) and
 * ledger row are as they were when predicted gets the prediction again, without a job or a Graph
 * call. A dry run then costs what a steady cycle costs, and still predicts the real run.
 */
import type { Outcome, OutcomeCode } from './outcome';
import type { Directory, LedgerEntry, Prediction, PredictionStore } from './ports';

/** The ledger row as a prediction saw it; any real outcome or plan recorded since changes it. */
export function ledgerStampOf(entry: LedgerEntry | null | undefined): string {
  if (!entry) return 'none';
  return `${entry.updatedAt.toISOString()}|${entry.plannedVersion ?? ''}|${entry.lastOutcome ?? ''}`;
}

/**
 * Outcomes a repeated dry run may take from the last one. `conflict` and `failed` are checked
 * again, as a real cycle retries them; an `escrowed` prediction holds while its user is still
 * missing (one batched lookup per 15 workers, as the real cycle peeks at escrow).
 */
const KEPT: ReadonlySet<OutcomeCode> = new Set(['written', 'unchanged', 'denied', 'expired', 'escrowed']);

export interface PredictionCandidate {
  workerId: string;
  desiredHash: string;
}

/**
 * The predictions the next dry run can reuse for these candidates: same desired hash, same ledger
 * row, younger than the re-verification period, and (escrowed) the user still missing.
 */
export async function reusablePredictions(
  deps: { predictions?: PredictionStore; directory: Pick<Directory, 'findUsersByEmployeeIds'> },
  candidates: readonly PredictionCandidate[],
  ledger: ReadonlyMap<string, LedgerEntry>,
  options: { now: Date; reverifyEveryHours: number },
): Promise<Map<string, Outcome>> {
  const reused = new Map<string, Outcome>();
  if (!deps.predictions || candidates.length === 0) return reused;
  const stored = new Map<string, Prediction>();
  for await (const prediction of deps.predictions.list()) stored.set(prediction.workerId, prediction);
  const oldest = options.now.getTime() - options.reverifyEveryHours * 3600_000;
  for (const { workerId, desiredHash } of candidates) {
    const prediction = stored.get(workerId);
    if (
      prediction &&
      prediction.desiredHash === desiredHash &&
      prediction.ledgerStamp === ledgerStampOf(ledger.get(workerId)) &&
      prediction.predictedAt.getTime() > oldest &&
      KEPT.has(prediction.outcome.code)
    )
      reused.set(workerId, prediction.outcome);
  }
  const waiting = [...reused.values()].filter((o) => o.code === 'escrowed').map((o) => o.workerId);
  if (waiting.length > 0) {
    const found = await deps.directory.findUsersByEmployeeIds(waiting.map((id) => id.toLowerCase()));
    for (const workerId of waiting) if ((found.get(workerId.toLowerCase())?.length ?? 0) > 0) reused.delete(workerId);
  }
  return reused;
}
