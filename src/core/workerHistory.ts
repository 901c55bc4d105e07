/**
 * A worker's recent outcomes, kept on its ledger row (as Entra's provisioning logs keep a history
 * per user): `status` answers "what happened to this worker lately" with the one read it already
 * makes, and the history costs no storage transaction of its own. Only codes, reasons, run ids
 * and times: the row is read by reports, so no personal data goes in.
 */
import type { OutcomeCode } from './outcome';
import type { LedgerEntry, WorkerHistoryEntry } from './ports';

/** Outcomes kept besides the row's own latest one. */
export const HISTORY_LENGTH = 5;

/**
 * The row about to be written, with the stored row's outcome moved into its history when the
 * new row records another outcome (another run, code or reason). A plan recorded on the row, or
 * the same outcome recorded again (a redelivered job), leaves the history as it was.
 */
export function withHistory(stored: LedgerEntry | null, next: LedgerEntry): LedgerEntry {
  const history = stored?.history ?? [];
  const previous = stored?.lastOutcome ? entryOf(stored, stored.lastOutcome) : null;
  const same =
    next.lastOutcome === undefined ||
    (stored?.runId === next.runId && stored.lastOutcome === next.lastOutcome && stored.reason === next.reason);
  const kept = previous && !same ? [previous, ...history].slice(0, HISTORY_LENGTH) : history;
  const { history: _dropped, ...rest } = next;
  return kept.length > 0 ? { ...rest, history: kept } : rest;
}

function entryOf(entry: LedgerEntry, code: OutcomeCode): WorkerHistoryEntry {
  return {
    runId: entry.runId,
    code,
    ...(entry.reason ? { reason: entry.reason } : {}),
    at: entry.updatedAt,
  };
}
