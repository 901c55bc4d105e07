/**
 * Whether an outcome only repeats what the worker's ledger row already records. A steady cycle
 * meets the same rejected, conflict, denied and escrowed workers again and again; a person needs
 * to hear of each once, when it happens or changes, and the run's counts carry the rest
 * (docs/cost.md: per-worker events are the bill's driver).
 */
import type { Outcome } from './outcome';
import type { LedgerEntry } from './ports';

/** The outcome, marked `repeated` when the row already holds the same code, reason and detail. */
export function markRepeated(
  outcome: Outcome,
  previous: Pick<LedgerEntry, 'lastOutcome' | 'reason' | 'detail'> | null | undefined,
): Outcome {
  return repeats(outcome, previous) ? { ...outcome, repeated: true } : outcome;
}

function repeats(
  outcome: Outcome,
  previous: Pick<LedgerEntry, 'lastOutcome' | 'reason' | 'detail'> | null | undefined,
): boolean {
  if (!previous || previous.lastOutcome !== outcome.code || previous.reason !== outcome.reason) return false;
  // An escrow detail names its next attempt, which moves with every retry: the state is the same.
  return outcome.code === 'escrowed' || previous.detail === outcome.detail;
}
